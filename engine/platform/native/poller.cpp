#include "engine/platform/poller.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <unordered_set>

namespace samovar::platform {

struct Poller::State {
  int epoll = -1;
  int wakeup = -1;
  std::unordered_set<int> registered;
};

namespace {
[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::uint32_t to_epoll(std::uint32_t interest) {
  std::uint32_t events = EPOLLONESHOT;
  if (interest & kReadable) events |= EPOLLIN | EPOLLRDHUP;
  if (interest & kWritable) events |= EPOLLOUT;
  return events;
}
}  // namespace

Poller::Poller() : state_(std::make_unique<State>()) {
  state_->epoll = epoll_create1(EPOLL_CLOEXEC);
  if (state_->epoll < 0) fail("epoll_create1");
  state_->wakeup = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (state_->wakeup < 0) fail("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = state_->wakeup;
  if (epoll_ctl(state_->epoll, EPOLL_CTL_ADD, state_->wakeup, &ev) < 0) fail("epoll_ctl");
}

Poller::~Poller() {
  close(state_->wakeup);
  close(state_->epoll);
}

void Poller::arm(int fd, std::uint32_t interest) {
  epoll_event ev{};
  ev.events = to_epoll(interest);
  ev.data.fd = fd;
  const bool known = state_->registered.count(fd) != 0;
  if (epoll_ctl(state_->epoll, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
    fail("epoll_ctl arm");
  state_->registered.insert(fd);
}

void Poller::disarm(int fd) {
  if (state_->registered.count(fd) == 0) return;
  epoll_event ev{};
  ev.data.fd = fd;
  epoll_ctl(state_->epoll, EPOLL_CTL_MOD, fd, &ev);
}

void Poller::forget(int fd) {
  // No EPOLL_CTL_DEL: closing the fd (which follows) takes it out of the epoll set, and the
  // syscall saved is one per connection.
  state_->registered.erase(fd);
}

void Poller::wait(std::optional<Nanos> deadline, std::vector<Readiness>& ready) noexcept {
  int timeout_ms = -1;
  if (deadline) {
    const Nanos left = *deadline - now();
    // Round up so a wait never ends before its deadline and spins.
    timeout_ms =
        left <= 0 ? 0 : static_cast<int>(std::min<Nanos>((left + 999'999) / 1'000'000, 1 << 30));
  }
  epoll_event events[256];
  const int n = epoll_wait(state_->epoll, events, 256, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return;
    fail("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == state_->wakeup) {
      std::uint64_t count;
      while (read(state_->wakeup, &count, sizeof count) > 0) {
      }
      continue;
    }
    std::uint32_t got = 0;
    if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) got |= kReadable;
    if (events[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) got |= kWritable;
    ready.push_back({fd, got});
  }
}

void Poller::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = write(state_->wakeup, &one, sizeof one);
}

}  // namespace samovar::platform
