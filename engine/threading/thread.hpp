#pragma once
#include <functional>
#include <string>
#include <thread>

#include "engine/trace/recorder.hpp"

namespace samovar::threading {

// threading.Thread: runs `target` on a real OS thread (a pthread in WASM), on a lane of its own
// named `name` in the run's trace. Never detached: the destructor joins a thread still
// running, so no thread outlives its run. start() and join() from one owning thread.
class Thread {
 public:
  Thread(std::string name, std::function<void()> target, trace::Recorder& recorder);
  ~Thread();
  Thread(Thread&&) = default;
  Thread& operator=(Thread&&) = delete;

  void start();
  void join();
  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  std::function<void()> target_;
  trace::Recorder* recorder_;
  std::thread thread_;
};

// The trace lane of the calling thread if a Thread started it (or it said which), else
// `fallback`.
trace::LaneId current_lane(trace::LaneId fallback);
// For threads samovar did not start as a Thread (a pool's workers): print and trace on `lane`.
void set_current_lane(trace::LaneId lane);

}  // namespace samovar::threading
