#include "engine/threading/start_gate.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

StartGate::StartGate(Runtime& rt, std::size_t racers, const std::string& name)
    : rt_(rt), lane_(rt.recorder().lane(name)), racers_(racers) {
  if (racers == 0) throw std::invalid_argument("a start gate needs at least one racer");
}

void StartGate::wait() {
  ThreadState& me = rt_.current();
  {
    WaitScope scope(rt_, me, mutex_, cv_, {trace::State::blocked, "wait", lane_});
    std::unique_lock lock(mutex_);
    if (++arrived_ == racers_) {
      cv_.notify_all();
      rt_.changed(cv_);
    }
    scope.wait(
        lock, [&] { return open_; }, std::nullopt);
  }
  // Explored, the racers take turns anyway (and spinning would keep the turn forever).
  if (rt_.gil() != nullptr || rt_.explores()) return;
  // Every racer is awake and spinning when the last one arrives here: they leave together.
  // Spinning on the core: a yield on a busy machine hands it to another process for a slice,
  // and the others would leave without this one. Only racers that outnumber the cores yield,
  // so that the rest get their turn to arrive. The spin is left out of the trace: the lane's
  // running span begins as the racers leave, since recording then takes the recorder's lock,
  // which would part them again.
  const bool crowded = racers_ > std::max(1U, std::thread::hardware_concurrency());
  running_.fetch_add(1, std::memory_order_acq_rel);
  for (unsigned spins = 1; running_.load(std::memory_order_acquire) < racers_; ++spins) {
    if (crowded) std::this_thread::yield();
    if (spins % 4096 == 0) rt_.check_deadline();
  }
  me.running_since = platform::now();
}

void StartGate::open() {
  WaitScope scope(rt_, rt_.current(), mutex_, cv_, {trace::State::blocked, "wait", lane_});
  std::unique_lock lock(mutex_);
  scope.wait(
      lock, [&] { return arrived_ == racers_; }, std::nullopt);
  open_ = true;
  cv_.notify_all();
  rt_.changed(cv_);
}

}  // namespace samovar::threading
