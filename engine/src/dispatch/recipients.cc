// Who a notification reaches: an outbox entry's recipients (a role some
// levels up the tree, the step's owner, the reporter) resolved to users of
// the organisation.
#include <algorithm>

#include "dispatch/message.h"
#include "shouhu/dispatcher.h"

namespace shouhu::dispatch {
namespace {

void Add(std::vector<Addressee>& out, Addressee a) {
  bool seen = std::any_of(out.begin(), out.end(), [&](const Addressee& b) {
    return !a.user.empty() && b.user == a.user;
  });
  if (!seen) out.push_back(std::move(a));
}

void AddUser(const Organisation& org, const std::string& id,
             std::string_view what, std::vector<Addressee>& out) {
  const User* u = org.FindUser(id);
  if (u && u->active) {
    Add(out, {id, u, ""});
  } else if (u) {
    // A dead letter, so that a supervisor sees who was not told.
    Add(out, {id, nullptr,
              "用户已停用 / user \"" + id + "\" is deactivated (" + std::string(what) + ")"});
  } else {
    Add(out, {id, nullptr,
              "组织中没有用户 / no user \"" + id + "\" in the organisation (" +
                  std::string(what) + ")"});
  }
}

void AddRole(const Organisation& org, const std::string& unit,
             const std::string& role, int up, std::vector<Addressee>& out) {
  if (!org.FindUnit(unit)) {
    Add(out, {"", nullptr,
              "组织中没有单位 / no unit \"" + unit + "\" in the organisation"});
    return;
  }
  auto users = org.Resolve(unit, role, up);
  if (users.empty()) {
    Add(out, {"", nullptr,
              "无人担任角色 / nobody holds role \"" + role +
                  "\" at or above unit \"" + unit + "\" (up " +
                  std::to_string(up) + ")"});
  }
  for (const User* u : users) Add(out, {u->id, u, ""});
}

}  // namespace

std::vector<Addressee> ResolveRecipients(const Organisation& org,
                                         const std::vector<Recipient>& recipients,
                                         const NotificationContext& context) {
  std::vector<Addressee> out;
  const std::string& unit = context.unit;
  for (const Recipient& r : recipients) {
    switch (r.kind) {
      case Recipient::Kind::kRole:
        AddRole(org, unit, r.role, r.up, out);
        break;
      case Recipient::Kind::kReporter:
        AddUser(org, context.reporter, "reporter", out);
        // Those whose later reports joined the case hear what the reporter hears.
        for (const std::string& joined : context.joined_reporters) {
          AddUser(org, joined, "reporter", out);
        }
        break;
      case Recipient::Kind::kOwner: {
        const std::string& owner =
            !context.owner.empty() ? context.owner : context.previous_owner;
        if (!owner.empty()) {
          AddUser(org, owner, "owner", out);
          break;
        }
        const std::string& role =
            !context.owner_role.empty() ? context.owner_role : context.previous_owner_role;
        if (role.empty()) {
          Add(out, {"", nullptr, "此步骤无负责人 / the step has no owner and no owner role"});
        } else {
          AddRole(org, unit, role, 0, out);
        }
        break;
      }
    }
  }
  return out;
}

std::string ContactOf(const User& user, std::string_view contact) {
  if (contact == "email") return user.email;
  if (contact == "phone") return user.phone;
  if (contact == "webhook") return user.webhook;
  if (contact == "wecom") return user.wecom;
  if (contact == "dingtalk") return user.dingtalk;
  return "";
}

}  // namespace shouhu::dispatch

namespace shouhu {

std::string DefaultContact(std::string_view channel) {
  if (channel == "sms") return "phone";
  if (channel == "email") return "email";
  if (channel == "wecom") return "wecom";
  if (channel == "dingtalk") return "dingtalk";
  return "webhook";
}

bool IsContactKind(std::string_view contact) {
  return contact == "email" || contact == "phone" || contact == "webhook" ||
         contact == "wecom" || contact == "dingtalk";
}

}  // namespace shouhu
