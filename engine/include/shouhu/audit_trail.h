// AuditTrail: records reads of cases and children's files in the audit
// trail (audit.h). Writes are audited by the command that makes them, in
// its own batch.
//
// Thread safety: safe from many threads at once. Takes no lock of the
// runtime: each record is a chained append, numbered by the store.
#pragma once

#include <string>

#include "shouhu/actor.h"
#include "shouhu/status.h"

namespace shouhu {

// A read of a case or a child's file, for the audit trail.
struct Access {
  Actor actor;
  std::string action;    // "case.read", "case.list", "child.read", ...
  std::string case_id;   // "" when not about one case
  std::string child_id;  // "" when not about one child
  std::string file{};         // an evidence file stored or read ("att_…"), or ""
  std::string file_sha256{};  // its SHA-256, hex
};

class AuditTrail {
 public:
  virtual ~AuditTrail() = default;
  // Records a read (one synced audit record). kUnavailable when the store
  // cannot write; the caller then refuses the read.
  virtual Status RecordAccess(const Access& access) = 0;
};

}  // namespace shouhu
