// The log's sinks and line format (shouhu/log.h), over spdlog.
#include "shouhu/log.h"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <pthread.h>
#include <sys/stat.h>

#include "shouhu/mutex.h"

namespace shouhu::log {
namespace {

// "WARN " and "ERROR " before the message on standard error; nothing for
// info and debug, so the lines tests and scripts wait for ("shouhud:
// listening on ...", "shouhud: ready") keep their text.
class LevelTag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view tag = msg.level == spdlog::level::warn    ? "WARN "
                           : msg.level == spdlog::level::err   ? "ERROR "
                           : msg.level == spdlog::level::debug ? "DEBUG "
                                                               : "";
    dest.append(tag.data(), tag.data() + tag.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelTag>();
  }
};

spdlog::level::level_enum SpdLevel(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// systemd sets JOURNAL_STREAM to "<device>:<inode>" of the stream it gives
// the service's standard error; it is the journal only while stderr still is
// that file (not when the daemon's output was redirected by a child's parent).
bool StderrIsTheJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (!env) return false;
  std::string_view v(env);
  auto colon = v.find(':');
  if (colon == std::string_view::npos) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::from_chars(v.data(), v.data() + colon, dev).ec != std::errc() ||
      std::from_chars(v.data() + colon + 1, v.data() + v.size(), ino).ec != std::errc()) {
    return false;
  }
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

std::shared_ptr<spdlog::logger> MakeLogger(Output output) {
  if (output == Output::kAuto) output = StderrIsTheJournal() ? Output::kJournal : Output::kStderr;
  spdlog::sink_ptr sink;
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (output == Output::kJournal) {
    // The journal stamps time, identifier and priority itself.
    sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("shouhud", true);
    formatter->set_pattern("%v");
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    formatter->add_flag<LevelTag>('*').set_pattern("shouhud: %*%v");
  }
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>("shouhud", std::move(sink));
  logger->set_level(spdlog::level::trace);  // the level is checked in Write
  // Every line reaches the pipe at once: tests and supervisors read it live.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::atomic<Level> g_level{Level::kInfo};
Mutex g_mu;
std::shared_ptr<spdlog::logger> g_logger SHOUHU_GUARDED_BY(g_mu);

std::shared_ptr<spdlog::logger> Logger() {
  MutexLock lock(g_mu);
  if (!g_logger) g_logger = MakeLogger(Output::kStderr);
  return g_logger;
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

void AppendValue(std::string& out, std::string_view v) {
  if (!NeedsQuotes(v)) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += static_cast<unsigned char>(c) < ' ' ? '?' : c;
    }
  }
  out += '"';
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

std::optional<Level> ParseLevel(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warning" || name == "warn") return Level::kWarning;
  if (name == "error") return Level::kError;
  return std::nullopt;
}

std::optional<Output> ParseOutput(std::string_view name) {
  if (name == "auto") return Output::kAuto;
  if (name == "stderr") return Output::kStderr;
  if (name == "journal") return Output::kJournal;
  return std::nullopt;
}

void Configure(const Options& options) {
  auto logger = MakeLogger(options.output);
  {
    MutexLock lock(g_mu);
    g_logger = std::move(logger);
  }
  g_level.store(options.level);
}

bool Enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

std::string Format(std::string_view message, std::initializer_list<Field> fields) {
  std::string line(message);
  for (const Field& f : fields) {
    if (!line.empty()) line += ' ';
    line += f.key;
    line += '=';
    AppendValue(line, f.value);
  }
  return line;
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line = Format(message, fields);
  Logger()->log(SpdLevel(level), "{}", line);
}

void NameThread(std::string_view name) {
  pthread_setname_np(pthread_self(), std::string(name.substr(0, 15)).c_str());
}

}  // namespace shouhu::log
