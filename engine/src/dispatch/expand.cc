// An outbox entry expanded into deliveries: who is told, on which channels,
// and what each reader's message says.
#include <cstdio>

#include "dispatch/message.h"

namespace shouhu::dispatch {
namespace {

std::string DeliveryId(uint64_t outbox_id, size_t index) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llu-%03zu", static_cast<unsigned long long>(outbox_id),
                index);
  return buf;
}

}  // namespace

std::vector<Delivery> ExpandEntry(const OutboxEntry& entry, Instant now, const Catalog& catalog,
                                  const Organisation& org, const AccessRules& rules,
                                  const std::function<std::string(const std::string&)>& contact_of) {
  const NotificationContext& ctx = entry.context;
  std::string problem;
  auto w = catalog.Find(ctx.workflow, ctx.version);
  const TemplateDef* t = w ? w->FindTemplate(entry.template_id) : nullptr;
  if (!t) {
    problem = "模板不存在 / no template \"" + entry.template_id + "\" in workflow \"" +
              ctx.workflow + "\" v" + std::to_string(ctx.version);
  }
  std::vector<Delivery> out;
  for (const Addressee& a : ResolveRecipients(org, entry.recipients, ctx)) {
    // The user's address on each channel. Channels on which the user has no
    // address are left out, unless none has one: then each is a dead letter.
    struct Route {
      std::string channel, contact, address;
    };
    std::vector<Route> routes;
    bool any_address = false;
    for (const std::string& channel : entry.channels) {
      std::string contact = contact_of(channel);
      std::string address = a.found ? ContactOf(*a.found, contact) : "";
      any_address = any_address || !address.empty();
      routes.push_back({channel, std::move(contact), std::move(address)});
    }
    for (const auto& [channel, contact, address] : routes) {
      if (any_address && address.empty()) continue;
      // Rendered for this reader: each placeholder they may not read, as
      // the API would not show it to them, is masked.
      RenderedMessage message;
      if (t) {
        message = RenderMessage(*w, *t, ctx, &org,
                                ShownTo(rules, org, catalog, *w, ctx, a.found, contact));
      }
      Delivery d;
      d.id = DeliveryId(entry.id, out.size());
      d.outbox_id = entry.id;
      d.case_id = entry.case_id;
      d.unit = ctx.unit;
      d.idempotency_key =
          entry.idempotency_key + "/" + (a.user.empty() ? "-" : a.user) + "/" + channel;
      d.template_id = entry.template_id;
      d.recipient = a.user;
      d.address = address;
      d.channel = channel;
      d.urgent = entry.urgent;
      d.subject = message.subject;
      d.body = message.body;
      d.params_json = message.params_json.empty() ? "{}" : message.params_json;
      d.problem = !problem.empty() ? problem : a.problem;
      if (d.problem.empty() && address.empty()) {
        d.problem = "用户无联系方式 / user \"" + a.user +
                    "\" has no address on any of the notification's channels";
      }
      d.next_at = now;
      d.created_at = now;
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace shouhu::dispatch
