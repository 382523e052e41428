// Online backups (在线备份): a checkpoint of the running store, checked
// before it counts (shouhu/backup.h), for holders of system.backup. Taking
// one reads every case, so it is audited like a read.
#include "api/api_service.h"
#include "api/errors.h"
#include "api/request_helpers.h"
#include "shouhu/backup.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

HttpResponse BackupOnly() {
  return ErrorResponse(403, kForbidden, "only system.backup takes and lists backups");
}

json BackupJson(const BackupInfo& b) {
  return {{"name", b.name},
          {"cases", b.check.cases},
          {"audit_records", b.check.audit_records},
          {"audit_head_seq", b.check.head_seq},
          {"audit_head_hash", b.check.head_hash},
          {"removed", b.removed}};
}

}  // namespace

void ApiService::AddBackupRoutes() {
  AddAuthed("POST", "/api/v1/backups", "backups.take",
            [this](const HttpRequest&, const RouteMatch&, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kSystemBackup)) return BackupOnly();
              auto taken = TakeBackup(deps_.store, options_.backup, deps_.clock.Now());
              if (!taken.ok()) return StatusResponse(taken.status());
              Status audited = deps_.runtime.RecordAccess({who.actor, "backup.take", "", ""});
              if (!audited.ok()) return StatusResponse(audited);
              return JsonResponse(201, BackupJson(*taken));
            });

  AddAuthed("GET", "/api/v1/backups", "backups.list",
            [this](const HttpRequest&, const RouteMatch&, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kSystemBackup)) return BackupOnly();
              json names = ListBackups(options_.backup.root);
              return JsonResponse(200, {{"backups", names}, {"keep", options_.backup.keep}});
            });
}

}  // namespace shouhu::api
