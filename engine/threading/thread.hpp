#pragma once
#include <exception>
#include <functional>
#include <string>
#include <thread>

#include "engine/trace/recorder.hpp"

namespace samovar::threading {

// Thrown at a daemon thread's next wait once the program has ended: it unwinds the thread.
class DaemonStopped : public std::exception {
 public:
  const char* what() const noexcept override { return "daemon thread stopped at program exit"; }
};

// threading.Thread: runs `target` on a real OS thread (a pthread in WASM), on a lane of its own
// named `name` in the run's trace. Never detached: the destructor joins a thread still
// running, so no thread outlives its run. A daemon thread is stopped, not waited for, when
// the program ends (DaemonStopped at its next wait). start() and join() from one owner.
class Thread {
 public:
  Thread(std::string name, std::function<void()> target, trace::Recorder& recorder, bool daemon = false);
  ~Thread();
  Thread(Thread&&) = default;
  Thread& operator=(Thread&&) = delete;

  void start();
  void join();
  const std::string& name() const noexcept { return name_; }
  bool daemon() const noexcept { return daemon_; }

 private:
  std::string name_;
  std::function<void()> target_;
  trace::Recorder* recorder_;
  bool daemon_;
  std::thread thread_;
};

// The trace lane of the calling thread if a Thread started it (or it said which), else
// `fallback`.
trace::LaneId current_lane(trace::LaneId fallback);
// For threads samovar did not start as a Thread (a pool's workers): print and trace on `lane`.
void set_current_lane(trace::LaneId lane);

}  // namespace samovar::threading
