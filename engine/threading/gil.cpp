#include "engine/threading/gil.hpp"

#include <chrono>

namespace samovar::threading {

Gil::Gil(Runtime& rt, double switch_interval_s)
    : rt_(rt), interval_(platform::to_nanos(switch_interval_s)), lane_(rt.recorder().lane("GIL")) {}

bool Gil::take(ThreadState& me) {
  const platform::Nanos start = platform::now();
  std::unique_lock lock(mutex_);
  const bool contended = holder_ != nullptr;
  if (contended) rt_.pause_running(me, start);
  ++waiters_;
  while (holder_ != nullptr) {
    if (me.stop.load() || rt_.stop().due(platform::now())) {
      --waiters_;
      return false;
    }
    const std::uint64_t seen = switches_;
    const bool freed = released_.wait_for(lock, std::chrono::nanoseconds(interval_),
                                          [&] { return holder_ == nullptr; });
    // A whole interval and the GIL did not change hands: ask its holder to let go.
    if (!freed && switches_ == seen) drop_request_.store(true, std::memory_order_relaxed);
  }
  --waiters_;
  holder_ = &me;
  ++switches_;
  drop_request_.store(false, std::memory_order_relaxed);
  held_since_ = platform::now();
  lock.unlock();
  switched_.notify_all();
  rt_.recorder().open("GIL held");
  if (contended) {
    rt_.recorder().span(me.lane, trace::State::blocked, "acquire", start, held_since_, lane_);
    me.running_since = held_since_;
  }
  return true;
}

void Gil::drop(ThreadState& me, bool forced) {
  rt_.recorder().close("GIL held");
  std::unique_lock lock(mutex_);
  rt_.recorder().span(lane_, trace::State::running, "held", held_since_, platform::now(),
                      trace::kNoLane, me.lane);
  holder_ = nullptr;
  const std::uint64_t seen = switches_;
  released_.notify_one();
  // Forced: wait for a waiter to take it, or the holder would take it straight back.
  if (forced)
    switched_.wait_for(lock, std::chrono::nanoseconds(interval_),
                       [&] { return switches_ != seen || waiters_ == 0; });
}

std::uint64_t Gil::switches() const {
  std::lock_guard lock(mutex_);
  return switches_;
}

}  // namespace samovar::threading
