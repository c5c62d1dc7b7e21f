#include "engine/platform/poller.hpp"

#include <emscripten/threading.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/platform/wasm/io_table.hpp"

namespace samovar::platform {

// A futex word: wake() and completing fetch operations set it and notify it; wait() sleeps
// on it until the deadline. emscripten_futex_wait is a real memory.atomic.wait32 on a
// pthread (std::atomic::wait only polls in this libc++), and JS's Atomics.notify (the I/O
// worker's) wakes it. The only fds in WASM are fetch operations (engine/platform/fetch.hpp),
// ops of the I/O worker's table (io_table.hpp); file operations block a pthread instead.
struct Poller::State {
  std::atomic<std::uint32_t>* word = io::take_word();  // recycled, never freed: see io_table.hpp
  std::vector<int> armed;                              // fetch operations, reported once done

  void unwatch_all() noexcept {
    for (int op : armed) io::unwatch(op, word);
    armed.clear();
  }
};

Poller::Poller() : state_(std::make_unique<State>()) {}

Poller::~Poller() {
  state_->unwatch_all();
  io::give_back_word(state_->word);
}

void Poller::arm(int fd, std::uint32_t interest) {
  if (!io::is_op(fd))
    throw std::logic_error("waiting on file descriptor " + std::to_string(fd) +
                           ": the WASM build has no sockets or files, only fetch operations");
  if ((interest & kReadable) == 0)
    throw std::logic_error("a fetch operation only becomes readable (done); it is never writable");
  if (std::find(state_->armed.begin(), state_->armed.end(), fd) == state_->armed.end())
    state_->armed.push_back(fd);
  // Already done: no notification may come, so make the next wait() return at once.
  if (io::watch(fd, state_->word)) state_->word->store(1);
}

void Poller::disarm(int fd) {
  auto& armed = state_->armed;
  const auto it = std::find(armed.begin(), armed.end(), fd);
  if (it == armed.end()) return;
  io::unwatch(fd, state_->word);
  armed.erase(it);
}

void Poller::forget(int fd) {
  disarm(fd);
}

void Poller::wait(std::optional<Nanos> deadline, std::vector<Readiness>& ready) noexcept {
  auto& word = *state_->word;
  double timeout_ms = INFINITY;
  if (deadline) timeout_ms = std::max<double>(0.0, static_cast<double>(*deadline - now()) / 1e6);
  if (timeout_ms > 0) emscripten_futex_wait(&word, 0, timeout_ms);
  // Reset first, then look: an op that completes after the look sets the word again, so
  // the next wait returns at once. Nothing set it: nothing completed (or was woken).
  if (word.exchange(0) == 0) return;
  auto& armed = state_->armed;
  for (auto it = armed.begin(); it != armed.end();) {
    if (io::done(*it)) {
      ready.push_back({*it, kReadable});
      io::unwatch(*it, state_->word);
      it = armed.erase(it);
    } else {
      ++it;
    }
  }
}

void Poller::wake() noexcept {
  state_->word->store(1);
  emscripten_futex_wake(state_->word, 1);
}

}  // namespace samovar::platform
