// Retention (issue 12): idempotency records -- a request id, the command's
// fingerprint and its first answer -- are needed only as long as a client
// may retry; they are deleted after RuntimeOptions::request_retention.
#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

StatusOr<size_t> RuntimeImpl::ExpireRequests() {
  Instant now = clock_.Now();
  Instant cutoff = now - options_.request_retention;
  std::vector<Mutation> batch;
  size_t expired = 0;
  Status error = Status::Ok();
  constexpr size_t kBatch = 512;
  Status s = store_.Scan(
      codec::RequestKey(""), "", [&](std::string_view key, std::string_view value) {
        std::string fingerprint;
        std::optional<Instant> at;
        auto r = codec::DecodeResult(value, &fingerprint, &at);
        if (!r.ok()) {
          error = r.status();
          return false;
        }
        if (!at) {
          // Written before records carried their time: the clock starts now.
          batch.push_back(Mutation::Put(std::string(key),
                                        codec::EncodeResult(*r, fingerprint, now)));
        } else if (*at < cutoff) {
          // A retry this late is a new command.
          batch.push_back(Mutation::Delete(std::string(key)));
          ++expired;
        }
        if (batch.size() >= kBatch) {
          error = store_.Commit(std::move(batch));
          batch.clear();
          return error.ok();
        }
        return true;
      });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(error);
  if (!batch.empty()) SHOUHU_RETURN_IF_ERROR(store_.Commit(std::move(batch)));
  return expired;
}

}  // namespace shouhu
