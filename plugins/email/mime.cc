#include "mime.h"

#include "common/crypto.h"
#include "common/encoding.h"

namespace shouhu::plugin {
namespace {

// "Name <addr>", the name encoded when it is not plain ASCII and quoted when
// it holds RFC 5322 specials.
std::string FormatMailbox(const Mailbox& m) {
  if (m.name.empty()) return m.address;
  std::string name = EncodeHeaderRfc2047(m.name);
  if (name == m.name &&
      name.find_first_of("()<>[]:;@\\,.\"") != std::string::npos) {
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    name = quoted + "\"";
  }
  return name + " <" + m.address + ">";
}

std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

bool IsMailAddress(std::string_view a) {
  size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() ||
      a.find('@', at + 1) != std::string_view::npos || a.size() > 254) {
    return false;
  }
  for (unsigned char c : a) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("<>()[]\\,;:\"").find(c) != std::string_view::npos)
      return false;
  }
  std::string_view domain = a.substr(at + 1);
  return domain.find("..") == std::string_view::npos && domain.front() != '.' &&
         domain.back() != '.';
}

bool ParseMailbox(std::string_view text, Mailbox* out) {
  size_t lt = text.rfind('<');
  if (lt == std::string_view::npos) {
    out->name.clear();
    out->address = std::string(text);
    return IsMailAddress(out->address);
  }
  if (text.empty() || text.back() != '>') return false;
  std::string_view name = text.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  for (char c : name) {
    if (c == '\r' || c == '\n' || c == '"' || c == '\\') return false;
  }
  out->name = std::string(name);
  out->address = std::string(text.substr(lt + 1, text.size() - lt - 2));
  return IsMailAddress(out->address);
}

std::string MessageIdFor(std::string_view key, std::string_view domain) {
  return "<" + Hex(Sha256(key)).substr(0, 32) + "@" + std::string(domain) + ">";
}

std::string MailDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

bool IsHeaderSafe(std::string_view key) {
  if (key.empty() || key.size() > 200) return false;
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::string BuildMail(const MailContent& m) {
  std::string domain = m.from.address.substr(m.from.address.find('@') + 1);
  std::string out;
  auto header = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  header("Date", MailDate(m.date));
  header("From", FormatMailbox(m.from));
  header("To", m.to);
  header("Subject", EncodeHeaderRfc2047(m.subject));
  header("Message-ID", MessageIdFor(m.idempotency_key, domain));
  header("X-Shouhu-Idempotency-Key", m.idempotency_key);
  // RFC 3834: a machine sent this; auto-responders should not answer it.
  header("Auto-Submitted", "auto-generated");
  if (m.urgent) {
    header("Importance", "high");
    header("X-Priority", "1 (Highest)");
  }
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=UTF-8");
  header("Content-Transfer-Encoding", "base64");
  out += "\r\n";
  out += Base64Lines(ToCrlf(m.body));
  return out;
}

}  // namespace shouhu::plugin
