// A real shouhud for API tests: a temporary data directory, the bundled
// mandatory-report workflow with its police-response deadline shortened to
// seconds (so a real escalation fires quickly), the sample county
// organisation, tokens issued offline for the users a test names, and the
// port read from the daemon's "listening on" line.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "../../support/data_key.h"
#include "../../support/subprocess.h"
#include "auth/token_store.h"
#include "cli/http_client.h"
#include "shouhu/clock.h"
#include "../../support/test_paths.h"

namespace shouhu::testing {

// The users of the sample county (deploy/county/organisation.json) most
// tests act as.
inline constexpr const char* kTeacher = "u0021";  // reporter, chengguan-primary
inline constexpr const char* kPolice = "u0008";   // police_officer, chengguan
inline constexpr const char* kAdmin = "u0007";    // administrator, the county

inline const std::string kDaemonPath = BuildTree("/engine/shouhud");
inline const std::string kCliPath = BuildTree("/engine/shouhu");

// Writes workflows/mandatory_report.json (the bundled newest version) with the
// `first_time` service level -- police_intake's response deadline -- at PT1S
// and police_response_overdue's supervisor step at PT2S. Fails the test if
// the bundled workflow no longer has what this patches.
inline void WriteQuickWorkflow(const std::string& dir) {
  std::ifstream in(SourceTree("/workflows/mandatory_report.json"));
  nlohmann::json w = nlohmann::json::parse(in);
  int patched = 0;
  for (auto& l : w["service_levels"]) {
    if (l["id"] == "first_time") l["within"] = "PT1S", ++patched;
  }
  for (auto& s : w["states"]) {
    if (s["id"] != "police_intake") continue;
    for (auto& t : s["timers"]) {
      if (t["id"] == "response_sla" && t.value("service_level", "") == "first_time") ++patched;
    }
  }
  for (auto& e : w["escalations"]) {
    if (e["id"] == "police_response_overdue") e["steps"][1]["after"] = "PT2S", ++patched;
  }
  EXPECT_EQ(patched, 3) << "the bundled mandatory_report.json changed shape";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/mandatory_report.json") << w.dump(1);
}

class ApiDaemon {
 public:
  // `api` is the config's "api" section; `extra` holds more top-level
  // members of the configuration.
  explicit ApiDaemon(nlohmann::json api = nlohmann::json::object(),
                     nlohmann::json extra = nlohmann::json::object()) {
    char tmpl[] = "/tmp/shouhu-api-XXXXXX";
    dir_ = mkdtemp(tmpl);
    WriteQuickWorkflow(dir_ + "/workflows");
    nlohmann::json config = {
        {"data_dir", "data"},
        {"workflows", {dir_ + "/workflows", SourceTree("/workflows/calendars")}},
        {"organisation", SourceTree("/deploy/county/organisation.json")},
        {"listen", "127.0.0.1:0"},
        {"encryption", {{"key_file", "shouhud.key"}}},
        {"api", api}};
    key_id_ = WriteTestKeyFile(dir_ + "/shouhud.key");
    config.update(extra);
    config_path_ = dir_ + "/shouhud.json";
    std::ofstream(config_path_) << config.dump(1);
    std::filesystem::create_directories(data_dir());
  }
  ~ApiDaemon() {
    Stop();
    std::filesystem::remove_all(dir_);
  }

  // Starts shouhud and waits for its "listening on" line.
  void Start() {
    Launch();
    ASSERT_TRUE(process_->WaitForLine("listening on")) << process_->output();
    const std::string& out = process_->output();
    auto at = out.rfind("listening on ");
    std::string address = out.substr(at + 13, out.find_first_of(" \n", at + 13) - at - 13);
    base_url_ = "http://" + address;
    ASSERT_TRUE(process_->WaitForLine("ready")) << process_->output();
  }
  // Starts shouhud without waiting for anything.
  void Launch() {
    std::vector<std::string> args{kDaemonPath, "--config", config_path_};
    if (!simulated_start_.empty()) {
      args.insert(args.end(), {"--simulated-time", simulated_start_});
    }
    process_ = std::make_unique<Subprocess>(args, environment_);
  }

  // Runs the daemon on simulated time from `start` ("now" or an RFC 3339
  // instant), with the bundled mandatory report's own deadlines (hours and
  // days, not the seconds WriteQuickWorkflow makes them); call before Start.
  // ClientFor's tokens then last ten years, so moving the clock days on keeps
  // them valid.
  void SimulateTime(std::string start = "now") {
    simulated_start_ = std::move(start);
    std::filesystem::copy_file(SourceTree("/workflows/mandatory_report.json"),
                               dir_ + "/workflows/mandatory_report.json",
                               std::filesystem::copy_options::overwrite_existing);
  }
  // Moves the daemon's simulated clock on by `duration` (ISO 8601: "PT24H",
  // "P3D") as its administrator (u0007); returns once every timer, escalation
  // and delivery the new time made due is done. The daemon's new time.
  std::string Advance(const std::string& duration) {
    auto reply = ClientFor(kClockAdmin)->Send("POST", "/api/v1/clock",
                                             nlohmann::json{{"advance", duration}}.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    auto body = nlohmann::json::parse(reply.body, nullptr, false);
    return body.is_object() ? body.value("now", "") : "";
  }
  bool WaitForLine(const std::string& text) { return process_->WaitForLine(text); }
  // Adds NAME=value to the daemon's environment from its next Launch.
  void SetEnv(const std::string& name, const std::string& value) {
    environment_.push_back(name + "=" + value);
  }

  // Reads the daemon's output on a thread of its own until it exits, so a
  // busy daemon never blocks on a full pipe; Kill or Stop ends it.
  void KeepReading() {
    reader_ = std::thread([p = process_.get()] { p->ReadAll(); });
  }
  // SIGKILL, as a power cut would; waits for the process and its output.
  void Kill() {
    if (!process_) return;
    process_->Signal(SIGKILL);
    if (reader_.joinable()) reader_.join();
    output_ = process_->ReadAll();
    process_->Wait();
    process_.reset();
  }

  // Waits for a daemon that exits by itself (a refused start); its code.
  int WaitForExit() {
    if (!process_) return -1;
    output_ = process_->ReadAll();
    int code = process_->Wait();
    process_.reset();
    return code;
  }

  // SIGTERM and wait; returns the exit code.
  int Stop() {
    if (!process_) return 0;
    process_->Signal(SIGTERM);
    if (reader_.joinable()) reader_.join();
    output_ = process_->ReadAll();
    int code = process_->Wait();
    process_.reset();
    return code;
  }

  // Issues a token for `user` offline, in the tokens file the daemon reads.
  // `issued_at` lets a test make a token that has expired already.
  std::string TokenFor(const std::string& user,
                       std::chrono::seconds ttl = std::chrono::hours(1),
                       std::optional<Instant> issued_at = std::nullopt) {
    auto it = tokens_.find(user);
    if (it != tokens_.end() && ttl == std::chrono::hours(1) && !issued_at) {
      return it->second;
    }
    TokenStore store(TokensPathFor(data_dir()));
    auto issued = store.Issue(user, ttl, "test", issued_at.value_or(SystemClock().Now()));
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    if (ttl == std::chrono::hours(1) && !issued_at) tokens_[user] = issued->token;
    return issued->token;
  }

  std::unique_ptr<cli::HttpClient> ClientFor(const std::string& user) {
    if (user.empty()) return std::make_unique<cli::HttpClient>(base_url_, "");
    if (simulated_start_.empty()) return std::make_unique<cli::HttpClient>(base_url_, TokenFor(user));
    auto it = long_tokens_.find(user);
    if (it == long_tokens_.end()) {
      it = long_tokens_.emplace(user, TokenFor(user, std::chrono::hours(24 * 3650))).first;
    }
    return std::make_unique<cli::HttpClient>(base_url_, it->second);
  }

  const std::string& base_url() const { return base_url_; }
  // "127.0.0.1:41234"
  std::string address() const { return base_url_.substr(7); }
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  // What the daemon printed so far (all of it once stopped).
  std::string output() const { return process_ ? process_->output() : output_; }
  const std::string& dir() const { return dir_; }
  std::string data_dir() const { return dir_ + "/data"; }
  const std::string& config_path() const { return config_path_; }
  // The data key that seals the store: its file and id.
  std::string key_path() const { return dir_ + "/shouhud.key"; }
  const std::string& key_id() const { return key_id_; }

 private:
  std::string key_id_;
  std::string dir_;
  std::string config_path_;
  std::string base_url_;
  static constexpr const char* kClockAdmin = "u0007";  // administrator, county
  std::unique_ptr<Subprocess> process_;
  std::thread reader_;  // KeepReading's
  std::string output_;
  std::map<std::string, std::string> tokens_;
  std::string simulated_start_;                     // "" = the real clock
  std::vector<std::string> environment_;            // added by SetEnv
  std::map<std::string, std::string> long_tokens_;  // simulated time's
};

// A report filed by a teacher of 城关镇中心小学 (chengguan-primary).
inline nlohmann::json ReportBody(const std::string& child = "小明") {
  return {{"workflow", "mandatory_report"},
          {"data",
           {{"child_name", child},
            {"category", "living_alone"},
            {"reporter_kind", "mandated"},
            {"reporter_category", "school"},
            {"discovered_at", "2026-03-02T08:00:00+08:00"}}}};
}

// The current time as the workflow's datetime fields take it.
// (RFC 3339, UTC).
inline std::string NowText() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Data for the police's `accept`: the intake kind and accepted_at now (so the
// 3-day feedback timer it starts is not already overdue).
inline nlohmann::json AcceptData(const std::string& intake_kind = "administrative") {
  return {{"intake_kind", intake_kind}, {"accepted_at", NowText()}};
}

}  // namespace shouhu::testing
