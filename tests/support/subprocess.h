// Runs a program as a child process for integration tests, with its standard
// error readable line by line, so a test can wait for "ready" without sleeps.
// Its standard output goes to the same pipe: a child never holds the test's
// own output open (ctest would wait for it if the test died first).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace shouhu::testing {

class Subprocess {
 public:
  // `extra_env` ("NAME=value") is added to this process's environment.
  explicit Subprocess(std::vector<std::string> argv, std::vector<std::string> extra_env = {}) {
    // Close-on-exec: the child keeps only its copies on 1 and 2, so its own
    // background children cannot hold the pipe open past its exit.
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<char*> env;
    for (char** e = environ; *e; ++e) env.push_back(*e);
    for (std::string& e : extra_env) env.push_back(e.data());
    env.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    err_ = fdopen(fds[0], "r");
  }
  ~Subprocess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (err_) fclose(err_);
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Reads standard error until a line contains `text` (true) or the stream
  // ends (false). Everything read is kept in output(); last_line() is the
  // line that matched.
  bool WaitForLine(const std::string& text) {
    while (ReadLine()) {
      if (last_line_.find(text) != std::string::npos) return true;
    }
    return false;
  }
  // Reads standard error to its end.
  const std::string& ReadAll() {
    while (ReadLine()) {
    }
    return output_;
  }
  // The last line read, without its newline.
  const std::string& last_line() const { return last_line_; }
  const std::string& output() const { return output_; }

  void Signal(int sig) { kill(pid_, sig); }
  // Waits for exit; returns the exit code, or 128 + signal.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  // Reads one whole line, however long, into last_line_ and output_.
  bool ReadLine() {
    if (!err_) return false;
    char* line = nullptr;
    size_t capacity = 0;
    ssize_t n = getline(&line, &capacity, err_);
    if (n >= 0) {
      output_.append(line, static_cast<size_t>(n));
      last_line_.assign(line, static_cast<size_t>(n));
      if (!last_line_.empty() && last_line_.back() == '\n') last_line_.pop_back();
    }
    free(line);
    return n >= 0;
  }

  FILE* err_ = nullptr;
  bool exited_ = false;
  std::string output_;
  std::string last_line_;
};

}  // namespace shouhu::testing
