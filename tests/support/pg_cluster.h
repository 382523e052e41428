// A throw-away PostgreSQL 15 cluster for tests: its own data directory in a
// fresh temporary directory, listening only on a unix socket inside it (no
// TCP port, so tests in parallel never clash), fsync on; stopped and removed
// when the PgCluster goes out of scope.
//
// PostgreSQL refuses to run as root, and CI runs the tests as root: then the
// server binaries run as the `postgres` user (runuser) and the directory is
// handed to that user. initdb's result is kept once as a template under
// /tmp (shouhu_pg_template_15, made atomically by rename) and copied for
// each cluster, which saves most of initdb's seconds per test.
//
// The binaries are those of Debian's postgresql-15 (/usr/lib/postgresql/15/
// bin, override with $SHOUHU_PG_BIN). When they are missing the cluster is
// not ok() and says why: tests must fail then, not skip (CI installs them).
#pragma once

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "run_program.h"

namespace shouhu::testing {

class PgCluster {
 public:
  PgCluster() {
    const char* env = std::getenv("SHOUHU_PG_BIN");
    bin_ = env && *env ? env : "/usr/lib/postgresql/15/bin";
    if (!std::filesystem::exists(bin_ + "/pg_ctl") || !std::filesystem::exists(bin_ + "/initdb")) {
      error_ = "PostgreSQL 15 server binaries not found in " + bin_ +
               " (install postgresql-15: deploy/install-deps.sh)";
      return;
    }
    std::string tmpl = "/tmp/shouhu_pg_XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      error_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr) {
        error_ = "running as root and there is no `postgres` user to run the server as";
        return;
      }
      as_postgres_ = true;
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        error_ = "cannot hand " + dir_ + " to the postgres user";
        return;
      }
    }
    if (!MakeDataDir() || !Start()) return;
    ok_ = true;
  }

  ~PgCluster() {
    if (!dir_.empty()) {
      if (running_) (void)PgCtl({"stop", "-m", "immediate"});
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

  // The DSN of database `db` (the server has "postgres" from the start).
  std::string Dsn(const std::string& db = "postgres") const {
    return "host=" + dir_ + " port=" + kPort + " user=postgres dbname=" + db;
  }

  // pg_ctl start -w: returns once the server accepts connections.
  bool Start() {
    const std::string options = "-c listen_addresses='' -c unix_socket_directories='" + dir_ +
                                "' -c fsync=on -c max_connections=200 -p " + kPort;
    running_ = PgCtl({"start", "-w", "-t", "60", "-l", dir_ + "/server.log", "-o", options});
    return running_;
  }
  // A fast shutdown: the server ends its sessions and stops.
  bool Stop() {
    if (PgCtl({"stop", "-w", "-m", "fast"})) running_ = false;
    return !running_;
  }
  // Runs SQL as the superuser through psql in database "postgres", with
  // `dsn_extra` (more "keyword=value" pairs) added to the DSN; false (and
  // error()) on failure.
  bool Sql(const std::string& sql, const std::string& dsn_extra = "") {
    return Run(bin_ + "/psql",
               {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", Dsn() + " " + dsn_extra, "-c", sql},
               /*as_postgres=*/false);
  }
  // The server log so far, for failure messages.
  std::string Log() const { return ReadFile(dir_ + "/server.log"); }

 private:
  static constexpr const char* kPort = "5432";  // any: the socket is private

  bool MakeDataDir() {
    const std::string cached = "/tmp/shouhu_pg_template_15";
    if (!std::filesystem::exists(cached + "/PG_VERSION")) {
      // Made beside the cache and renamed into place: a concurrent test
      // either wins the rename or keeps its own copy.
      const std::string fresh = dir_ + "/template";
      if (!Run(bin_ + "/initdb", {"-N", "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                  "--locale=C", "-D", fresh},
               as_postgres_)) {
        return false;
      }
      std::error_code ec;
      std::filesystem::rename(fresh, cached, ec);
      if (ec) std::filesystem::rename(fresh, dir_ + "/data", ec);
      if (!ec && std::filesystem::exists(dir_ + "/data")) return true;
    }
    return Run("/bin/cp", {"-a", cached, dir_ + "/data"}, as_postgres_);
  }

  bool PgCtl(std::vector<std::string> args) {
    args.insert(args.begin(), {"-D", dir_ + "/data"});
    return Run(bin_ + "/pg_ctl", args, as_postgres_);
  }

  bool Run(const std::string& program, std::vector<std::string> args, bool as_postgres) {
    std::string binary = program;
    if (as_postgres) {
      args.insert(args.begin(), {"-u", "postgres", "--", program});
      binary = "/usr/sbin/runuser";
    }
    ProgramResult r = RunProgram(binary, args, scratch());
    if (r.exit_code == 0) return true;
    error_ = program + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err + r.out;
    return false;
  }

  // RunProgram's output files: beside the cluster, readable by root only.
  std::string scratch() {
    std::string s = dir_ + "/scratch";
    std::filesystem::create_directories(s);
    return s;
  }

  std::string bin_;
  std::string dir_;
  std::string error_;
  bool as_postgres_ = false;
  bool running_ = false;
  bool ok_ = false;
};

}  // namespace shouhu::testing
