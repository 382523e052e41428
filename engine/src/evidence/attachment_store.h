// Evidence files (证据材料): photos, video and PDF that a report, an event or
// a note carries, uploaded in chunks that resume after a dropped connection
// (a phone in a village), checked by content, stripped of metadata, and kept
// in the store beside the cases (large values go to RocksDB's blob files), so
// they are sealed like every other value, copied by backups and checked by
// `audit verify`.
//
// An upload belongs to the user who began it: nobody else can see, continue
// or attach it. It becomes an attachment when its last byte arrives; a case
// refers to an attachment by id, and the case's history records its SHA-256
// (what the audit chain then seals). Who may download it is the case's
// business (attachment_routes.cc), not the store's.
//
// Keys (beside codec.h's areas):
//   f/u/<upload>               Upload (JSON)
//   f/p/<upload>/<index:be64>  one received chunk
//   f/a/<attachment>           Attachment (JSON)
//   f/b/<attachment>/<index:be64>  the stored bytes, in chunks
//
// Thread safety: safe from many threads; appends to one upload are taken one
// at a time (a second concurrent append is refused, not queued).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "evidence/file_kind.h"
#include "shouhu/clock.h"
#include "shouhu/mutex.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu::evidence {

// From the configuration's "attachments" object (daemon config).
struct AttachmentLimits {
  uint64_t max_image_bytes = 20ull << 20;
  uint64_t max_video_bytes = 100ull << 20;
  uint64_t max_document_bytes = 20ull << 20;
  size_t max_per_record = 10;                          // files on one report, event or note
  std::chrono::milliseconds upload_expiry = std::chrono::hours(48);  // unfinished uploads
  size_t chunk_bytes = 512 << 10;                      // at most this much per append

  uint64_t MaxBytes(FileKind kind) const;
};

struct Upload {
  std::string id;        // "upl_" + 32 hex: unguessable
  std::string uploader;  // user id
  std::string name;      // the file's name as given (for people, not trusted)
  FileKind kind = FileKind::kJpeg;  // what the name claims; the content must agree
  uint64_t size = 0;      // declared total bytes
  uint64_t received = 0;  // bytes stored so far (the offset to resume from)
  uint64_t chunks = 0;
  bool keep_metadata = false;
  Instant created_at;
};

struct Attachment {
  std::string id;  // "att_" + 24 hex
  std::string sha256;  // of the stored bytes, hex
  FileKind kind = FileKind::kJpeg;
  uint64_t size = 0;   // stored bytes
  std::string name;
  std::string uploader;
  bool metadata_kept = false;
  Instant created_at;
  uint64_t chunks = 0;
};

struct AppendResult {
  Upload upload;
  std::optional<Attachment> attachment;  // set by the append that completed it
};

struct AttachmentCheck {
  uint64_t checked = 0;
  std::vector<std::string> problems;  // "att_…: …", the first few
  uint64_t problem_count = 0;
  bool ok() const { return problem_count == 0; }
};

class AttachmentStore {
 public:
  // REQUIRES: store and clock outlive this.
  AttachmentStore(Store& store, const Clock& clock, AttachmentLimits limits);

  const AttachmentLimits& limits() const { return limits_; }

  // kInvalidArgument for a name whose extension is not an accepted kind, a
  // size of 0 or over the kind's limit (the message names the limit).
  StatusOr<Upload> Begin(const std::string& uploader, const std::string& name,
                         uint64_t size, bool keep_metadata);
  // kNotFound unless `uploader` began it (and it has not completed or expired).
  StatusOr<Upload> GetUpload(const std::string& id, const std::string& uploader);
  // Stores `bytes` at `offset`. kFailedPrecondition when offset is not the
  // upload's `received` (the caller resumes from there); kInvalidArgument
  // when the bytes pass the declared size or the chunk limit, or, on the
  // last chunk, when the content is not the kind the name claims or not
  // well-formed (the upload is then discarded); kUnavailable while another
  // append to it is running.
  StatusOr<AppendResult> Append(const std::string& id, const std::string& uploader,
                                uint64_t offset, std::string_view bytes);

  StatusOr<Attachment> Get(const std::string& id);
  // The stored bytes, checked against the recorded SHA-256 (kInternal when
  // they differ).
  StatusOr<std::string> Read(const std::string& id);

  // Every attachment's bytes against its SHA-256 (for `audit verify`).
  StatusOr<AttachmentCheck> VerifyAll();
  // Drops uploads begun longer than upload_expiry ago; returns how many.
  StatusOr<uint64_t> ExpireUploads();

 private:
  StatusOr<AppendResult> Complete(Upload upload, std::vector<std::string> part_keys,
                                  std::string content);
  StatusOr<std::string> ReadContent(const Attachment& a);

  Store& store_;
  const Clock& clock_;
  AttachmentLimits limits_;
  Mutex busy_mu_;
  std::set<std::string> busy_ SHOUHU_GUARDED_BY(busy_mu_);  // uploads with an append running
};

// JSON forms for the API and the case history.
nlohmann::json AttachmentJson(const Attachment& a);
nlohmann::json UploadJson(const Upload& u);

}  // namespace shouhu::evidence
