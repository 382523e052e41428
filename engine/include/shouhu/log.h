// The daemon's log, through spdlog: one line per event, a message in plain
// words followed by structured fields (key=value, logfmt style), e.g.
//
//   shouhud: WARN delivery failed 投递失败 event=delivery_failed case=C-1
//     delivery=0000000000000007-001 channel=sms attempt=3 outcome=retry
//
// On standard error each line starts with "shouhud: " and, above info, the
// level ("WARN ", "ERROR "); under systemd the journal gets the message and
// fields with the level as the entry's PRIORITY (spdlog's systemd_sink).
//
// No personal data: fields carry ids (case, workflow, delivery, user),
// channels, counts and codes only -- never a child's or user's name, a phone,
// an e-mail or webhook address, a message body or a peer's answer (which may
// echo any of these). Callers pick their fields with that in mind.
//
// Thread safety: everything here may be called from any thread.
#pragma once

#include <concepts>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace shouhu::log {

enum class Level { kDebug, kInfo, kWarning, kError };

// Where lines go: the journal when running under systemd (standard error is
// the journal's stream, JOURNAL_STREAM), else standard error; or forced.
enum class Output { kAuto, kStderr, kJournal };

struct Options {
  Level level = Level::kInfo;
  Output output = Output::kAuto;
};

// "debug", "info", "warning" (or "warn"), "error"; nullopt otherwise.
std::optional<Level> ParseLevel(std::string_view name);
// "auto", "stderr", "journal"; nullopt otherwise.
std::optional<Output> ParseOutput(std::string_view name);

// Replaces the sinks and level. Until called: standard error at info.
void Configure(const Options& options);
bool Enabled(Level level);

// One key=value field. A value with spaces, quotes, '=' or control
// characters is written quoted, with \" \\ \n escaped; an empty one as "".
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  template <std::integral T>
  Field(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, double v);
  std::string_view key;
  std::string value;
};

// The text of one line (without the "shouhud: " and level prefixes).
std::string Format(std::string_view message, std::initializer_list<Field> fields);

void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

// Names the calling thread as `top -H`, `perf` and `gdb` show it ("shouhu-commit"):
// an operator sees which of the daemon's threads is busy. At most 15 bytes
// are kept (the kernel's limit).
void NameThread(std::string_view name);
inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, m, f);
}
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, m, f);
}
inline void Warning(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kWarning, m, f);
}
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kError, m, f);
}

}  // namespace shouhu::log
