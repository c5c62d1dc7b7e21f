#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>

#include "engine/threading/runtime.hpp"

namespace samovar::threading {

// A start line for `racers` threads and one starter: the racers wait until all have arrived
// and the starter opens the gate, then leave it at the same moment. A Barrier alone lets them
// go one wake-up at a time, and a wake-up can outlast a short piece of work (WASM workers were
// seen to finish 100,000 increments before the next woke): here each racer, once woken, also
// spins until every racer is running. The starter does not spin, so it takes no core from
// them. With the GIL modelled only one can run anyway, so no racer spins. Each wait is traced
// as a blocked "wait" on the gate's lane (a racer's until it is woken); a racer's running span
// begins when all leave. One use; thread-safe.
class StartGate {
 public:
  StartGate(Runtime& rt, std::size_t racers, const std::string& name = "start");

  // A racer: returns when every racer is running. Throws DeadlineExceeded or
  // contract::Cancelled if the run ends first.
  void wait();
  // The starter: waits until every racer has arrived, then lets them go.
  void open();

 private:
  Runtime& rt_;
  trace::LaneId lane_;
  const std::size_t racers_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t arrived_ = 0;
  bool open_ = false;
  std::atomic<std::size_t> running_{0};
};

}  // namespace samovar::threading
