// The audit trail of reads. Writes are audited by CaseChange::Render in the
// batch of the change itself; both append to the store's hash chain under
// "a/" (shouhu/audit.h).
#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

Status RuntimeImpl::RecordAccess(const Access& access) {
  return RecordAccessWithDetail(access, "");
}

Status RuntimeImpl::RecordAccessWithDetail(const Access& access, const std::string& detail) {
  AuditRecord audit;
  audit.at = clock_.Now();
  audit.user = access.actor.user;
  audit.unit = access.actor.unit;
  audit.origin = access.actor.origin;
  audit.action = access.action;
  audit.case_id = access.case_id;
  audit.child_id = access.child_id;
  audit.file = access.file;
  audit.file_sha256 = access.file_sha256;
  audit.detail = detail;
  return store_.Commit({Mutation::ChainedAppend(
      std::string(codec::kAuditPrefix), codec::EncodeAudit(audit))});
}

}  // namespace shouhu
