#include "runtime/timer_window.h"

#include "runtime/codec.h"

namespace shouhu {

TimerWindow::TimerWindow(Store& store, std::chrono::milliseconds horizon,
                         size_t cap)
    : store_(store),
      horizon_(horizon),
      cap_(cap),
      loaded_until_(Instant(std::chrono::milliseconds(
          std::numeric_limits<int64_t>::min() / 2))) {}

void TimerWindow::Add(const std::string& key) {
  MutexLock lock(mu_);
  if (codec::TimerKeyDue(key) < loaded_until_) keys_.insert(key);
}

Status TimerWindow::RefillLocked(Instant now) {
  Instant target = now + horizon_;
  if (loaded_until_ >= target || keys_.size() >= cap_) return Status::Ok();
  std::string start = codec::TimerKeyLowerBound(loaded_until_);
  std::string end = codec::TimerKeyLowerBound(target);
  Instant new_until = target;
  std::optional<Instant> last_due;
  Status s = store_.Scan(codec::kTimerPrefix, start,
                         [&](std::string_view key, std::string_view) {
                           mu_.AssertHeld();  // called within this scan
                           if (key >= end) return false;
                           Instant due = codec::TimerKeyDue(key);
                           // Stop at the cap, but never between two timers
                           // due at the same millisecond.
                           if (keys_.size() >= cap_ && last_due && due != *last_due) {
                             new_until = due;
                             return false;
                           }
                           keys_.emplace(key);
                           last_due = due;
                           return true;
                         });
  if (!s.ok()) return s;
  loaded_until_ = new_until;
  return Status::Ok();
}

Status TimerWindow::TakeDue(Instant now, size_t max,
                            std::vector<std::string>* out,
                            const KeyFilter& take) {
  MutexLock lock(mu_);
  if (keys_.empty() || codec::TimerKeyDue(*keys_.begin()) > now) {
    SHOUHU_RETURN_IF_ERROR(RefillLocked(now));
  }
  std::string bound = codec::TimerKeyLowerBound(now + std::chrono::milliseconds(1));
  auto it = keys_.begin();
  while (out->size() < max && it != keys_.end() && *it < bound) {
    if (take && !take(*it)) {  // another shard's: leave it for its thread
      ++it;
      continue;
    }
    auto next = std::next(it);
    out->push_back(std::move(keys_.extract(it).value()));
    it = next;
    if (keys_.empty()) {
      SHOUHU_RETURN_IF_ERROR(RefillLocked(now));
      it = keys_.begin();
    }
  }
  return Status::Ok();
}

StatusOr<std::optional<Instant>> TimerWindow::NextDue(Instant now,
                                                      const KeyFilter& take) {
  MutexLock lock(mu_);
  if (keys_.empty()) {
    Status s = RefillLocked(now);
    if (!s.ok()) return s;
  }
  for (const std::string& key : keys_) {
    if (!take || take(key)) return std::optional<Instant>(codec::TimerKeyDue(key));
  }
  return std::optional<Instant>();
}

void TimerWindow::Forget() {
  MutexLock lock(mu_);
  keys_.clear();
  loaded_until_ = Instant(std::chrono::milliseconds(std::numeric_limits<int64_t>::min() / 2));
}

size_t TimerWindow::size() const {
  MutexLock lock(mu_);
  return keys_.size();
}

}  // namespace shouhu
