#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/platform/clock.hpp"

namespace samovar::platform {

enum Interest : std::uint32_t { kReadable = 1, kWritable = 2 };

struct Readiness {
  int fd;
  std::uint32_t events;  // Interest bits, plus kReadable on errors and hang-ups
};

// The event loop's blocking wait: "until an fd is ready, wake() is called, or the deadline".
// Natively epoll plus an eventfd; in WASM a futex (fds are not supported there yet).
// Every member but wake() is called by the loop's own thread only; wake() is thread-safe.
class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // One-shot interest: after the fd is reported once, it is disarmed until armed again.
  void arm(int fd, std::uint32_t interest);
  void disarm(int fd);
  void forget(int fd);  // just before the fd is closed (and not used again)

  // Appends what became ready; returns early if woken. A deadline of nullopt waits forever.
  // noexcept: it fails only on a broken poller (a bad epoll fd), which ends the process.
  void wait(std::optional<Nanos> deadline, std::vector<Readiness>& ready) noexcept;
  void wake() noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace samovar::platform
