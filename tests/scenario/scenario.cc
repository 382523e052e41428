// The scenario driver (scenario.h): a fresh runtime on a temporary RocksDB
// store, the real definitions and the real sample county.
#include "scenario/scenario.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include "../support/test_paths.h"

namespace shouhu::scenario {

Instant At(std::string_view rfc3339) {
  StatusOr<Instant> at = ParseInstant(rfc3339);
  EXPECT_TRUE(at.ok()) << rfc3339 << ": " << at.status().ToString();
  return at.ok() ? *at : Instant{};
}

namespace {

std::string Source(const std::string& relative) {
  return SourceTree("/" + relative);
}

Organisation LoadOrg() {
  auto org = Organisation::Load(Source("deploy/county/organisation.json"));
  EXPECT_TRUE(org.ok()) << org.status().ToString();
  return org.ok() ? std::move(*org) : Organisation();
}

}  // namespace

Scenario::Scenario()
    : clock_(At("2026-03-02T09:00:00+08:00")), org_(LoadOrg()) {
  std::string tmpl = "/tmp/shouhu_scenario_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  dir_ = tmpl;
  Deploy({"workflows"});
}

void Scenario::Deploy(const std::vector<std::string>& definitions) {
  rt_.reset();
  std::vector<std::string> paths;
  for (const std::string& d : definitions) paths.push_back(Source(d));
  std::vector<DefinitionError> errors;
  catalog_ = Catalog::Load(paths, &errors);
  for (const DefinitionError& e : errors) ADD_FAILURE() << e.ToString();
  Restart();
}

void Scenario::Restart() {
  rt_.reset();
  store_.reset();
  auto store = OpenRocksStore(dir_ + "/db", StoreOptions{});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return;
  store_ = std::move(store).value();
  RuntimeOptions options;
  options.unit_type = [this](std::string_view unit) {
    const Unit* u = org_.FindUnit(unit);
    return u ? u->type : std::string();
  };
  auto rt = Runtime::Create(*store_, catalog_, clock_, options);
  EXPECT_TRUE(rt.ok()) << rt.status().ToString();
  if (rt.ok()) rt_ = std::move(rt).value();
}

void NameEntrustedGuardian(Scenario& s, const std::string& case_id,
                           const std::string& officer) {
  std::string state = s.State(case_id);
  EXPECT_EQ(s.Fire(case_id, officer, "name_entrusted_guardian",
                   {{"guardian_name", "王舅舅"},
                    {"guardian_phone", "13900001111"},
                    {"guardian_relation", "舅舅"},
                    {"guardian_named_at", FormatInstant(s.Now())}}),
            state);
}

Scenario::~Scenario() {
  rt_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Actor Scenario::As(const std::string& user_id) const {
  const User* u = org_.FindUser(user_id);
  EXPECT_NE(u, nullptr) << "no user " << user_id << " in the sample county";
  if (!u) return {user_id, "", {}, "scenario"};
  return {u->id, u->unit, u->roles, "scenario"};
}

std::string Scenario::Open(const std::string& user, const std::string& workflow,
                           const json& data) {
  auto r = rt_->Open({NextRequest(), As(user), workflow, "", data});
  EXPECT_TRUE(r.ok()) << "open " << workflow << " as " << user << ": "
                      << r.status().ToString();
  if (!r.ok()) return "";
  cases_.push_back(r->case_id);
  return r->case_id;
}

void Scenario::OpenRefused(const std::string& user, const std::string& workflow,
                           const json& data, StatusCode code) {
  uint64_t commits = store_->Stats().commits;
  auto r = rt_->Open({NextRequest(), As(user), workflow, "", data});
  EXPECT_FALSE(r.ok()) << "open " << workflow << " as " << user
                       << " was accepted";
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_EQ(store_->Stats().commits, commits) << "a refused open wrote";
}

std::string Scenario::Fire(const std::string& case_id, const std::string& user,
                           const std::string& event, const json& data) {
  auto r = rt_->Fire({NextRequest(), As(user), case_id, event, data, std::nullopt});
  EXPECT_TRUE(r.ok()) << event << " as " << user << ": " << r.status().ToString();
  return r.ok() ? r->state : "";
}

void Scenario::Refused(const std::string& case_id, const std::string& user,
                       const std::string& event, const json& data,
                       StatusCode code) {
  CaseRecord before = Case(case_id);
  uint64_t commits = store_->Stats().commits;
  auto r = rt_->Fire({NextRequest(), As(user), case_id, event, data, std::nullopt});
  EXPECT_FALSE(r.ok()) << event << " as " << user << " was accepted";
  EXPECT_EQ(r.status().code(), code) << event << ": " << r.status().ToString();
  EXPECT_EQ(store_->Stats().commits, commits) << "a refused " << event << " wrote";
  CaseRecord after = Case(case_id);
  EXPECT_EQ(after.last_seq, before.last_seq);
  EXPECT_EQ(after.state, before.state);
  EXPECT_EQ(after.data, before.data);
}

void Scenario::Assign(const std::string& case_id, const std::string& by,
                      const std::string& owner) {
  auto r = rt_->Assign({NextRequest(), As(by), case_id, owner});
  EXPECT_TRUE(r.ok()) << "assign as " << by << ": " << r.status().ToString();
}

size_t Scenario::Advance(std::chrono::milliseconds d) {
  clock_.Advance(d);
  auto n = rt_->FireDueTimers();
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? *n : 0;
}

size_t Scenario::AdvanceTo(Instant at) {
  EXPECT_GE(at, clock_.Now()) << "time only moves forward";
  return Advance(at - clock_.Now());
}

CaseRecord Scenario::Case(const std::string& id) {
  auto c = rt_->GetCase(id);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : CaseRecord{};
}

std::optional<Instant> Scenario::TimerDue(const std::string& case_id,
                                          const std::string& name) {
  for (const ArmedTimer& t : Case(case_id).timers) {
    if (t.name == name) return t.due;
  }
  return std::nullopt;
}

std::vector<std::string> Scenario::TimerNames(const std::string& case_id) {
  std::vector<std::string> names;
  for (const ArmedTimer& t : Case(case_id).timers) names.push_back(t.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<HistoryEntry> Scenario::History(const std::string& id) {
  auto h = rt_->History(id);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? *h : std::vector<HistoryEntry>{};
}

std::vector<OutboxEntry> Scenario::TakeOutbox() {
  auto all = rt_->Outbox(1'000'000);
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  std::vector<OutboxEntry> fresh;
  if (!all.ok()) return fresh;
  for (OutboxEntry& e : *all) {
    if (e.id > outbox_seen_) fresh.push_back(std::move(e));
  }
  for (const OutboxEntry& e : fresh) outbox_seen_ = std::max(outbox_seen_, e.id);
  return fresh;
}

std::vector<std::string> Scenario::Recipients(const OutboxEntry& e) const {
  std::set<std::string> users;
  const NotificationContext& ctx = e.context;
  for (const Recipient& r : e.recipients) {
    if (r.kind == Recipient::Kind::kReporter) {
      users.insert(ctx.reporter);
      for (const std::string& j : ctx.joined_reporters) users.insert(j);
    } else if (r.kind == Recipient::Kind::kOwner) {
      std::string owner = !ctx.owner.empty() ? ctx.owner : ctx.previous_owner;
      std::string role = !ctx.owner_role.empty() ? ctx.owner_role : ctx.previous_owner_role;
      if (!owner.empty()) {
        users.insert(owner);
      } else {
        for (const User* u : org_.Resolve(ctx.unit, role, 0)) users.insert(u->id);
      }
    } else {
      for (const User* u : org_.Resolve(ctx.unit, r.role, r.up)) users.insert(u->id);
    }
  }
  return {users.begin(), users.end()};
}

OutboxEntry Scenario::ExpectNotice(const std::vector<OutboxEntry>& entries,
                                   const std::string& template_id,
                                   std::vector<std::string> users,
                                   std::vector<std::string> channels) {
  std::sort(users.begin(), users.end());
  std::vector<const OutboxEntry*> found;
  std::string seen;
  for (const OutboxEntry& e : entries) {
    seen += " " + e.template_id;
    if (e.template_id == template_id && Recipients(e) == users) found.push_back(&e);
  }
  EXPECT_EQ(found.size(), 1u) << "expected one \"" << template_id << "\" to "
                              << json(users).dump() << "; queued:" << seen;
  if (found.size() != 1) return {};
  EXPECT_EQ(found[0]->channels, channels) << template_id;
  return *found[0];
}

std::set<Step> Scenario::Steps() {
  std::set<Step> steps;
  for (const std::string& id : cases_) {
    CaseRecord c = Case(id);
    for (const HistoryEntry& h : History(id)) {
      if (h.kind == "opened") {
        steps.insert({c.workflow_id, c.workflow_version, "open", "", h.to_state});
      }
      if (h.kind == "event") {
        steps.insert({c.workflow_id, c.workflow_version, h.name, h.from_state, h.to_state});
      }
    }
  }
  return steps;
}

std::vector<std::pair<std::string, ScenarioFn>>& Registry() {
  static std::vector<std::pair<std::string, ScenarioFn>> all;
  return all;
}

bool Register(std::string name, ScenarioFn fn) {
  Registry().emplace_back(std::move(name), std::move(fn));
  return true;
}

}  // namespace shouhu::scenario
