#include "engine/platform/poller.hpp"

#include <emscripten/threading.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>

namespace samovar::platform {

// A futex word: wake() sets it and notifies; wait() sleeps on it until the deadline.
// emscripten_futex_wait is a real memory.atomic.wait32 on a pthread (std::atomic::wait
// only polls in this libc++), and JS can notify the same word later (the I/O worker).
struct Poller::State {
  std::atomic<std::uint32_t> word{0};
};

Poller::Poller() : state_(std::make_unique<State>()) {}
Poller::~Poller() = default;

void Poller::arm(int, std::uint32_t) {
  throw std::logic_error("waiting on file descriptors is not available in the WASM build");
}
void Poller::disarm(int) {}
void Poller::forget(int) {}

void Poller::wait(std::optional<Nanos> deadline, std::vector<Readiness>&) {
  double timeout_ms = INFINITY;
  if (deadline) timeout_ms = std::max<double>(0.0, static_cast<double>(*deadline - now()) / 1e6);
  if (timeout_ms > 0) emscripten_futex_wait(&state_->word, 0, timeout_ms);
  state_->word.store(0, std::memory_order_relaxed);
}

void Poller::wake() noexcept {
  state_->word.store(1, std::memory_order_release);
  emscripten_futex_wake(&state_->word, 1);
}

}  // namespace samovar::platform
