#include "io/real/posix_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace cryptolake::io {

namespace {

class PosixChild final : public ChildProcess {
 public:
  explicit PosixChild(pid_t pid) : pid_(pid) {}
  ~PosixChild() override {
    if (!status_) {
      kill();
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  std::optional<int> poll() override {
    if (status_) return status_;
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    } else if (done < 0 && errno == ECHILD) {
      status_ = 255;  // reaped elsewhere: nothing to say about it
    }
    return status_;
  }
  void terminate() override { signal(SIGTERM); }
  void kill() override { signal(SIGKILL); }
  long pid() const override { return pid_; }

 private:
  void signal(int sig) {
    if (!status_) ::kill(-pid_, sig);  // the group: the child leads it
  }
  pid_t pid_;
  std::optional<int> status_;
};

}  // namespace

core::Result<std::unique_ptr<ChildProcess>> PosixProcessLauncher::start(const ProcessSpec& spec) {
  if (spec.argv.empty()) return core::fail(core::ErrorCode::invalid_argument, "no program to start");
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    bool replaced = false;
    for (const auto& [name, value] : spec.env) replaced = replaced || entry.starts_with(name + "=");
    if (!replaced) env_text.emplace_back(entry);
  }
  for (const auto& [name, value] : spec.env) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  int log_fd = -1;
  if (!spec.log_path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(spec.log_path).parent_path(), ec);
    log_fd = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) return core::fail(core::ErrorCode::io_error, "cannot open the log {}: {}", spec.log_path, std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    if (log_fd >= 0) ::close(log_fd);
    return core::fail(core::ErrorCode::io_error, "cannot start {}: {}", spec.argv[0], std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    // Tied to the thread that forked: start children from one that outlives them (the scheduler's loop).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(125);  // the parent died before prctl took effect
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    }
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here, so a signal sent right away reaches the group
  if (log_fd >= 0) ::close(log_fd);
  return std::unique_ptr<ChildProcess>(std::make_unique<PosixChild>(pid));
}

std::string current_executable() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("cryptolake") : path.string();
}

}  // namespace cryptolake::io
