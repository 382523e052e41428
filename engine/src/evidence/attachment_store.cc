#include "evidence/attachment_store.h"

#include <nlohmann/json.hpp>

#include "auth/locked_file.h"
#include "evidence/strip_metadata.h"
#include "shouhu/json_parse.h"

namespace shouhu::evidence {
namespace {

using nlohmann::json;

constexpr char kFormat = '\x01';
constexpr std::string_view kUploadPrefix = "f/u/";
constexpr std::string_view kPartPrefix = "f/p/";
constexpr std::string_view kAttachmentPrefix = "f/a/";
constexpr std::string_view kBytesPrefix = "f/b/";

std::string BigEndian(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return s;
}

std::string UploadKey(std::string_view id) { return std::string(kUploadPrefix) + std::string(id); }
std::string PartPrefix(std::string_view id) {
  return std::string(kPartPrefix) + std::string(id) + "/";
}
std::string AttachmentKey(std::string_view id) {
  return std::string(kAttachmentPrefix) + std::string(id);
}
std::string BytesPrefix(std::string_view id) {
  return std::string(kBytesPrefix) + std::string(id) + "/";
}

int64_t Millis(Instant at) { return at.time_since_epoch().count(); }
Instant FromMillis(int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

// Ids name only [a-z0-9_]: they go into keys and URLs.
bool WellFormedId(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() || id.substr(0, prefix.size()) != prefix || id.size() > 64) {
    return false;
  }
  for (char c : id.substr(prefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string EncodeUpload(const Upload& u) {
  json j = {{"uploader", u.uploader}, {"name", u.name},
            {"kind", KindName(u.kind)}, {"size", u.size},
            {"received", u.received}, {"chunks", u.chunks},
            {"keep_metadata", u.keep_metadata}, {"created_at", Millis(u.created_at)}};
  return kFormat + j.dump();
}

// A stored record's JSON and its file kind (both records carry one).
StatusOr<std::pair<json, FileKind>> DecodeRecord(std::string_view what, std::string_view id,
                                                 std::string_view value) {
  const std::string name = std::string(what) + " " + std::string(id);
  if (value.empty() || value[0] != kFormat) return Internal(name + ": unknown format");
  json j = ParseJsonOrDiscarded(value.substr(1), 8);
  auto kind = j.is_object() ? KindFromName(j.value("kind", "")) : std::nullopt;
  if (!kind) return Internal(name + ": unreadable");
  return std::make_pair(std::move(j), *kind);
}

StatusOr<Upload> DecodeUpload(std::string_view id, std::string_view value) {
  auto record = DecodeRecord("upload", id, value);
  if (!record.ok()) return record.status();
  const auto& [j, kind] = *record;
  Upload u;
  u.id = std::string(id);
  u.uploader = j.value("uploader", "");
  u.name = j.value("name", "");
  u.kind = kind;
  u.size = j.value("size", uint64_t{0});
  u.received = j.value("received", uint64_t{0});
  u.chunks = j.value("chunks", uint64_t{0});
  u.keep_metadata = j.value("keep_metadata", false);
  u.created_at = FromMillis(j.value("created_at", int64_t{0}));
  return u;
}

std::string EncodeAttachment(const Attachment& a) {
  json j = {{"sha256", a.sha256}, {"kind", KindName(a.kind)}, {"size", a.size},
            {"name", a.name}, {"uploader", a.uploader}, {"metadata_kept", a.metadata_kept},
            {"created_at", Millis(a.created_at)}, {"chunks", a.chunks}};
  return kFormat + j.dump();
}

StatusOr<Attachment> DecodeAttachment(std::string_view id, std::string_view value) {
  auto record = DecodeRecord("attachment", id, value);
  if (!record.ok()) return record.status();
  const auto& [j, kind] = *record;
  Attachment a;
  a.id = std::string(id);
  a.sha256 = j.value("sha256", "");
  a.kind = kind;
  a.size = j.value("size", uint64_t{0});
  a.name = j.value("name", "");
  a.uploader = j.value("uploader", "");
  a.metadata_kept = j.value("metadata_kept", false);
  a.created_at = FromMillis(j.value("created_at", int64_t{0}));
  a.chunks = j.value("chunks", uint64_t{0});
  return a;
}

// The values under `prefix`, in key order, with their keys.
Status ScanAll(Store& store, std::string_view prefix, std::vector<std::string>* keys,
               std::string* joined) {
  return store.Scan(prefix, "", [&](std::string_view key, std::string_view value) {
    if (keys) keys->emplace_back(key);
    joined->append(value);
    return true;
  });
}

std::string LimitText(uint64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

uint64_t AttachmentLimits::MaxBytes(FileKind kind) const {
  const std::string_view c = KindClass(kind);
  if (c == "image") return max_image_bytes;
  if (c == "video") return max_video_bytes;
  return max_document_bytes;
}

AttachmentStore::AttachmentStore(Store& store, const Clock& clock, AttachmentLimits limits)
    : store_(store), clock_(clock), limits_(limits) {}

StatusOr<Upload> AttachmentStore::Begin(const std::string& uploader, const std::string& name,
                                        uint64_t size, bool keep_metadata) {
  auto kind = KindOfName(name);
  if (!kind) {
    return InvalidArgument("file \"" + name +
                           "\": only photos (.jpg, .png, .heic), video (.mp4) and PDF are "
                           "accepted / 只接受照片、视频和PDF");
  }
  if (name.size() > 200) return InvalidArgument("the file name is longer than 200 bytes");
  if (size == 0) return InvalidArgument("file \"" + name + "\" is empty");
  if (size > limits_.MaxBytes(*kind)) {
    return InvalidArgument("file \"" + name + "\" is larger than the " +
                           std::string(KindClass(*kind)) + " limit of " +
                           LimitText(limits_.MaxBytes(*kind)) + " / 文件超过大小上限");
  }
  auto random = RandomHex(16);
  if (!random.ok()) return random.status();
  Upload u;
  u.id = "upl_" + *random;
  u.uploader = uploader;
  u.name = name;
  u.kind = *kind;
  u.size = size;
  u.keep_metadata = keep_metadata;
  u.created_at = clock_.Now();
  Status s = store_.Commit({Mutation::Put(UploadKey(u.id), EncodeUpload(u))});
  if (!s.ok()) return s;
  return u;
}

StatusOr<Upload> AttachmentStore::GetUpload(const std::string& id, const std::string& uploader) {
  const Status missing = NotFound("no upload " + id);
  if (!WellFormedId(id, "upl_")) return missing;
  auto value = store_.Get(UploadKey(id));
  if (!value.ok()) return value.status().code() == StatusCode::kNotFound ? missing : value.status();
  auto u = DecodeUpload(id, *value);
  if (!u.ok()) return u.status();
  // Another user's upload, or one past its expiry, answers as a missing one.
  if (u->uploader != uploader || clock_.Now() - u->created_at > limits_.upload_expiry) {
    return missing;
  }
  return u;
}

StatusOr<AppendResult> AttachmentStore::Append(const std::string& id,
                                               const std::string& uploader, uint64_t offset,
                                               std::string_view bytes) {
  {
    MutexLock lock(busy_mu_);
    if (!busy_.insert(id).second) {
      return Unavailable("upload " + id + " is receiving another chunk; retry");
    }
  }
  struct Release {
    AttachmentStore* self;
    const std::string& id;
    ~Release() {
      MutexLock lock(self->busy_mu_);
      self->busy_.erase(id);
    }
  } release{this, id};

  auto u = GetUpload(id, uploader);
  if (!u.ok()) return u.status();
  if (offset != u->received) {
    return FailedPrecondition("upload " + id + " has " + std::to_string(u->received) +
                              " bytes; send from offset " + std::to_string(u->received));
  }
  if (bytes.empty()) return InvalidArgument("an empty chunk");
  if (bytes.size() > limits_.chunk_bytes) {
    return InvalidArgument("a chunk is at most " + std::to_string(limits_.chunk_bytes) + " bytes");
  }
  if (bytes.size() > u->size - u->received) {
    return InvalidArgument("the chunk passes the declared size of " + std::to_string(u->size) +
                           " bytes");
  }
  Upload next = *u;
  next.received += bytes.size();
  next.chunks += 1;
  const std::string part = PartPrefix(id) + BigEndian(u->chunks);
  if (next.received < next.size) {
    Status s = store_.Commit({Mutation::Put(part, std::string(bytes)),
                              Mutation::Put(UploadKey(id), EncodeUpload(next))});
    if (!s.ok()) return s;
    return AppendResult{std::move(next), std::nullopt};
  }
  // The last chunk: assemble with the stored ones and turn it into an
  // attachment, in one commit.
  std::vector<std::string> part_keys;
  std::string content;
  content.reserve(next.size);
  Status s = ScanAll(store_, PartPrefix(id), &part_keys, &content);
  if (!s.ok()) return s;
  if (content.size() + bytes.size() != next.size) {
    return Internal("upload " + id + ": stored chunks do not add up to its received size");
  }
  content.append(bytes);
  return Complete(std::move(next), std::move(part_keys), std::move(content));
}

StatusOr<AppendResult> AttachmentStore::Complete(Upload u, std::vector<std::string> part_keys,
                                                 std::string content) {
  std::vector<Mutation> discard;
  discard.push_back(Mutation::Delete(UploadKey(u.id)));
  for (auto& k : part_keys) discard.push_back(Mutation::Delete(k));

  auto refuse = [&](Status why) -> StatusOr<AppendResult> {
    Status s = store_.Commit(std::move(discard));
    if (!s.ok()) return s;
    return why;
  };
  auto sniffed = SniffKind(std::string_view(content).substr(0, 32));
  if (!sniffed || *sniffed != u.kind) {
    return refuse(InvalidArgument(
        "file \"" + u.name + "\" is not the " + std::string(KindName(u.kind)) +
        " file its name says: its content is " +
        (sniffed ? std::string(KindName(*sniffed)) : std::string("of no accepted kind")) +
        " / 文件内容与类型不符"));
  }
  StatusOr<std::string> stored = std::string();
  if (u.keep_metadata) {
    Status check = CheckStructure(u.kind, content);
    if (!check.ok()) return refuse(check);
    stored = std::move(content);
  } else {
    stored = StripMetadata(u.kind, std::move(content));
    if (!stored.ok()) return refuse(stored.status());
  }
  auto random = RandomHex(12);
  if (!random.ok()) return random.status();
  Attachment a;
  a.id = "att_" + *random;
  a.sha256 = Sha256Hex(*stored);
  a.kind = u.kind;
  a.size = stored->size();
  a.name = u.name;
  a.uploader = u.uploader;
  a.metadata_kept = u.keep_metadata;
  a.created_at = clock_.Now();
  std::vector<Mutation> batch = std::move(discard);
  for (uint64_t at = 0; at < a.size; at += limits_.chunk_bytes, ++a.chunks) {
    batch.push_back(Mutation::Put(BytesPrefix(a.id) + BigEndian(a.chunks),
                                  stored->substr(at, limits_.chunk_bytes)));
  }
  batch.push_back(Mutation::Put(AttachmentKey(a.id), EncodeAttachment(a)));
  Status s = store_.Commit(std::move(batch));
  if (!s.ok()) return s;
  u.received = u.size;
  return AppendResult{std::move(u), std::move(a)};
}

StatusOr<Attachment> AttachmentStore::Get(const std::string& id) {
  const Status missing = NotFound("no attachment " + id);
  if (!WellFormedId(id, "att_")) return missing;
  auto value = store_.Get(AttachmentKey(id));
  if (!value.ok()) return value.status().code() == StatusCode::kNotFound ? missing : value.status();
  return DecodeAttachment(id, *value);
}

StatusOr<std::string> AttachmentStore::ReadContent(const Attachment& a) {
  std::string content;
  content.reserve(a.size);
  Status s = ScanAll(store_, BytesPrefix(a.id), nullptr, &content);
  if (!s.ok()) return s;
  if (content.size() != a.size || Sha256Hex(content) != a.sha256) {
    return Internal("attachment " + a.id + ": stored bytes do not match its SHA-256");
  }
  return content;
}

StatusOr<std::string> AttachmentStore::Read(const std::string& id) {
  auto a = Get(id);
  if (!a.ok()) return a.status();
  return ReadContent(*a);
}

StatusOr<AttachmentCheck> AttachmentStore::VerifyAll() {
  std::vector<std::pair<std::string, std::string>> all;
  Status s = store_.Scan(kAttachmentPrefix, "", [&](std::string_view key, std::string_view value) {
    all.emplace_back(key.substr(kAttachmentPrefix.size()), value);
    return true;
  });
  if (!s.ok()) return s;
  AttachmentCheck check;
  for (auto& [id, value] : all) {
    ++check.checked;
    auto a = DecodeAttachment(id, value);
    Status problem = a.ok() ? ReadContent(*a).status() : a.status();
    if (problem.ok()) continue;
    if (problem.code() == StatusCode::kUnavailable) return problem;
    ++check.problem_count;
    if (check.problems.size() < 10) check.problems.push_back(problem.message());
  }
  return check;
}

StatusOr<uint64_t> AttachmentStore::ExpireUploads() {
  std::vector<std::string> expired;
  const Instant now = clock_.Now();
  Status s = store_.Scan(kUploadPrefix, "", [&](std::string_view key, std::string_view value) {
    std::string_view id = key.substr(kUploadPrefix.size());
    auto u = DecodeUpload(id, value);
    if (!u.ok() || now - u->created_at > limits_.upload_expiry) expired.emplace_back(id);
    return true;
  });
  if (!s.ok()) return s;
  for (const std::string& id : expired) {
    std::vector<Mutation> batch{Mutation::Delete(UploadKey(id))};
    s = store_.Scan(PartPrefix(id), "", [&](std::string_view key, std::string_view) {
      batch.push_back(Mutation::Delete(std::string(key)));
      return true;
    });
    if (!s.ok()) return s;
    s = store_.Commit(std::move(batch));
    if (!s.ok()) return s;
  }
  return expired.size();
}

nlohmann::json AttachmentJson(const Attachment& a) {
  return {{"id", a.id}, {"sha256", a.sha256}, {"kind", KindName(a.kind)},
          {"media_type", MediaType(a.kind)}, {"size", a.size}, {"name", a.name}};
}

nlohmann::json UploadJson(const Upload& u) {
  return {{"id", u.id}, {"name", u.name}, {"kind", KindName(u.kind)}, {"size", u.size},
          {"received", u.received}};
}

}  // namespace shouhu::evidence
