#include "shouhu/notifier.h"

#include "plugin_loader.h"

namespace shouhu {
namespace {

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

}  // namespace

std::string_view SendResultCodeName(SendResult::Code code) {
  switch (code) {
    case SendResult::Code::kOk:
      return "OK";
    case SendResult::Code::kRetry:
      return "RETRY";
    case SendResult::Code::kPermanent:
      return "PERMANENT";
  }
  return "UNKNOWN";
}

Notifier::Notifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Notifier::~Notifier() = default;

const std::string& Notifier::plugin_name() const {
  return impl_->library_->name_;
}

SendResult Notifier::Send(const NotifierMessage& m) {
  for (const std::string* s :
       {&m.idempotency_key, &m.recipient, &m.subject, &m.body, &m.template_id,
        &m.template_params_json}) {
    if (HasNul(*s)) {
      return {SendResult::Code::kPermanent, "message contains a NUL byte"};
    }
  }
  shouhu_message msg{};
  msg.idempotency_key = m.idempotency_key.c_str();
  msg.recipient = m.recipient.c_str();
  msg.subject = m.subject.c_str();
  msg.body = m.body.c_str();
  msg.template_id = m.template_id.c_str();
  msg.template_params_json =
      m.template_params_json.empty() ? "{}" : m.template_params_json.c_str();
  msg.urgent = m.urgent ? 1 : 0;

  char err[1024] = {0};
  int rc;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rc = impl_->library_->entry_->send(impl_->ctx_, &msg, err, sizeof err);
  }
  err[sizeof err - 1] = '\0';
  switch (rc) {
    case SHOUHU_SEND_OK:
      return {SendResult::Code::kOk, ""};
    case SHOUHU_SEND_RETRY:
      return {SendResult::Code::kRetry, err};
    case SHOUHU_SEND_PERMANENT:
      return {SendResult::Code::kPermanent, err};
    default:
      return {SendResult::Code::kRetry, "plugin \"" + plugin_name() +
                                            "\" returned unknown result " +
                                            std::to_string(rc)};
  }
}

}  // namespace shouhu
