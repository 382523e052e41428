// Reading and verifying the audit trail offline (shouhu/audit.h): the chain
// walk, and the cross-check that every case's newest change was audited.
#include <set>
#include <utility>
#include <vector>

#include "runtime/codec.h"
#include "shouhu/audit.h"

namespace shouhu {
namespace {

constexpr size_t kUnauditedShown = 10;

// "" when record anchor.seq exists with anchor.hash.
StatusOr<std::string> CheckAnchor(Store& store, const AuditAnchor& anchor) {
  const std::string noted = "the head noted earlier (record " +
                            std::to_string(anchor.seq) + ")";
  auto value = store.Get(ChainKey(codec::kAuditPrefix, anchor.seq));
  if (!value.ok()) {
    if (value.status().code() != StatusCode::kNotFound) return value.status();
    return noted + " is gone: records were removed from the end";
  }
  auto r = DecodeChainRecord(codec::kAuditPrefix,
                             ChainKey(codec::kAuditPrefix, anchor.seq), *value);
  if (!r.ok()) return noted + " is unreadable: " + r.status().message();
  if (HexOf(r->hash) != anchor.hash) {
    return noted + " has another hash now: the chain was rewritten";
  }
  return std::string();
}

}  // namespace

StatusOr<AuditReport> VerifyAuditLog(Store& store, const AuditAnchor* anchor) {
  AuditReport report;
  auto chain = VerifyChain(store, codec::kAuditPrefix);
  if (!chain.ok()) return chain.status();
  report.chain = std::move(*chain);
  if (anchor) {
    auto problem = CheckAnchor(store, *anchor);
    if (!problem.ok()) return problem.status();
    report.anchor_problem = std::move(*problem);
  }

  // The write records of the intact part of the chain, as (case, seq), and
  // the firing records they name.
  std::set<std::pair<std::string, uint64_t>, std::less<>> audited;
  struct Named {
    std::string case_id;
    uint64_t seq;
    std::string sha256;
  };
  std::vector<Named> firings;
  Status s = store.Scan(
      codec::kAuditPrefix, "", [&](std::string_view key, std::string_view value) {
        auto r = DecodeChainRecord(codec::kAuditPrefix, key, value);
        if (!r.ok() || r->seq > report.chain.intact) return false;
        auto a = codec::DecodeAudit(r->payload);
        if (!a.ok()) {
          report.unreadable_seq = r->seq;
          report.unreadable_problem = a.status().message();
          return false;
        }
        if (a->case_seq) audited.emplace(a->case_id, *a->case_seq);
        if (a->firing_seq) {
          firings.push_back({a->case_id, *a->firing_seq, std::move(a->firing_sha256)});
        }
        return true;
      });
  SHOUHU_RETURN_IF_ERROR(s);
  // Only meaningful over an intact chain: a broken one is reported as such.
  if (!report.chain.ok || report.unreadable_seq != 0) return report;

  // A firing record is outside the chain, which holds its digest: the
  // history and the notification read from it are as the chain saw them.
  for (const Named& f : firings) {
    ++report.firing_records_checked;
    auto value = store.Get(codec::HistoryKey(f.case_id, f.seq));
    std::string problem;
    if (!value.ok()) {
      if (value.status().code() != StatusCode::kNotFound) return value.status();
      problem = "missing";
    } else if (codec::FiringDigest(*value) != f.sha256) {
      problem = "changed since it was written (its digest is not the chain's)";
    }
    if (problem.empty()) continue;
    if (report.firing_mismatch_count++ == 0) {
      report.first_firing_mismatch =
          "case " + f.case_id + " seq " + std::to_string(f.seq) + ": " + problem;
    }
  }

  s = store.Scan(codec::kCasePrefix, "",
                 [&](std::string_view key, std::string_view value) {
                   auto c = codec::DecodeCase(value);
                   if (!c.ok()) {
                     if (report.unreadable_case_count++ == 0) {
                       report.first_unreadable_case =
                           std::string(key.substr(codec::kCasePrefix.size()));
                     }
                     return true;
                   }
                   ++report.cases_checked;
                   if (!audited.count({c->id, c->last_seq})) {
                     if (report.unaudited_cases.size() < kUnauditedShown) {
                       report.unaudited_cases.push_back(c->id);
                     }
                     ++report.unaudited_count;
                   }
                   return true;
                 });
  SHOUHU_RETURN_IF_ERROR(s);
  return report;
}

StatusOr<std::vector<AuditRecord>> ReadAuditLog(Store& store,
                                                const std::string& case_id,
                                                size_t limit) {
  std::vector<AuditRecord> out;
  Status error;
  Status s = store.Scan(
      codec::kAuditPrefix, "", [&](std::string_view key, std::string_view value) {
        auto r = DecodeChainRecord(codec::kAuditPrefix, key, value);
        if (!r.ok()) {
          error = r.status();
          return false;
        }
        auto a = codec::DecodeAudit(r->payload);
        if (!a.ok()) {
          error = Internal("audit record " + std::to_string(r->seq) + ": " +
                           a.status().message());
          return false;
        }
        if (!case_id.empty() && a->case_id != case_id) return true;
        a->seq = r->seq;
        a->hash = HexOf(r->hash);
        out.push_back(std::move(*a));
        return limit == 0 || out.size() < limit;
      });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(error);
  return out;
}

}  // namespace shouhu
