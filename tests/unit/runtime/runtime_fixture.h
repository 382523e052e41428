// The runtime under test: a real RocksDB store in a fresh temporary directory
// (wrapped in a FaultInjectingStore), the catalog of mandatory_report v1 from
// workflows/versions/, and a FakeClock. Time only moves when a test advances
// it; timers fire only when a test calls FireDueTimers.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../support/assert_ok.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "../../support/test_paths.h"
#ifdef SHOUHU_TEST_ON_POSTGRES
#include "../../support/pg_cluster.h"
#include "store/pg_store.h"
#endif

// Asserts that a StatusOr / Status-returning call failed with `code`.
#define EXPECT_CODE(expr, want)                                   \
  do {                                                            \
    const ::shouhu::Status expect_code_status_ = (expr).status(); \
    EXPECT_EQ(expect_code_status_.code(), (want))                 \
        << #expr << ": " << expect_code_status_.ToString();       \
  } while (0)

namespace shouhu::runtime_test {

using json = nlohmann::json;
using namespace std::chrono_literals;

inline Instant At(std::string_view rfc3339) {
  StatusOr<Instant> at = ParseInstant(rfc3339);
  EXPECT_TRUE(at.ok()) << rfc3339 << ": " << at.status().ToString();
  return at.ok() ? *at : Instant{};
}

// An outbox entry's recipients written out as the tests spell them:
// [{"kind": "owner"}, {"kind": "role", "role": r, "up": n}, ...].
inline json RecipientsJson(const std::vector<Recipient>& recipients) {
  json out = json::array();
  for (const Recipient& r : recipients) {
    switch (r.kind) {
      case Recipient::Kind::kOwner: out.push_back({{"kind", "owner"}}); break;
      case Recipient::Kind::kReporter: out.push_back({{"kind", "reporter"}}); break;
      case Recipient::Kind::kRole:
        out.push_back({{"kind", "role"}, {"role", r.role}, {"up", r.up}});
        break;
    }
  }
  return out;
}

inline std::string SourcePath(const std::string& relative) {
  return SourceTree("/" + relative);
}

// A store key with its binary parts escaped, for failure messages.
inline std::string Printable(std::string_view key) {
  std::string out;
  for (unsigned char ch : key) {
    if (ch >= 0x20 && ch < 0x7f) {
      out.push_back(static_cast<char>(ch));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    }
  }
  return out;
}

// A fresh directory under /tmp, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/shouhu_runtime_test_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The users of the tests, one per role of mandatory_report.
inline Actor Reporter() { return {"teacher-li", "village-3", {"reporter"}, "test"}; }
inline Actor Officer() { return {"officer-wang", "station-1", {"police_officer"}, "test"}; }
inline Actor PoliceSupervisor() {
  return {"chief-liu", "station-1", {"police_supervisor"}, "test"};
}
inline Actor CaseWorker() {
  return {"worker-zhao", "town-a", {"township_case_worker"}, "test"};
}
inline Actor Director() { return {"director-chen", "village-3", {"child_director"}, "test"}; }
inline Actor TownshipSupervisor() {
  return {"deputy-sun", "town-a", {"township_supervisor"}, "test"};
}

// Valid data to open a mandatory report.
inline json Report(const std::string& category = "living_alone") {
  return {{"child_name", "小明"},
          {"category", category},
          {"reporter_kind", "mandated"},
          {"discovered_at", "2026-03-02T08:30:00+08:00"}};
}

// A FireEvent with every member spelled out.
inline FireEvent MakeFire(std::string request_id, Actor actor, std::string case_id,
                          std::string event, json data = json::object(),
                          std::optional<uint64_t> expected_seq = std::nullopt) {
  return {std::move(request_id), std::move(actor), std::move(case_id),
          std::move(event), std::move(data), expected_seq};
}

class RuntimeTest : public ::testing::Test {
 protected:
  // Monday 2 March 2026, 09:00 in Beijing: an ordinary working day.
  RuntimeTest() : clock_(At("2026-03-02T09:00:00+08:00")) {}

  void SetUp() override {
    // These tests pin mandatory_report v1 (the domain's newer versions are
    // covered by tests/scenario).
    catalog_ = LoadCatalog({SourcePath("workflows/versions/mandatory_report.v1.json"),
                            SourcePath("workflows/calendars")});
    OpenStore();
    StartRuntime();
  }
  void TearDown() override { Close(); }

  static Catalog LoadCatalog(const std::vector<std::string>& paths) {
    std::vector<DefinitionError> errors;
    Catalog catalog = Catalog::Load(paths, &errors);
    for (const DefinitionError& e : errors) ADD_FAILURE() << e.ToString();
    return catalog;
  }

  void OpenStore() {
#ifdef SHOUHU_TEST_ON_POSTGRES
    // runtime_pg_test: the same tests on the PostgreSQL store, on a
    // throw-away cluster that lives as long as the test.
    if (!pg_) {
      pg_ = std::make_unique<shouhu::testing::PgCluster>();
      ASSERT_TRUE(pg_->ok()) << pg_->error();
    }
    auto base = OpenPostgresStore(pg_->Dsn(), store_options_);
#else
    auto base = OpenRocksStore(dir_.Sub("db"), store_options_);
#endif
    ASSERT_TRUE(base.ok()) << base.status().ToString();
    store_ = std::make_unique<FaultInjectingStore>(std::move(base).value());
  }
  void StartRuntime() {
    rt_.reset();
    auto rt = Runtime::Create(*store_, catalog_, clock_, options_);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    rt_ = std::move(rt).value();
  }
  void Close() {
    rt_.reset();
    store_.reset();
  }
  // As after a restart: a new store handle and a new runtime on the same data.
  void Reopen() {
    Close();
    OpenStore();
    StartRuntime();
  }

  std::string NextRequestId() { return "req-" + std::to_string(++requests_); }

  // Opens a mandatory report; a refusal fails the test.
  std::string OpenReport(json data = Report(), const std::string& unit = "") {
    OpenCase cmd{NextRequestId(), Reporter(), "mandatory_report", unit,
                 std::move(data)};
    auto r = rt_->Open(cmd);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->case_id : "";
  }

  // Fires an event that must be accepted.
  CommandResult MustFire(const std::string& case_id, const std::string& event,
                         const Actor& actor, json data = json::object()) {
    auto r = rt_->Fire(MakeFire(NextRequestId(), actor, case_id, event, std::move(data)));
    EXPECT_TRUE(r.ok()) << event << ": " << r.status().ToString();
    return r.ok() ? *r : CommandResult{};
  }

  // Walks a case along the workflow's main path.
  void ToPoliceIntake(const std::string& id) {
    MustFire(id, "accept", Officer(), {{"case_kind", "administrative"}});
  }
  void ToEmergency(const std::string& id) {
    ToPoliceIntake(id);
    MustFire(id, "respond", Officer());
  }
  void ToAssessment(const std::string& id) {
    ToEmergency(id);
    MustFire(id, "notify_township", Officer(),
             {{"township_notified_at", "2026-03-02T10:00:00+08:00"}});
  }
  void ToMonitoring(const std::string& id) {
    ToAssessment(id);
    MustFire(id, "assess", CaseWorker(),
             {{"risk_level", "low"}, {"child_safe", true}, {"co_assessors", {"police"}}});
  }

  CaseRecord Case(const std::string& id) {
    auto c = rt_->GetCase(id);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : CaseRecord{};
  }
  std::vector<HistoryEntry> History(const std::string& id) {
    auto h = rt_->History(id);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? *h : std::vector<HistoryEntry>{};
  }
  std::vector<OutboxEntry> Outbox() {
    auto o = rt_->Outbox(100000);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : std::vector<OutboxEntry>{};
  }
  size_t Fire() {
    auto n = rt_->FireDueTimers();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : 0;
  }
  std::vector<std::string> Ids(const StatusOr<CaseList>& list) {
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    std::vector<std::string> ids;
    if (list.ok()) {
      for (const CaseRecord& c : list->cases) ids.push_back(c.id);
    }
    return ids;
  }
  // The first armed timer named `name` on the case, if any.
  std::optional<ArmedTimer> Timer(const std::string& id, const std::string& name) {
    for (const ArmedTimer& t : Case(id).timers) {
      if (t.name == name) return t;
    }
    return std::nullopt;
  }
  std::vector<std::string> TimerNames(const std::string& id) {
    std::vector<std::string> names;
    for (const ArmedTimer& t : Case(id).timers) names.push_back(t.name);
    return names;
  }

  // Every key and value in the store: equal dumps before and after a refused
  // command prove it wrote nothing at all.
  std::map<std::string, std::string> Dump() {
    std::map<std::string, std::string> all;
    Status s = store_->Scan("", "", [&](std::string_view k, std::string_view v) {
      all.emplace(k, v);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return all;
  }

  // What a refused command must leave as it was: the commit count and every
  // key and value in the store (so the case record and its history too).
  struct Snapshot {
    uint64_t commits = 0;
    std::map<std::string, std::string> dump;
  };
  Snapshot Snap() { return {store_->Stats().commits, Dump()}; }
  void ExpectNothingWritten(const Snapshot& before) {
    EXPECT_EQ(store_->Stats().commits, before.commits);
    std::map<std::string, std::string> now = Dump();
    if (now == before.dump) return;
    std::string diff;
    for (const auto& [k, v] : now) {
      auto it = before.dump.find(k);
      if (it == before.dump.end()) diff += "  added " + Printable(k) + "\n";
      else if (it->second != v) diff += "  changed " + Printable(k) + "\n";
    }
    for (const auto& [k, v] : before.dump) {
      if (!now.count(k)) diff += "  removed " + Printable(k) + "\n";
    }
    ADD_FAILURE() << "a refused command wrote to the store:\n" << diff;
  }

  TempDir dir_;
#ifdef SHOUHU_TEST_ON_POSTGRES
  std::unique_ptr<shouhu::testing::PgCluster> pg_;  // outlives the store
#endif
  FakeClock clock_;
  StoreOptions store_options_;
  RuntimeOptions options_;
  Catalog catalog_;
  std::unique_ptr<FaultInjectingStore> store_;
  std::unique_ptr<Runtime> rt_;
  int requests_ = 0;
};

}  // namespace shouhu::runtime_test
