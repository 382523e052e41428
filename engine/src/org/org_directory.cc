// The organisation in the store (record layout in runtime/codec.h, "g/"):
// one record per unit and per user, in the file's order ("n"), and a
// version record; a change writes its record, the version and its audit
// record in one batch.
#include "shouhu/org_directory.h"

#include <algorithm>

#include "runtime/codec.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

// Sorted by "n", the order of the file and of additions (users notified
// in that order, lists shown in it).
Status ReadRecords(Store& store, std::string_view prefix, json* out) {
  std::vector<json> records;
  Status bad = Status::Ok();
  Status scanned = store.Scan(prefix, "", [&](std::string_view key, std::string_view value) {
    auto j = codec::DecodeOrgRecord(value);
    if (!j.ok()) {
      bad = Internal(std::string(key) + ": " + j.status().message());
      return false;
    }
    records.push_back(std::move(*j));
    return true;
  });
  SHOUHU_RETURN_IF_ERROR(scanned);
  SHOUHU_RETURN_IF_ERROR(bad);
  std::stable_sort(records.begin(), records.end(), [](const json& a, const json& b) {
    return a.value("n", uint64_t{0}) < b.value("n", uint64_t{0});
  });
  *out = json::array();
  for (json& r : records) {
    r.erase("n");
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

json Numbered(json record, size_t n) {
  record["n"] = n;
  return record;
}

json VersionRecord(uint64_t version, const std::string& time_zone, const std::string& seed,
                   Instant at) {
  return {{"version", version},
          {"time_zone", time_zone},
          {"seeded_from", seed},
          {"at", std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch())
                     .count()}};
}

Mutation AuditOf(const Actor& by, std::string action, Instant at) {
  AuditRecord a;
  a.at = at;
  a.user = by.user;
  a.unit = by.unit;
  a.origin = by.origin;
  a.action = std::move(action);
  return Mutation::ChainedAppend(std::string(codec::kAuditPrefix), codec::EncodeAudit(a));
}

}  // namespace

OrganisationDirectory::OrganisationDirectory(Organisation org)
    : current_(std::make_shared<const Organisation>(std::move(org))) {}

StatusOr<std::unique_ptr<OrganisationDirectory>> OrganisationDirectory::Open(
    Store& store, const Clock& clock, const Organisation& seed, Options options) {
  std::unique_ptr<OrganisationDirectory> d(new OrganisationDirectory());
  d->store_ = &store;
  d->clock_ = &clock;
  d->options_ = std::move(options);
  auto version = store.Get(codec::kOrgVersionKey);
  if (!version.ok() && version.status().code() != StatusCode::kNotFound) {
    return version.status();
  }
  if (!version.ok()) {
    // First start: the file seeds the store, once.
    json doc = seed.ToJson();
    std::vector<Mutation> batch;
    for (size_t i = 0; i < doc["units"].size(); ++i) {
      const json& u = doc["units"][i];
      batch.push_back(Mutation::Put(codec::OrgUnitKey(u.value("id", "")),
                                    codec::EncodeJson(Numbered(u, i))));
    }
    for (size_t i = 0; i < doc["users"].size(); ++i) {
      const json& u = doc["users"][i];
      batch.push_back(Mutation::Put(codec::OrgUserKey(u.value("id", "")),
                                    codec::EncodeJson(Numbered(u, i))));
    }
    Instant now = clock.Now();
    batch.push_back(Mutation::Put(
        std::string(codec::kOrgVersionKey),
        codec::EncodeJson(VersionRecord(1, seed.time_zone(), d->options_.seed_source, now))));
    batch.push_back(AuditOf({"system", "", {}, "start"}, "org.seed", now));
    SHOUHU_RETURN_IF_ERROR(store.Commit(std::move(batch)));
    {
      MutexLock lock(d->mu_);
      d->current_ = std::make_shared<const Organisation>(seed);
      d->version_ = 1;
    }
    d->seeded_ = true;
    return d;
  }
  auto meta = codec::DecodeOrgRecord(*version);
  if (!meta.ok()) return meta.status();
  json doc = {{"time_zone", meta->value("time_zone", "Asia/Shanghai")}};
  SHOUHU_RETURN_IF_ERROR(ReadRecords(store, codec::kOrgUnitPrefix, &doc["units"]));
  SHOUHU_RETURN_IF_ERROR(ReadRecords(store, codec::kOrgUserPrefix, &doc["users"]));
  auto org = Organisation::Parse(doc, "the organisation in the store");
  if (!org.ok()) return Internal(org.status().message());
  MutexLock lock(d->mu_);
  d->current_ = std::make_shared<const Organisation>(std::move(*org));
  d->version_ = meta->value("version", uint64_t{1});
  return d;
}

std::shared_ptr<const Organisation> OrganisationDirectory::Current() const {
  MutexLock lock(mu_);
  return current_;
}

uint64_t OrganisationDirectory::version() const {
  MutexLock lock(mu_);
  return version_;
}

StatusOr<OrgChangeResult> OrganisationDirectory::ChangeUnit(const Actor& by,
                                                            const UnitChange& change,
                                                            size_t open_cases) {
  if (!store_) return FailedPrecondition("the organisation is fixed here / 组织架构不可修改");
  MutexLock lock(change_mu_);
  auto org = Current();
  auto doc = CheckUnitChange(*org, change, open_cases);
  if (!doc.ok()) return doc.status();
  const Unit* before = org->FindUnit(change.id);
  std::string verb = change.create                            ? "add"
                     : change.active == false && before->active ? "deactivate"
                     : change.active == true && !before->active ? "activate"
                     : change.parent && *change.parent != before->parent ? "move"
                                                                         : "set";
  return Commit(by, std::move(*doc), true, change.id, "org.unit." + verb + ":" + change.id);
}

StatusOr<OrgChangeResult> OrganisationDirectory::ChangeUser(const Actor& by,
                                                            const UserChange& change) {
  if (!store_) return FailedPrecondition("the organisation is fixed here / 组织架构不可修改");
  MutexLock lock(change_mu_);
  auto org = Current();
  auto doc = CheckUserChange(*org, change, options_.roles);
  if (!doc.ok()) return doc.status();
  const User* before = org->FindUser(change.id);
  std::string verb = change.create                            ? "add"
                     : change.active == false && before->active ? "deactivate"
                     : change.active == true && !before->active ? "activate"
                                                                : "set";
  return Commit(by, std::move(*doc), false, change.id, "org.user." + verb + ":" + change.id);
}

StatusOr<OrgChangeResult> OrganisationDirectory::Commit(const Actor& by, json doc, bool unit,
                                                        const std::string& id,
                                                        std::string action) {
  auto next = Organisation::Parse(doc, "organisation");
  if (!next.ok()) return next.status();
  const json& list = doc[unit ? "units" : "users"];
  size_t index = 0;
  while (index < list.size() && list[index].value("id", "") != id) ++index;
  Instant now = clock_->Now();
  uint64_t version = this->version() + 1;
  std::vector<Mutation> batch;
  batch.push_back(Mutation::Put(unit ? codec::OrgUnitKey(id) : codec::OrgUserKey(id),
                                codec::EncodeJson(Numbered(list[index], index))));
  batch.push_back(Mutation::Put(
      std::string(codec::kOrgVersionKey),
      codec::EncodeJson(VersionRecord(version, next->time_zone(), options_.seed_source, now))));
  batch.push_back(AuditOf(by, action, now));
  SHOUHU_RETURN_IF_ERROR(store_->Commit(std::move(batch)));
  auto published = std::make_shared<const Organisation>(std::move(*next));
  {
    MutexLock lock(mu_);
    current_ = published;
    version_ = version;
  }
  return OrgChangeResult{std::move(published), version, std::move(action)};
}

}  // namespace shouhu
