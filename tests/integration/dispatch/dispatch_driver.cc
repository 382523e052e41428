// The crash test's driver: opens `cases` cases of the test workflow (each
// gives 3 notifications: two emails and a webhook), then dispatches them on
// the real clock through the real webhook plugin to a peer, until nothing is
// pending. The test SIGKILLs it during dispatch and starts it again on the
// same data: commands carry request ids, so a restart re-opens nothing.
//
//   dispatch_driver <data dir> <peer base url> <cases> [open-only]
// Prints "DONE <n>" and exits 0 when every notification is delivered; exits
// 3 if any ended in the dead letters. With open-only it exits after opening
// the cases, leaving their notifications in the outbox (for shouhud).
#include <cstdio>
#include <string>
#include <thread>
#include <tuple>

#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/access.h"
#include "shouhu/dispatcher.h"
#include "shouhu/notifier.h"
#include "shouhu/org.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

int Fail(const std::string& what, const Status& s) {
  std::fprintf(stderr, "driver: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 2;
}

// A webhook channel to `url`; contact is the user field used as {{recipient}}.
StatusOr<ChannelOptions> Channel(const std::string& name,
                                 const std::string& contact,
                                 const std::string& url) {
  auto plugin = NotifierPlugin::Open(BuildTree("/plugins"), "webhook");
  if (!plugin.ok()) return plugin.status();
  ChannelOptions c;
  c.name = name;
  c.contact = contact;
  for (int i = 0; i < 4; ++i) {
    auto n =
        (*plugin)->Create(R"({"url": ")" + url + R"(", "format": "shouhu"})");
    if (!n.ok()) return n.status();
    c.senders.push_back(NotifierSender(std::move(*n)));
  }
  return c;
}

int Main(const std::string& data, const std::string& peer, int cases,
         bool open_only) {
  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load(
      {SourceTree("/tests/fixtures/dispatch/workflows")}, &errors);
  if (!errors.empty())
    return Fail("workflows", InvalidArgument(errors[0].ToString()));
  auto org = Organisation::Load(
      SourceTree("/tests/fixtures/dispatch/org/organisation.json"));
  if (!org.ok()) return Fail("organisation", org.status());
  auto rules = AccessRules::Load(SourceTree("/tests/fixtures/dispatch/org/access.json"),
                                 KnownRoles(*org, catalog));
  if (!rules.ok()) return Fail("access rules", rules.status());
  auto store = OpenRocksStore(data);
  if (!store.ok()) return Fail("store", store.status());
  SystemClock clock;
  auto rt = Runtime::Create(**store, catalog, clock);
  if (!rt.ok()) return Fail("runtime", rt.status());

  Actor teacher{"teacher", "village", {"reporter"}, "driver"};
  for (int i = 1; i <= cases; ++i) {
    auto opened = (*rt)->Open({"open-" + std::to_string(i),
                               teacher,
                               "notice",
                               "village",
                               {{"child_name", "儿童" + std::to_string(i)}}});
    if (!opened.ok()) return Fail("open", opened.status());
    auto fired =
        (*rt)->Fire({"hook-" + std::to_string(i), teacher, opened->case_id,
                     "hook", nlohmann::json::object(), std::nullopt});
    if (!fired.ok()) return Fail("fire", fired.status());
  }
  std::fprintf(stderr, "driver: %d cases open\n", cases);
  if (open_only) return 0;

  std::vector<ChannelOptions> channels;
  for (auto [name, contact, path] :
       {std::tuple{"email", "email", "/mail/{{recipient}}"},
        std::tuple{"webhook", "webhook", "/hooks/{{recipient}}"}}) {
    auto c = Channel(name, contact, peer + path);
    if (!c.ok()) return Fail("plugin", c.status());
    channels.push_back(std::move(*c));
  }
  DispatcherOptions options;
  options.retry = {std::chrono::milliseconds(50), std::chrono::seconds(1), 50,
                   0.2};
  options.batch = 8;  // short rounds: a kill lands between sends and records
  auto dispatcher = Dispatcher::Create(**rt, catalog, *org, *rules, clock,
                                       std::move(channels), options);
  if (!dispatcher.ok()) return Fail("dispatcher", dispatcher.status());
  size_t delivered = 0;
  for (;;) {
    auto round = (*dispatcher)->RunOnce();
    if (!round.ok()) return Fail("round", round.status());
    delivered += round->delivered;
    auto outbox = (*rt)->Outbox(1);
    auto next = (*rt)->NextDeliveryDue();
    if (!outbox.ok() || !next.ok())
      return Fail("queue", outbox.ok() ? next.status() : outbox.status());
    if (outbox->empty() && !*next) break;
    if (round->attempted == 0 && round->expanded == 0 && *next) {
      // Nothing was due: wait for the earliest retry's due time, as the
      // store records it (the real clock: this process is the daemon's
      // stand-in that the crash test kills).
      std::this_thread::sleep_until(**next);
    }
  }
  auto dead = (*rt)->DeadLetters("", 10);
  if (!dead.ok()) return Fail("dead letters", dead.status());
  if (!dead->empty()) {
    std::fprintf(stderr, "driver: DEAD %s: %s\n", (*dead)[0].id.c_str(),
                 (*dead)[0].reason.c_str());
    return 3;
  }
  std::fprintf(stderr, "driver: DONE %zu\n", delivered);
  return 0;
}

}  // namespace
}  // namespace shouhu

int main(int argc, char** argv) {
  bool open_only = argc == 5 && std::string(argv[4]) == "open-only";
  if (argc != 4 && !open_only) {
    std::fprintf(stderr,
                 "usage: dispatch_driver <data dir> <peer base url> <cases> "
                 "[open-only]\n");
    return 2;
  }
  return shouhu::Main(argv[1], argv[2], std::stoi(argv[3]), open_only);
}
