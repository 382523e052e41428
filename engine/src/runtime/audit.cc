// The audit trail of reads. Writes are audited by CaseChange::Render in the
// batch of the change itself.
#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

Status RuntimeImpl::RecordAccess(const Access& access) {
  nlohmann::json audit = {{"at", clock_.Now().time_since_epoch().count()},
                          {"actor", access.actor.user},
                          {"unit", access.actor.unit},
                          {"origin", access.actor.origin},
                          {"action", access.action},
                          {"case", access.case_id},
                          {"child", access.child_id}};
  return store_.Commit({Mutation::Put(codec::AuditKey(next_audit_.fetch_add(1) + 1),
                                      codec::EncodeJson(audit))});
}

}  // namespace shouhu
