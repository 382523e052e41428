// dispatch-bench: what notifications cost the store, and whether a slow
// channel holds up a fast one. Run by hand (not a test):
//
//   build/tests/dispatch-bench [NOTIFICATIONS_PER_CHANNEL] [EMAIL_LATENCY_MS]
//
// On a real, synced RocksDB store in a temporary directory, with the test
// workflow tests/fixtures/dispatch: N cases are opened (an email to each of
// 2 officers) and then alerted (an SMS to each), and the dispatcher's loop
// delivers them through in-process senders: email answers after
// EMAIL_LATENCY_MS (a slow SMTP peer; default 200), SMS at once. Printed: the
// store's commits and storage writes (fsync groups) per notification and per
// delivery during dispatch, and when the last SMS and the last email were
// recorded.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "shouhu/access.h"
#include "shouhu/dispatcher.h"
#include "shouhu/org.h"
#include "shouhu/org_directory.h"
#include "shouhu/runtime.h"
#include "../support/test_paths.h"

namespace shouhu {
namespace {

class LatencySender : public Sender {
 public:
  explicit LatencySender(std::chrono::milliseconds latency) : latency_(latency) {}
  SendResult Send(const NotifierMessage&) override {
    if (latency_.count() > 0) std::this_thread::sleep_for(latency_);  // the peer's time
    return SendResult{};
  }

 private:
  std::chrono::milliseconds latency_;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "dispatch-bench: %s\n", what.c_str());
  return 1;
}

int Main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 200;
  const auto email_latency = std::chrono::milliseconds(argc > 2 ? std::atoi(argv[2]) : 200);
  char tmpl[] = "/tmp/dispatch-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return Fail("mkdtemp failed");
  const std::string dir = tmpl;

  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({SourceTree("/tests/fixtures/dispatch/workflows")}, &errors);
  if (!errors.empty()) return Fail(errors[0].ToString());
  auto org = Organisation::Load(SourceTree("/tests/fixtures/dispatch/org/organisation.json"));
  if (!org.ok()) return Fail(org.status().ToString());
  OrganisationDirectory orgs(*org);
  auto rules = AccessRules::Load(SourceTree("/tests/fixtures/dispatch/org/access.json"),
                                 KnownRoles(*org, catalog));
  if (!rules.ok()) return Fail(rules.status().ToString());
  SystemClock clock;
  auto store = OpenRocksStore(dir + "/db");
  if (!store.ok()) return Fail(store.status().ToString());
  auto rt = Runtime::Create(**store, catalog, clock);
  if (!rt.ok()) return Fail(rt.status().ToString());

  for (int i = 0; i < n; ++i) {
    Actor teacher{"teacher", "village", {"reporter"}, "bench"};
    auto opened = (*rt)->Open({"open-" + std::to_string(i), teacher, "notice", "village",
                               {{"child_name", "小明"}, {"signs", {"alone"}}}});
    if (!opened.ok()) return Fail(opened.status().ToString());
    auto fired = (*rt)->Fire({"alert-" + std::to_string(i), teacher, opened->case_id, "alert",
                              nlohmann::json::object(), std::nullopt});
    if (!fired.ok()) return Fail(fired.status().ToString());
  }

  std::vector<ChannelOptions> channels(2);
  channels[0].name = "email";
  channels[0].contact = "email";
  channels[1].name = "sms";
  channels[1].contact = "phone";
  for (int i = 0; i < 4; ++i) {
    channels[0].senders.push_back(std::make_unique<LatencySender>(email_latency));
    channels[1].senders.push_back(std::make_unique<LatencySender>(std::chrono::milliseconds(0)));
  }
  const auto start = std::chrono::steady_clock::now();
  std::mutex mu;
  std::condition_variable cv;
  size_t email = 0, sms = 0;
  double email_done_ms = 0, sms_done_ms = 0;
  DispatcherOptions options;
  options.on_recorded = [&](const Delivery& d, const DeliveryOutcome&) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
    std::lock_guard<std::mutex> lock(mu);
    if (d.channel == "email") {
      ++email;
      email_done_ms = ms;
    } else {
      ++sms;
      sms_done_ms = ms;
    }
    cv.notify_all();
  };
  StoreStats before = (*store)->Stats();
  auto dispatcher = Dispatcher::Create(**rt, catalog, orgs, *rules, clock, std::move(channels),
                                       std::move(options));
  if (!dispatcher.ok()) return Fail(dispatcher.status().ToString());
  (*dispatcher)->Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return email >= size_t(2 * n) && sms >= size_t(2 * n); });
  }
  (*dispatcher)->Stop();
  StoreStats after = (*store)->Stats();
  const double notifications = 2.0 * n, deliveries = 4.0 * n;
  const double commits = double(after.commits - before.commits);
  const double groups = double(after.groups - before.groups);
  std::printf("notifications %d (%d email, %d SMS), deliveries %d\n", 2 * n, n, n, 4 * n);
  std::printf("store commits during dispatch: %.0f (%.2f per notification, %.2f per delivery)\n",
              commits, commits / notifications, commits / deliveries);
  std::printf("storage writes (fsync groups): %.0f (%.2f per notification)\n", groups,
              groups / notifications);
  std::printf("email latency %lld ms, 4 senders per channel: last SMS recorded at %.0f ms, "
              "last email at %.0f ms\n",
              static_cast<long long>(email_latency.count()), sms_done_ms, email_done_ms);
  dispatcher->reset();
  rt->reset();
  store->reset();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace shouhu

int main(int argc, char** argv) { return shouhu::Main(argc, argv); }
