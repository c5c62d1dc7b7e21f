#include "engine/platform/process.hpp"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/platform/native/shared_block.hpp"

extern char** environ;

// Natively a worker is samovar's own executable started again (posix_spawn of /proc/self/exe)
// with SAMOVAR_PROCESS_WORKER set: a fresh exec, because forking a process that already runs
// threads leaves the child with one thread and whatever locks the others held. Parent and
// child talk over a socket pair (the child's end is its fd 3): a socket, not a pipe, so that a
// write to a dead worker is an EPIPE error (MSG_NOSIGNAL), not a SIGPIPE that kills the parent.
// A message is a 4-byte little-endian length and that many bytes; the child's first message
// is "ready". Its fd 4 is the shared memory block (shared_block.hpp), which it maps.
namespace samovar::platform::process {

namespace {

constexpr int kChildFd = 3;
constexpr const char* kWorkerEnv = "SAMOVAR_PROCESS_WORKER";
constexpr const char* kWorkerName = "samovar-worker";  // its command name, as ps and /proc show

// Set before main() (see process.hpp), read by serve().
constinit std::atomic<RequestHandler> request_handler{nullptr};

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool read_all(int fd, char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool send_message(int fd, std::string_view bytes) {
  if (bytes.size() > UINT32_MAX) return false;
  std::array<char, 4> head;
  for (int i = 0; i < 4; ++i) head[i] = static_cast<char>((bytes.size() >> (8 * i)) & 0xff);
  return write_all(fd, head.data(), head.size()) && write_all(fd, bytes.data(), bytes.size());
}

bool receive_message(int fd, std::string& out) {
  std::array<unsigned char, 4> head;
  if (!read_all(fd, reinterpret_cast<char*>(head.data()), head.size())) return false;
  std::uint32_t size = 0;
  for (int i = 0; i < 4; ++i) size |= static_cast<std::uint32_t>(head[i]) << (8 * i);
  out.resize(size);
  return read_all(fd, out.data(), size);
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

// Watches the socket for a moment before sleeping on it: a message that comes within the window
// (the next request, an answer to a short call) is taken without the wake-up that costs most of
// a round trip (~15 us each on this kind of machine).
void linger(int fd) {
  static const bool worth_it = std::thread::hardware_concurrency() > 1;  // else it only delays
  if (!worth_it) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  pollfd p{fd, POLLIN, 0};
  while (std::chrono::steady_clock::now() < until)
    if (::poll(&p, 1, 0) != 0) return;
}

class NativeWorker final : public Worker {
 public:
  NativeWorker(pid_t pid, int fd) : pid_(pid), fd_(fd) {}

  ~NativeWorker() override {
    // Closing our end is the worker's signal to exit; one still busy after a grace period
    // (a call that never ends) is killed. Either way it is reaped: no zombie, no orphan.
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    reap(std::chrono::seconds(2));
  }

  // A failed send does not reap (it may run on a submitter's thread): the receive after it
  // finds the socket closed too, and reaps.
  void send(std::string_view request) override {
    if (!send_message(fd_, request))
      throw WorkerDied("worker process " + std::to_string(pid_) + " is gone");
  }

  std::string receive() override {
    std::string answer;
    linger(fd_);
    if (!receive_message(fd_, answer)) throw WorkerDied(died());
    return answer;
  }

  long id() const noexcept override { return pid_; }

  void kill() noexcept override {
    std::lock_guard lock(mutex_);
    if (!reaped_) ::kill(pid_, SIGKILL);
  }

 private:
  // Waits for the worker's exit for at most `grace`, then kills it; returns its status.
  int reap(std::chrono::milliseconds grace) {
    std::lock_guard lock(mutex_);
    if (reaped_) return status_;
    const auto give_up = std::chrono::steady_clock::now() + grace;
    for (;;) {
      const pid_t done = ::waitpid(pid_, &status_, WNOHANG);
      if (done == pid_ || (done < 0 && errno != EINTR)) break;
      if (std::chrono::steady_clock::now() >= give_up) {
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    reaped_ = true;
    return status_;
  }

  std::string died() {
    return "worker process " + std::to_string(pid_) + " " + describe(reap(std::chrono::seconds(2)));
  }

  const pid_t pid_;
  const int fd_;
  std::mutex mutex_;  // the reaping: kill() may come from another thread
  bool reaped_ = false;
  int status_ = 0;
};

// A process's command name (kept while it is a zombie), without its newline; "" if it is gone.
std::string comm(long pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/comm").c_str(), "r");
  if (f == nullptr) return "";
  char name[64] = {};
  const bool read = std::fgets(name, sizeof name, f) != nullptr;
  std::fclose(f);
  std::string text = read ? name : "";
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

std::unique_ptr<Worker> start_worker() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw WorkerDied(std::string("cannot make a socket pair: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], kChildFd);  // dup2 clears close-on-exec
  posix_spawn_file_actions_adddup2(&actions, shared_memory::block_fd(), shared_memory::kWorkerFd);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, kWorkerEnv, std::strlen(kWorkerEnv)) != 0) env_strings.emplace_back(*e);
  env_strings.emplace_back(std::string(kWorkerEnv) + "=" + std::to_string(::getpid()));
  std::vector<char*> env;
  for (auto& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  char name[] = "samovar-process-worker";
  char* argv[] = {name, nullptr};
  pid_t pid = 0;
  const int err = ::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    throw WorkerDied(std::string("cannot start a worker process: ") + std::strerror(err));
  }
  auto worker = std::make_unique<NativeWorker>(pid, fds[0]);
  std::string hello;
  if (!receive_message(fds[0], hello) || hello != "ready") {
    worker->kill();
    throw WorkerDied("worker process " + std::to_string(pid) + " did not start");
  }
  return worker;
}

std::size_t max_workers() {
  return 64;
}

std::size_t live_workers() {
  // Every thread's children (zombies included), as the kernel lists them, that are workers by
  // name (serve() names itself before its "ready"). Other children are not counted: a
  // sanitizer's symbolizer, for one.
  std::size_t count = 0;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) return 0;
  while (const dirent* task = ::readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    std::FILE* f =
        std::fopen(("/proc/self/task/" + std::string(task->d_name) + "/children").c_str(), "r");
    if (f == nullptr) continue;
    long pid;
    while (std::fscanf(f, "%ld", &pid) == 1) count += comm(pid) == kWorkerName;
    std::fclose(f);
  }
  ::closedir(tasks);
  return count;
}

void set_request_handler(RequestHandler handler) noexcept {
  request_handler.store(handler);
}

bool in_worker() {
  return std::getenv(kWorkerEnv) != nullptr;
}

int serve() {
  const RequestHandler handler = request_handler.load();
  if (handler == nullptr) return 1;  // nothing to answer with
  // A worker dies with its parent, even in the middle of a long call: a parent that crashed
  // or was killed leaves no worker computing on for nobody. (The signal comes when the thread
  // that started the worker ends; a pool's workers end before the thread that started them.)
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (std::to_string(::getppid()) != std::getenv(kWorkerEnv)) return 1;  // it is gone already
  ::prctl(PR_SET_NAME, kWorkerName);  // before "ready": a started worker is always found by name
  if (!send_message(kChildFd, "ready")) return 1;
  std::string request;
  while ((linger(kChildFd), receive_message(kChildFd, request)))
    if (!send_message(kChildFd, handler(request))) return 1;
  return 0;  // the parent closed its end: time to go
}

}  // namespace samovar::platform::process
