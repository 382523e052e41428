// Failover, the second round (issue 18; the first is failover_test.cc): two
// shouhud nodes on one PostgreSQL store, the sample Patroni cluster's, both
// serving the API, with short leases (ttl 3 s, renewed every second) and
// their sms and email channels on the webhook plugin, posting to a loopback
// peer that reports each notification's idempotency key. The acceptance
// deadline of a report is seconds here, so each report fires two timers in
// real time: the deadline, which runs police_acceptance_overdue's first step
// (SMS), and that chain's second step (SMS and email).
//
// Node A starts first and takes every lease (both timer shards and the
// outbox). Teachers file reports on both nodes; once A has fired deadlines
// and sent their notifications it is SIGKILLed, while B goes on taking
// reports and A's teachers retry theirs on B under the same keys. B must
// take A's leases once their ttl has passed, fire every timer once and send
// every notification. It prints the acknowledged writes lost, the timers
// fired twice or missed, the notifications duplicated as new (a notification
// sent again under its own key after the kill is at-least-once delivery, and
// counted apart), the time from the kill to B's first firing, and how long
// B's writes stopped (they should not).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../plugins/peer.h"
#include "failover_support.h"
#include "shouhu/duration.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::Cluster;
using testing::kPolice;
using testing::Peer;
using testing::Reporters;
using testing::SteadyClock;

constexpr const char* kChain = "police_acceptance_overdue";

// The quick workflow with the report's acceptance deadline (the `immediate`
// service level of the reported state's acceptance_sla) at 6 s and its
// chain's second step 6 s after the first.
void ShortenAcceptance(const ApiDaemon& node) {
  const std::string path = node.dir() + "/workflows/mandatory_report.json";
  std::ifstream in(path);
  json w = json::parse(in);
  int patched = 0;
  for (auto& l : w["service_levels"]) {
    if (l["id"] == "immediate") l["within"] = "PT6S", ++patched;
  }
  for (auto& s : w["states"]) {
    if (s["id"] != w["initial_state"]) continue;
    for (auto& t : s["timers"]) {
      patched += t["id"] == "acceptance_sla" && t.value("escalate", "") == kChain;
    }
  }
  for (auto& e : w["escalations"]) {
    if (e["id"] == kChain) e["steps"][1]["after"] = "PT6S", ++patched;
  }
  EXPECT_EQ(patched, 3) << "the bundled mandatory_report.json changed shape";
  std::ofstream(path) << w.dump(1);
}

// Both nodes' configuration: the shared store with short leases; sms and
// email through the webhook plugin to the peer.
json NodeConfig(const std::string& dsn, const Peer& peer) {
  auto hook = [&](const std::string& path) {
    return json{{"plugin", "webhook"},
                {"config", {{"format", "shouhu"}, {"url", peer.url("http", path)}}}};
  };
  return {{"store",
           {{"kind", "postgres"},
            {"dsn", dsn},
            {"lease", {{"ttl", "PT3S"}, {"renew", "PT1S"}}}}},
          {"notifiers",
           {{"plugin_dir", BuildTree("/plugins")},
            {"channels",
             {{"sms", hook("/sms/{{recipient}}")}, {"email", hook("/mail/{{recipient}}")}}}}}};
}

// What the peer received, read on a thread of its own.
class PeerLog {
 public:
  explicit PeerLog(Peer& peer) : peer_(peer) {
    thread_ = std::thread([this] {
      for (json e = peer_.NextEvent(); e.is_object(); e = peer_.NextEvent()) {
        std::lock_guard<std::mutex> lock(mu_);
        events_.push_back(std::move(e));
      }
    });
  }
  ~PeerLog() { Stop(); }
  void Stop() {
    if (!thread_.joinable()) return;
    peer_.Signal(SIGKILL);
    thread_.join();
    peer_.Stop();
  }
  std::vector<json> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  // The idempotency keys of all of them.
  std::set<std::string> keys() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> out;
    for (const json& e : events_) out.insert(e.value("key", ""));
    return out;
  }
  // How many of them were a deadline's (the "overdue" template).
  size_t overdue() const {
    std::lock_guard<std::mutex> lock(mu_);
    return std::count_if(events_.begin(), events_.end(), [](const json& e) {
      json body = json::parse(e.value("body", ""), nullptr, false);
      return body.is_object() && body.value("template_id", "") == "overdue";
    });
  }

 private:
  Peer& peer_;
  mutable std::mutex mu_;
  std::vector<json> events_;
  std::thread thread_;
};

// A delivery's idempotency key, "<case>/<seq>/<n>/<user>/<channel>"
// (dispatch/expand.cc): <seq> is the escalation entry the notification is
// for. Its case and seq, or an empty case when it has another shape.
std::pair<std::string, uint64_t> KeyParts(const std::string& key) {
  size_t end = key.size();
  for (int i = 0; i < 3; ++i) {
    end = key.rfind('/', end - 1);
    if (end == std::string::npos || end == 0) return {"", 0};
  }
  const size_t seq_at = key.rfind('/', end - 1);
  if (seq_at == std::string::npos) return {"", 0};
  return {key.substr(0, seq_at), std::stoull(key.substr(seq_at + 1, end - seq_at - 1))};
}

// One case's history as far as the round goes.
struct CaseTally {
  int deadlines = 0;                // "timer" acceptance_sla entries
  std::map<int, int> steps;         // the chain's step -> its "escalation" entries
  std::set<uint64_t> notifying;     // the seqs of the opening and of those entries
  std::map<uint64_t, std::string> source;  // seq -> what the entry records
  std::vector<std::pair<Instant, Instant>> fired;  // (at, due) of the deadline
  std::vector<Instant> firings;     // when each timer or step fired
  std::map<std::string, std::string> deliveries;  // key -> last outcome
};

CaseTally Tally(const json& history) {
  CaseTally t;
  for (const json& h : history) {
    const std::string kind = h.value("kind", ""), name = h.value("name", "");
    const uint64_t seq = h.value("seq", uint64_t{0});
    t.source[seq] = kind + "/" + name;
    auto at = ParseInstant(h.value("at", ""));
    if (kind == "opened") {
      t.notifying.insert(seq);  // the report's own notification (new_report)
    } else if (kind == "timer" && name == "acceptance_sla") {
      ++t.deadlines;
      auto due = ParseInstant(h["data"].value("due", ""));
      if (at.ok() && due.ok()) t.fired.emplace_back(*at, *due);
    } else if (kind == "escalation" && name == kChain) {
      const int step = h["data"].value("step", -1);
      ++t.steps[step];
      t.notifying.insert(seq);
      t.source[seq] += "#" + std::to_string(step);
      // The first step runs in the deadline's own firing; the second is a
      // timer of its own.
      if (step == 1 && at.ok()) t.firings.push_back(*at);
    } else if (kind == "delivery") {
      t.deliveries[h["data"].value("idempotency_key", "")] = h["data"].value("outcome", "");
    }
  }
  for (const auto& [at, due] : t.fired) t.firings.push_back(at);
  return t;
}

// Done: the deadline and both steps fired, and the report's and each step's
// notifications recorded delivered and seen by the peer.
bool Done(const CaseTally& t, const std::set<std::string>& received) {
  if (t.deadlines == 0 || !t.steps.contains(0) || !t.steps.contains(1)) return false;
  std::set<uint64_t> notified;
  for (const auto& [key, outcome] : t.deliveries) {
    if (outcome != "delivered" || !received.contains(key)) return false;
    notified.insert(KeyParts(key).second);
  }
  for (uint64_t seq : t.notifying) {
    if (!notified.contains(seq)) return false;
  }
  return true;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A failed round's logs, kept for reading: each node's and the peer's output
// in a directory of their own (the nodes' own are removed with them).
void KeepOutputs(const std::vector<const ApiDaemon*>& nodes, const Peer& peer) {
  char tmpl[] = "/tmp/shouhu-failover-logs-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::ofstream(dir + "/node" + std::to_string(i) + ".log") << nodes[i]->output();
  }
  std::ofstream(dir + "/peer.log") << peer.output();
  std::printf("failover: the nodes' and the peer's output are in %s\n", dir.c_str());
}

TEST(Failover, ANodeDiesAndTheOtherFiresEveryTimerOnce) {
  Cluster cluster;
  const std::string dsn = cluster.Up();
  ASSERT_FALSE(dsn.empty());
  Peer peer("http_peer.py", {"--dedup"});
  ASSERT_TRUE(peer.started()) << peer.output();
  PeerLog sent(peer);

  const json config = NodeConfig(dsn, peer);
  ApiDaemon a(json{{"rate_per_second", 0}}, config);
  ApiDaemon b(json{{"rate_per_second", 0}}, config);
  ShortenAcceptance(a);
  ShortenAcceptance(b);
  // One data key seals the one store both nodes read.
  std::filesystem::copy_file(a.key_path(), b.key_path(),
                             std::filesystem::copy_options::overwrite_existing);
  a.Start();  // ready only once it has taken every lease it could: all of them
  a.KeepReading();
  b.Start();
  b.KeepReading();

  Reporters reporters({&a, &b});
  reporters.Start(8, std::chrono::milliseconds(250));
  // A has fired deadlines and sent their notifications under its leases.
  ASSERT_TRUE(reporters.WaitUntil([&](size_t acks) { return acks >= 100 && sent.overdue() >= 10; }))
      << "node A fired nothing";
  const Instant killed_at = std::chrono::floor<std::chrono::milliseconds>(
      std::chrono::system_clock::now());
  a.Kill();
  reporters.MarkKill();
  reporters.MarkDown(0);
  const size_t at_kill = reporters.acked().size();
  // Load goes on against B past the ttl and B's takeover.
  const auto load_until = SteadyClock::now() + std::chrono::seconds(10);
  ASSERT_TRUE(reporters.WaitUntil([&](size_t acks) {
    return acks >= at_kill + 100 && SteadyClock::now() >= load_until;
  })) << "writes on node B stopped";
  reporters.Stop();
  const auto acked = reporters.acked();
  const testing::Filed filed = testing::CheckFiled(b, acked);

  // Until every case's deadline and second step have fired and been
  // notified (12 s after the last report, and B's takeover), or 2 min.
  auto police = b.ClientFor(kPolice);
  std::map<std::string, json> histories;  // case id -> its history
  std::set<std::string> pending;
  for (const auto& [key, id] : acked) pending.insert(id);
  const auto give_up = SteadyClock::now() + std::chrono::minutes(2);
  while (true) {
    const std::set<std::string> received = sent.keys();
    for (auto it = pending.begin(); it != pending.end();) {
      json c = json::parse(police->Send("GET", "/api/v1/cases/" + *it).body, nullptr, false);
      if (c.is_object()) histories[*it] = c["history"];
      it = c.is_object() && Done(Tally(c["history"]), received) ? pending.erase(it) : ++it;
    }
    if (pending.empty() || SteadyClock::now() > give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }

  // Timers: each deadline and each second step fired once; takeover: the
  // first firing after the kill (every shard was A's).
  size_t firings = 0, twice = 0, missed = 0;
  Instant first_after = Instant::max();
  double late = 0;  // the latest deadline's delay after the kill
  std::map<std::string, CaseTally> tallies;
  for (const auto& [id, history] : histories) {
    CaseTally t = Tally(history);
    firings += t.deadlines + t.steps[1];
    twice += std::max(t.deadlines, 1) - 1 + std::max(t.steps[0], 1) - 1 +
             std::max(t.steps[1], 1) - 1;
    missed += (t.deadlines == 0) + (t.steps[0] == 0) + (t.steps[1] == 0);
    for (Instant at : t.firings) {
      if (at >= killed_at) first_after = std::min(first_after, at);
    }
    for (const auto& [at, due] : t.fired) {
      if (due >= killed_at) late = std::max(late, std::chrono::duration<double>(at - due).count());
    }
    tallies[id] = std::move(t);
  }
  missed += 3 * (acked.size() - histories.size());  // unreadable cases

  // Notifications (the report's own, and each escalation step's): one key
  // per (history entry, recipient, channel); the same key again is a
  // re-send, another key for the same one a duplicate.
  std::map<std::string, std::set<std::string>> keys_of;  // case/entry/user/channel -> keys
  size_t resent = 0, duplicated = 0, unsent = 0;
  for (const json& e : sent.events()) {
    const std::string key = e.value("key", "");
    if (!e.value("new", false)) {
      ++resent;
      continue;
    }
    auto [case_id, seq] = KeyParts(key);
    auto t = tallies.find(case_id);
    if (t == tallies.end() || !t->second.source.contains(seq)) {
      // For no firing the history holds.
      if (++duplicated <= 3) {
        ADD_FAILURE() << "a notification for no firing: " << key << "\n"
                      << histories[case_id].dump(1);
      }
      continue;
    }
    const std::string rest = key.substr(key.find('/', case_id.size() + 1) + 1);
    keys_of[case_id + "/" + t->second.source[seq] + "/" +
            rest.substr(rest.find('/') + 1)]
        .insert(key);
  }
  for (const auto& [what, keys] : keys_of) duplicated += keys.size() - 1;
  const std::set<std::string> received = sent.keys();
  for (const auto& [id, t] : tallies) {
    if (!Done(t, received) && ++unsent <= 3) {
      std::string missing;
      for (const auto& [key, outcome] : t.deliveries) {
        if (!received.contains(key)) missing += " " + key + " (" + outcome + ")";
      }
      ADD_FAILURE() << "not notified, or not yet: " << id << "; not received:" << missing
                    << "; killed at " << FormatInstant(killed_at) << "\n"
                    << histories[id].dump(1);
    }
  }

  b.Stop();
  sent.Stop();
  if (::testing::Test::HasFailure()) KeepOutputs({&a, &b}, peer);
  const double takeover = first_after == Instant::max()
                              ? -1
                              : std::chrono::duration<double>(first_after - killed_at).count();
  std::printf("failover: node A of 2 SIGKILLed; %zu report(s) acknowledged, %zu lost, %zu filed "
              "twice, %zu retried; %zu timer firing(s), %zu fired twice, %zu missed; "
              "%zu notification(s), %zu duplicated as new, %zu re-sent under their key, %zu "
              "case(s) not notified; B fired A's timers %.1f s after the kill (deadlines at "
              "most %.1f s late), B's writes stopped for %.1f s\n",
              acked.size(), filed.lost, filed.twice, reporters.retries(), firings, twice, missed,
              keys_of.size(), duplicated, resent, unsent, takeover, late,
              reporters.outage_seconds());
  // A held every lease until it died, and B took each of them after.
  for (const char* lease : {"timers/0-of-2", "timers/1-of-2", "outbox"}) {
    EXPECT_EQ(Count(a.output(), std::string("取得租约: ") + lease), 1u) << lease << "\n" << a.output();
    EXPECT_GE(Count(b.output(), std::string("取得租约: ") + lease), 1u) << lease;
  }
  EXPECT_EQ(Count(a.output(), "租约被其他节点取得"), 0u);
  EXPECT_EQ(filed.lost, 0u);
  EXPECT_EQ(filed.twice, 0u);
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(missed, 0u);
  EXPECT_EQ(duplicated, 0u);
  EXPECT_EQ(unsent, 0u);
  EXPECT_GE(takeover, 0) << "node B never fired a timer after the kill";
  EXPECT_TRUE(pending.empty()) << pending.size() << " case(s) unfinished after 2 min";
}

}  // namespace
}  // namespace shouhu
