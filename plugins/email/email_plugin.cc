// The email notifier: one SMTP transaction per send, through libcurl.
#include <curl/curl.h>

#include <ctime>
#include <memory>
#include <string>

#include "common/abi_glue.h"
#include "common/config.h"
#include "common/http.h"
#include "mime.h"
#include "shouhu_notifier.h"
#include "smtp.h"

namespace shouhu::plugin {
namespace {

const shouhu_setting kSettings[] = {
    {"url", SHOUHU_SETTING_STRING, 1, nullptr, nullptr,
     "SMTP server: smtp://host:port (plain, upgraded with STARTTLS) or "
     "smtps://host:port (TLS from the first byte, usually port 465)."},
    {"starttls", SHOUHU_SETTING_ENUM, 0, "require", "require|none",
     "For smtp:// URLs. require: send only after the connection is upgraded "
     "with STARTTLS. none: send in clear text (only for a relay on the same "
     "host). Ignored for smtps://."},
    {"username", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "SMTP AUTH user name; empty: no authentication."},
    {"password", SHOUHU_SETTING_SECRET, 0, "", nullptr,
     "SMTP AUTH password; required with username."},
    {"from", SHOUHU_SETTING_STRING, 1, nullptr, nullptr,
     "Sender, \"local@domain\" or \"Name <local@domain>\"; a Chinese name is "
     "sent RFC 2047-encoded. Its domain also names the Message-ID."},
    {"timeout_ms", SHOUHU_SETTING_INT, 0, "30000", nullptr,
     "Limit on one whole SMTP transaction, connect included (1-600000)."},
    {nullptr, 0, 0, nullptr, nullptr, nullptr},
};

struct Email {
  SmtpServer server;
  Mailbox from;
};

void* Init(const char* config_json, char* err, size_t errlen) {
  return GuardInit(err, errlen, [&]() -> void* {
    auto email = std::make_unique<Email>();
    std::string starttls, from;
    ConfigReader r(kSettings, config_json);
    r.String("url", &email->server.url);
    r.String("starttls", &starttls);
    r.String("username", &email->server.username);
    r.String("password", &email->server.password);
    r.String("from", &from);
    r.Int("timeout_ms", &email->server.timeout_ms);
    const std::string& url = email->server.url;
    if (r.ok() && url.rfind("smtp://", 0) != 0 &&
        url.rfind("smtps://", 0) != 0) {
      r.Fail("url", "must start with smtp:// or smtps://");
    }
    if (r.ok() && !ParseMailbox(from, &email->from)) {
      r.Fail("from",
             "\"" + from +
                 "\" is not \"local@domain\" or \"Name <local@domain>\"");
    }
    if (r.ok() &&
        (email->server.timeout_ms < 1 || email->server.timeout_ms > 600000)) {
      r.Fail("timeout_ms", "must be between 1 and 600000");
    }
    if (r.ok() && !email->server.username.empty() &&
        email->server.password.empty()) {
      r.Fail("password", "required when username is set");
    }
    if (!r.ok()) {
      WriteError(err, errlen, r.error());
      return nullptr;
    }
    email->server.require_tls = starttls == "require";
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      WriteError(err, errlen, "curl_global_init failed");
      return nullptr;
    }
    return email.release();
  });
}

int Send(void* ctx, const shouhu_message* msg, char* err, size_t errlen) {
  return GuardSend(err, errlen, [&]() -> int {
    const Email& email = *static_cast<Email*>(ctx);
    if (!IsMailAddress(msg->recipient)) {
      WriteError(err, errlen,
                 std::string("recipient \"") + msg->recipient +
                     "\" is not an email address");
      return SHOUHU_SEND_PERMANENT;
    }
    if (!IsHeaderSafe(msg->idempotency_key)) {
      WriteError(err, errlen,
                 "idempotency key must be 1-200 printable ASCII characters");
      return SHOUHU_SEND_PERMANENT;
    }
    MailContent mail;
    mail.from = email.from;
    mail.to = msg->recipient;
    mail.subject = msg->subject;
    mail.body = msg->body;
    mail.idempotency_key = msg->idempotency_key;
    mail.urgent = msg->urgent != 0;
    mail.date = std::time(nullptr);
    std::string reason;
    int rc = SmtpSend(email.server, email.from.address, mail.to,
                      BuildMail(mail), &reason);
    if (rc != SHOUHU_SEND_OK) WriteError(err, errlen, reason);
    return rc;
  });
}

const shouhu_notifier_plugin kPlugin = {
    SHOUHU_NOTIFIER_ABI_VERSION,
    "email",
    "Sends each notification as a UTF-8 plain-text email over SMTP "
    "(STARTTLS or implicit TLS).",
    kSettings,
    &Init,
    &Send,
    &DeleteStateAndCleanupCurl<Email>,
};

}  // namespace
}  // namespace shouhu::plugin

extern "C" SHOUHU_NOTIFIER_EXPORT const shouhu_notifier_plugin*
shouhu_notifier_entry(void) {
  return &shouhu::plugin::kPlugin;
}
