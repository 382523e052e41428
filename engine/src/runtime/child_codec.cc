// The register's keys and records (codec.h): a child's identity, index
// terms, revisions, proposals and merges, roster imports, and the answers of
// register commands.
#include "runtime/codec.h"

#include "runtime/codec_util.h"

namespace shouhu::codec {

using json = nlohmann::json;

std::string ChildIdentityKey(std::string_view identity) {
  return "k/i/" + std::string(identity);
}

std::string ChildTermPrefix(std::string_view unit, std::string_view term) {
  std::string k(kChildTermArea);
  k.append(unit);
  k.push_back('\0');
  k.append(term);
  k.push_back('\0');
  return k;
}

std::string ChildTermKey(std::string_view unit, std::string_view term,
                         std::string_view child_id) {
  return ChildTermPrefix(unit, term) + std::string(child_id);
}

std::string RosterImportKey(std::string_view unit, std::string_view sha256) {
  std::string k = "k/j/" + std::string(unit);
  k.push_back('\0');
  return k + std::string(sha256);
}

std::string RosterMappingKey(std::string_view unit) { return "k/c/" + std::string(unit); }

std::string EncodeChildResult(const ChildCommandResult& r, std::string_view fingerprint,
                              Instant at) {
  CommandResult as_command;
  as_command.child_revision = r.revision;
  std::string out = EncodeResult(as_command, fingerprint, at);
  json j = json::parse(out.substr(1));
  j["child"] = r.child_id;
  return EncodeJson(j);
}

StatusOr<ChildCommandResult> DecodeChildResult(std::string_view value, std::string* fingerprint) {
  auto as_command = DecodeResult(value, fingerprint);
  if (!as_command.ok()) return as_command.status();
  auto j = DecodeJson(value, "request");
  if (!j.ok()) return j.status();
  ChildCommandResult r;
  r.child_id = j->value("child", "");
  r.revision = as_command->child_revision;
  r.replayed = true;
  return r;
}

std::string EncodeRosterImport(const RosterResult& r) {
  return EncodeJson({{"created", r.created}, {"updated", r.updated}, {"unchanged", r.unchanged}});
}

StatusOr<RosterResult> DecodeRosterImport(std::string_view value) {
  auto j = DecodeJson(value, "roster import");
  if (!j.ok()) return j.status();
  try {
    RosterResult r;
    r.created = j->at("created").get<size_t>();
    r.updated = j->at("updated").get<size_t>();
    r.unchanged = j->at("unchanged").get<size_t>();
    return r;
  } catch (const json::exception& e) {
    return Internal(std::string("roster import: corrupt record: ") + e.what());
  }
}

std::string EncodeRosterMapping(const std::map<std::string, std::string>& mapping) {
  return EncodeJson(mapping);
}

StatusOr<std::map<std::string, std::string>> DecodeRosterMapping(std::string_view value) {
  auto j = DecodeJson(value, "roster mapping");
  if (!j.ok()) return j.status();
  try {
    return j->get<std::map<std::string, std::string>>();
  } catch (const json::exception& e) {
    return Internal(std::string("roster mapping: corrupt record: ") + e.what());
  }
}

std::string ChildMergedKey(std::string_view child_id) {
  return "k/m/" + std::string(child_id);
}

std::string ChildRevisionPrefix(std::string_view child_id) {
  std::string k = "k/r/" + std::string(child_id);
  k.push_back('\0');
  return k;
}

std::string ChildRevisionKey(std::string_view child_id, Instant at,
                             std::string_view case_id, uint64_t case_seq) {
  std::string k = ChildRevisionPrefix(child_id);
  AppendBigEndian(&k, OrderedMillis(at));
  k.append(case_id);
  k.push_back('\0');
  AppendBigEndian(&k, case_seq);
  return k;
}

std::string ChildProposalPrefix(std::string_view child_id) {
  std::string k = "k/p/" + std::string(child_id);
  k.push_back('\0');
  return k;
}

std::string ChildProposalKey(std::string_view child_id, std::string_view case_id,
                             uint64_t case_seq) {
  std::string k = ChildProposalPrefix(child_id);
  k.append(case_id);
  k.push_back('\0');
  AppendBigEndian(&k, case_seq);
  return k;
}

std::string EncodeChildProposal(const ChildProposal& p) {
  return EncodeJson({{"id", p.id},
                     {"at", Ms(p.at)},
                     {"actor", p.actor},
                     {"case", p.case_id},
                     {"changes", p.changes}});
}

StatusOr<ChildProposal> DecodeChildProposal(std::string_view value) {
  auto j = DecodeJson(value, "child proposal");
  if (!j.ok()) return j.status();
  try {
    ChildProposal p;
    p.id = j->at("id").get<std::string>();
    p.at = FromMs(j->at("at").get<int64_t>());
    p.actor = j->at("actor").get<std::string>();
    p.case_id = j->at("case").get<std::string>();
    p.changes = j->at("changes");
    return p;
  } catch (const json::exception& e) {
    return Internal(std::string("child proposal: corrupt record: ") + e.what());
  }
}

std::string EncodeChildId(std::string_view child_id) {
  return EncodeJson({{"child", std::string(child_id)}});
}

StatusOr<std::string> DecodeChildId(std::string_view value) {
  auto j = DecodeJson(value, "child identity");
  if (!j.ok()) return j.status();
  auto it = j->find("child");
  if (it == j->end() || !it->is_string()) {
    return Internal("child identity: corrupt record");
  }
  return it->get<std::string>();
}

std::string EncodeChildRevision(const ChildRevision& r, std::string_view unit) {
  return EncodeJson({{"at", Ms(r.at)},
                     {"actor", r.actor},
                     {"case", r.case_id},
                     {"changes", r.changes},
                     {"linked_case", r.linked_case},
                     {"unit", std::string(unit)}});
}

StatusOr<ChildRevision> DecodeChildRevision(std::string_view value,
                                            std::string* unit) {
  auto j = DecodeJson(value, "child revision");
  if (!j.ok()) return j.status();
  try {
    ChildRevision r;
    r.at = FromMs(j->at("at").get<int64_t>());
    r.actor = j->at("actor").get<std::string>();
    r.case_id = j->at("case").get<std::string>();
    r.changes = j->at("changes");
    r.linked_case = j->at("linked_case").get<std::string>();
    if (unit) *unit = j->at("unit").get<std::string>();
    return r;
  } catch (const json::exception& e) {
    return Internal(std::string("child revision: corrupt record: ") + e.what());
  }
}

}  // namespace shouhu::codec
