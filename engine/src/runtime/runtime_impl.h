// The Runtime implementation: one object that is every narrow service of
// shouhu/runtime.h, the register and the report index, split by idea across
// command_pipeline.cc (the steps every command takes), commands.cc (open,
// fire, note, assign, proposals), event_rules.cc, timers.cc, queries.cc,
// deliveries.cc, children.cc and child_register.cc, and the rest. Its locks
// and their order are below, by the members they are.
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <semaphore>
#include <set>
#include <utility>

#include "runtime/case_change.h"
#include "shouhu/mutex.h"
#include "runtime/timer_window.h"
#include "shouhu/async_commands.h"
#include "shouhu/child_register.h"
#include "shouhu/reports.h"
#include "shouhu/runtime.h"

namespace shouhu {

// A lock that another thread may release (BasicLockable): the case and
// request-id locks of a command that commits asynchronously are released by
// its commit's callback, on the store's committer thread. A std::mutex must
// be released by the thread that took it.
//
// A capability for clang's -Wthread-safety, so that taking one twice on one
// path, or releasing one not taken, is an error. A lock handed over to a
// commit's callback leaves the analysis there (HandOver), and is released
// by the callback (TakeOver, then unlock).
class SHOUHU_CAPABILITY("mutex") HandoffMutex {
 public:
  void lock() SHOUHU_ACQUIRE() { sem_.acquire(); }
  bool try_lock() SHOUHU_TRY_ACQUIRE(true) { return sem_.try_acquire(); }
  void unlock() SHOUHU_RELEASE() { sem_.release(); }
  // Tells the analysis this thread no longer holds it (another will release
  // it), or that this thread now holds one taken elsewhere.
  void HandOver() SHOUHU_RELEASE() SHOUHU_NO_THREAD_SAFETY_ANALYSIS {}
  void TakeOver() SHOUHU_ACQUIRE() SHOUHU_NO_THREAD_SAFETY_ANALYSIS {}

 private:
  std::binary_semaphore sem_{1};
};

// Holds a HandoffMutex for its scope, or until it is handed over to the
// callback that will release it.
class SHOUHU_SCOPED_CAPABILITY HandoffLock {
 public:
  explicit HandoffLock(HandoffMutex& mu) SHOUHU_ACQUIRE(mu) : mu_(&mu) { mu.lock(); }
  ~HandoffLock() SHOUHU_RELEASE() {
    if (mu_) mu_->unlock();
  }
  HandoffLock(const HandoffLock&) = delete;
  HandoffLock& operator=(const HandoffLock&) = delete;
  // The mutex, still locked, for a callback to release (TakeOver, unlock).
  [[nodiscard]] HandoffMutex* HandOver() SHOUHU_RELEASE() {
    mu_->HandOver();
    return std::exchange(mu_, nullptr);
  }

 private:
  HandoffMutex* mu_;
};

class RuntimeImpl : public Runtime,
                    public ChildRegister,
                    public ReportIndex,
                    public AsyncCommands {
 public:
  RuntimeImpl(Store& store, const Catalog& catalog, const Clock& clock,
              RuntimeOptions options);
  // Recovers the id counters from the store.
  Status Init();

  StatusOr<CommandResult> Open(const OpenCase& cmd) override;
  StatusOr<CommandResult> Fire(const FireEvent& cmd) override;
  StatusOr<CommandResult> Note(const AddNote& cmd) override;
  StatusOr<CommandResult> Assign(const AssignOwner& cmd) override;
  void FireAsync(const FireEvent& cmd, Done done) override;
  void NoteAsync(const AddNote& cmd, Done done) override;
  void AssignAsync(const AssignOwner& cmd, Done done) override;

  StatusOr<size_t> FireDueTimers(TimerShard shard = {}) override;
  std::optional<Instant> NextDue(TimerShard shard = {}) override;
  size_t TimersInMemory() const override { return window_.size(); }

  StatusOr<CaseRecord> GetCase(const std::string& id) override;
  StatusOr<std::vector<HistoryEntry>> History(const std::string& id) override;
  StatusOr<CaseList> ListByState(const std::string& workflow_id,
                                 const std::string& state,
                                 const Page& page) override;
  StatusOr<CaseList> ListByOwner(const std::string& owner,
                                 const Page& page) override;
  StatusOr<CaseList> ListByUnit(const std::string& unit,
                                const Page& page) override;
  StatusOr<CaseList> ListOverdue(const Page& page) override;
  StatusOr<CaseList> ListByReporter(const std::string& user, const Page& page) override;
  StatusOr<std::vector<OutboxEntry>> Outbox(size_t limit) override;

  Status RecordAccess(const Access& access) override;
  StatusOr<size_t> ExpireRequests() override;
  StatusOr<std::vector<ChildProposal>> ChildProposals(const std::string& child_id) override;
  StatusOr<CommandResult> DecideProposal(const DecideChildProposal& cmd) override;
  StatusOr<CommandResult> UpdateChild(const UpdateChildFields& cmd) override;
  StatusOr<ChildCommandResult> CreateChild(const CreateChildFile& cmd) override;
  StatusOr<std::vector<std::string>> LikelyDuplicates(const nlohmann::json& fields) override;
  StatusOr<ChildMatches> SearchChildren(const ChildQuery& query) override;
  StatusOr<ChildCommandResult> MergeChildren(const MergeChildFiles& cmd) override;
  StatusOr<std::string> MergedInto(const std::string& child_id) override;
  StatusOr<RosterResult> ImportRoster(const RosterImport& cmd) override;
  StatusOr<std::map<std::string, std::string>> RosterMapping(const std::string& unit) override;
  StatusOr<ChildFile> GetChild(const std::string& child_id,
                               std::optional<Instant> as_of) override;
  StatusOr<std::vector<ChildRevision>> ChildHistory(
      const std::string& child_id) override;
  StatusOr<std::vector<DeadLetter>> DeadLetters(const std::string& after,
                                               size_t limit) override;
  StatusOr<CommandResult> Redrive(const RedriveDeadLetter& cmd) override;
  Status ExpandOutbox(uint64_t outbox_id,
                      const std::vector<Delivery>& deliveries) override;
  StatusOr<std::vector<Delivery>> DueDeliveries(Instant now,
                                                size_t limit) override;
  StatusOr<std::optional<Instant>> NextDeliveryDue() override;
  Status RecordDelivery(const DeliveryOutcome& outcome) override;
  Status ScanFacts(const std::string& unit, char kind, const std::string& from_month,
                   const std::string& to_month,
                   const std::function<void(const std::vector<std::string_view>&)>& fn) override;
  uint64_t FactRowsRead() const override { return fact_rows_read_.load(); }
  Status RecordAccessWithDetail(const Access& access, const std::string& detail) override;

 private:
  // The cases `ids`, in order, each as GetCase answers it, read from the
  // store in one batch (a timer batch's cases; queries.cc).
  std::vector<StatusOr<CaseRecord>> GetCases(const std::vector<std::string>& ids);

  // ---- The command pipeline (command_pipeline.cc) ----
  // Every command that changes state takes these steps, in this order:
  //   1. the request id: checked (required, at most 200 bytes), its lock
  //      taken (RequestLock);
  //   2. the actor: a user, never the system (the runtime's own records,
  //      which have no request id, act as the system);
  //   3. replay: the stored answer to the request id is returned if its
  //      fingerprint is this command's, refused (kFailedPrecondition) if it
  //      is another's;
  //   4. the case's lock (CaseLock), then the case and its workflow read
  //      under it; then `apply` validates and fills the change, taking a
  //      child's identity lock if it needs one;
  //   5. one batch: the change, its audit record and the answer to store for
  //      the request id;
  //   6. commit; then the hooks (timers armed, outbox filled); then the
  //      locks are released, in reverse order.
  // Commands on no case (a child's file) take steps 1-3, their own identity
  // locks, and step 5-6 through CommitAnswered.

  // A command's idempotency: its request id and its fingerprint
  // (Fingerprint() of the command, the one scheme). `legacy_fingerprint`,
  // when set, is the fingerprint a released version stored for the same
  // command, also accepted on replay.
  struct Request {
    std::string id;
    std::string fingerprint;
    std::string legacy_fingerprint = {};
  };
  using RequestLockHolder = std::unique_lock<HandoffMutex>;
  // Steps 1-3: on success `*lock` holds the request id's lock and the
  // result holds the stored answer, if there is one.
  template <typename Result>
  StatusOr<std::optional<Result>> BeginRequest(const Request& request, const Actor& actor,
                                               RequestLockHolder* lock);
  // Step 5: the record of `result` as the answer to `request`, in its batch.
  static Mutation Answer(const Request& request, const CommandResult& result, Instant now);
  static Mutation Answer(const Request& request, const ChildCommandResult& result,
                         Instant now);
  // Steps 5-6 for a command on no case: `batch` and the answer to `request`
  // committed together.
  template <typename Result>
  Status CommitAnswered(const Request& request, const Result& result, Instant now,
                        std::vector<Mutation> batch);

  // A command on an existing case: `apply` validates and fills the change,
  // or returns the refusal.
  using Apply = std::function<Status(const Workflow&, CaseChange&)>;
  struct CaseCommand {
    // Unless `own`, a user's command: its request id is required.
    Request request;
    Actor actor;
    std::string case_id = {};
    // Set instead of `case_id`: finds the case under the request id's lock
    // (a re-drive reads its dead letter's case).
    std::function<StatusOr<std::string>()> locate = nullptr;
    std::string audit_action = {};
    Apply apply = nullptr;
    // Adds to the result before it is stored for replays.
    std::function<void(CommandResult*)> annotate = nullptr;
    // The identity lock `apply` may take (may be null): when it holds it,
    // the commit is waited for on this thread, which then releases it.
    std::unique_lock<std::mutex>* child_lock = nullptr;
    // Deliveries fall due by this command (a re-drive): the dispatcher is
    // told once it commits.
    bool fills_outbox = false;
    // The runtime's own command (a delivery's record): no request id, no
    // answer stored (steps 1-3 skipped); `actor` is the system.
    bool own = false;
  };
  // Steps 1-6, answering through `done` (AsyncCommands::Done).
  void RunOnCase(const CaseCommand& cmd, Done done);
  // The same, waiting for the answer.
  StatusOr<CommandResult> RunOnCase(const CaseCommand& cmd);
  // The open case of `w` about the child `data` identifies (see
  // EventDef::same_child), "" when there is none (duplicates.cc).
  StatusOr<std::string> OpenCaseOfChild(const Workflow& w, const nlohmann::json& data);
  // A report that joins the open case `case_id` (duplicates.cc).
  StatusOr<CommandResult> JoinCase(const OpenCase& cmd, const std::string& fingerprint,
                                   const std::string& case_id);
  const Calendar* CalendarOf(const Workflow& w) const;
  // Writes the reporter index of cases from before it existed, once.
  Status IndexReportersOnce();
  // Writes index entries for the cases of a store from before an index:
  // unless `done_key` is set, `index` adds each case's entries, and they and
  // the mark commit in one batch.
  Status IndexCasesOnce(std::string_view done_key,
                        const std::function<void(const CaseRecord&, std::vector<Mutation>*)>& index);
  // Writes the register's index of files from before it existed, once
  // (child_index.cc).
  Status IndexChildrenOnce();
  // Writes the reports' fact rows of cases from before them, once
  // (report_index.cc).
  Status IndexReportsOnce();
  // The children under one index term (child_index.cc).
  StatusOr<std::set<std::string>> ChildrenWithTerm(const std::string& unit,
                                                   const std::string& term);
  // The newest workflow that keeps `field` in the child's file (its
  // definition of the field rules), or null (children.cc).
  std::shared_ptr<const Workflow> ChildFieldOwner(const std::string& field) const;
  // Every problem of file fields `fields` (checked as the newest workflow
  // keeping each declares it; `merged`: the file after the change), one a
  // line; "" when none (children.cc).
  std::string ChildFieldProblems(const nlohmann::json& fields, const nlohmann::json& merged,
                                 Instant now) const;
  // A new child id (child_register.cc).
  StatusOr<std::string> NewChildId();
  // Points the identities `after` has and `before` lacks at `child_id`, in
  // `batch`; kFailedPrecondition naming the file when one is another's.
  Status ClaimIdentities(const std::string& child_id, const nlohmann::json& before,
                         const nlohmann::json& after, std::vector<Mutation>* batch);
  // Outbox ids resume after the greatest one ever expanded (deliveries.cc).
  Status RecoverOutboxHighWater();
  // The outbox entry `id` whose stored value is `value`: decoded, or, for a
  // reference (format 3, codec.h), read from the firing record it names
  // (queries.cc).
  StatusOr<OutboxEntry> ReadOutboxEntry(uint64_t id, std::string_view value);
  // The child's file (children.cc): links the change's case to its child
  // once the case has every identity field, and records the file fields the
  // command's `data` carries, as writes of the same batch. Holds `*lock`
  // (the identity's) while a new file is created, until the caller commits.
  // `link_to`: link a case without a file to this child, without looking
  // for its identity (a case opened by another case about the same child).
  Status UpdateChildFile(const Workflow& w, const nlohmann::json& data,
                         const Actor& actor, CaseChange& change,
                         std::unique_lock<std::mutex>* lock,
                         const std::string& link_to = "");
  // The `opens` effect of event `e` (linked_cases.cc): opens the linked case
  // as writes of `change`'s batch. `lock` as for UpdateChildFile.
  Status OpenLinkedCase(const EventDef& e, const Actor& actor, CaseChange& change,
                        std::unique_lock<std::mutex>* lock);
  StatusOr<CaseList> ListIndex(const std::string& prefix, const Page& page);
  Status CommitChange(CaseChange& change, const std::string& audit_action,
                      std::vector<Mutation> extra);
  // CommitChange without waiting (unless `wait`): `then` runs once with the
  // commit's Status, after the hooks of a successful one, on the store's
  // committer thread or on this one (Store::CommitAsync).
  void CommitChangeAsync(CaseChange& change, const std::string& audit_action,
                         std::vector<Mutation> extra, bool wait,
                         std::function<void(const Status&)> then);
  // Takes the timers of `case_id` among `keys` out of the due-time index into
  // the quarantine area (codec.h), logs them, and audits it, in `batch`.
  void Quarantine(const std::string& case_id, const std::vector<std::string>& keys,
                  const Status& why, Instant now, std::vector<Mutation>* batch);
  // ---- Other nodes on the same store (shared_store.cc) ----
  // After a commit refused by a guard (kFailedPrecondition: another node
  // wrote first), the id counters may be behind the store's: the next
  // MaybeResyncCounters reads them again. Cheap when nothing was refused.
  void NoteConflict(const Status& s);
  void MaybeResyncCounters();
  // A new case's id, and `n` outbox ids (handed out in order by the
  // function): from the process's counters, or, with other nodes on the
  // store, from the store (Store::TakeIds), so no two nodes hand out one id
  // (shared_store.cc).
  StatusOr<std::string> NewCaseId();
  StatusOr<std::function<uint64_t()>> OutboxIds(size_t n);
  // Whether other nodes share the store (RuntimeOptions::leases).
  bool StoreShared() const { return options_.leases && options_.leases->shared(); }
  // Create-only writes (history, outbox) as plain puts when no other node
  // shares the store (shared_store.cc).
  void PutsUnlessShared(std::vector<Mutation>& batch) const;
  // The outbox lease's fence for a batch, or nothing (one node);
  // kFailedPrecondition when this node does not hold the outbox's lease.
  StatusOr<std::optional<Mutation>> OutboxFence() const;
  std::atomic<bool> resync_counters_{false};

  // A committed change armed this timer: add it to the in-memory window and
  // tell the timer thread, which may be waiting for a later one.
  void TimerArmed(const std::string& timer_key);
  void OutboxFilled();  // the on_outbox_filled hook

  size_t CaseStripe(std::string_view case_id) const {
    return std::hash<std::string_view>()(case_id) % case_locks_.size();
  }
  HandoffMutex& CaseLock(std::string_view case_id) {
    return case_locks_[CaseStripe(case_id)];
  }
  // The window's filter for a shard: keys of cases whose lock stripe falls
  // in the shard (nullptr for the whole).
  TimerWindow::KeyFilter ShardFilter(TimerShard shard) const;
  // Held while a case is linked to a new child's file, and while a report
  // looks for the open case of its child (same_child), until the commit.
  std::mutex& IdentityLock(const std::string& identity) {
    return child_identity_locks_[std::hash<std::string>()(identity) %
                                 child_identity_locks_.size()];
  }
  HandoffMutex& RequestLock(std::string_view request_id) {
    return request_locks_[std::hash<std::string_view>()(request_id) %
                          request_locks_.size()];
  }

  Store& store_;
  const Catalog& catalog_;
  const Clock& clock_;
  const RuntimeOptions options_;
  TimerWindow window_;
  std::atomic<uint64_t> next_case_{0};
  std::atomic<uint64_t> next_outbox_{0};
  std::atomic<uint64_t> fact_rows_read_{0};
  // The runtime's locks, in the order they are taken (never the reverse):
  //   request_locks_         one command's request id, steps 1-6 of the
  //                          pipeline; a command holds one;
  //   case_locks_            a case's state, history, timers and deliveries
  //                          (their store records); several only by a timer
  //                          batch, in stripe (address) order (StripeLocks);
  //   child_identity_locks_  a child's identity and file ("child <id>"),
  //                          several only in address order (LockAll);
  //   the window's lock (TimerWindow), a leaf.
  // The request and case locks are HandoffMutexes: an asynchronous command's
  // are released by its commit's callback. What they guard lives in the
  // store, so clang cannot check it against members; it checks that each is
  // released once on every path (HandoffLock, StripeLocks).
  std::array<HandoffMutex, 4096> case_locks_;
  std::array<HandoffMutex, 1024> request_locks_;
  std::array<std::mutex, 256> child_identity_locks_;
};

// "C0000000042": case ids sort in the order they were handed out.
std::string FormatCaseId(uint64_t n);

// The idempotency fingerprint of a command (its JSON form: its name, then
// its actor's user, then its arguments), the one scheme of every command;
// also the check that all its text is valid UTF-8 (kInvalidArgument
// otherwise).
StatusOr<std::string> Fingerprint(const nlohmann::json& command);
// A request id is required and at most 200 bytes.
Status CheckRequestId(const std::string& id);
// A command's actor is a user, and never acts as the system.
Status CheckUser(const Actor& actor);
// The runtime's own actor (timers, deliveries' records), from `origin`.
inline Actor SystemActor(std::string origin) {
  return {std::string(kSystemRole), "", {}, std::move(origin)};
}
// Runs `start` with a callback and waits for that callback's result: the
// synchronous commands over the asynchronous ones.
StatusOr<CommandResult> AwaitAnswer(const std::function<void(AsyncCommands::Done)>& start);

// The identity fields' values of `def` in `data`, joined; "" when one is
// missing (children.cc).
std::string ChildIdentityOf(const ChildFileDef& def, const nlohmann::json& data);

// A child's file and the revisions it is the fold of (children.cc): read up
// to `as_of` (all when absent). kNotFound for an unknown child.
struct FoldedChild {
  ChildFile file;
  std::vector<ChildRevision> revisions;
};
StatusOr<FoldedChild> FoldChild(Store& store, const std::string& child_id,
                                std::optional<Instant> as_of);

// Locks each mutex once, in address order (callers elsewhere hold one at a
// time, so the order cannot deadlock with them) (child_register.cc).
std::vector<std::unique_lock<std::mutex>> LockAll(std::vector<std::mutex*> mutexes);

// The audit record of a direct change of file `child_id`, in `batch`.
void AddChildAudit(const Actor& actor, std::string action, const std::string& child_id,
                   Instant now, std::vector<Mutation>* batch);

// The register's index writes that take file `child_id` of `unit` from
// `before` to `after` fields (child_index.cc); nullptr before: a new file,
// nullptr after: a file leaving the index (merged).
void IndexChildChange(const std::string& child_id, const std::string& unit,
                      const nlohmann::json* before, const nlohmann::json* after,
                      std::vector<Mutation>* out);

// Applies event `e` to the change, as `role_check`ed by the caller: checks
// and merges `data`, evaluates the guard, picks the branch, records history,
// moves the case, queues notifications. Refusals write nothing. `unit_type`
// (RuntimeOptions::unit_type, may be null) checks fields holding unit ids.
Status ApplyEvent(const Workflow& w, const EventDef& e,
                  const nlohmann::json& data, CaseChange& change,
                  const std::function<std::string(std::string_view)>* unit_type);

// Checks `data` against an event's `requires` and `optional` fields, their
// types and bounds; one InvalidArgument lists every problem, a line each.
Status CheckEventData(const Workflow& w, const EventDef& e,
                      const nlohmann::json& data, const FieldBounds& bounds);

// REQUIRES-style role check: one of the actor's roles is allowed; nobody
// may act as the system.
Status CheckRoles(const Actor& actor, const std::vector<std::string>& allowed,
                  std::string_view what);

}  // namespace shouhu
