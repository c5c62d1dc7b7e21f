#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/threading/errors.hpp"
#include "engine/threading/runtime.hpp"

namespace samovar::threading {

// threading.Thread: runs `target` on a real OS thread (a pthread in WASM), on a lane of its own
// named `name` in the run's trace, where it shows running between its waits. Never detached:
// the destructor joins a thread still running, so no thread outlives its run. A daemon thread
// is stopped, not waited for, when the program ends (DaemonStopped at its next wait). With the
// GIL modelled, the thread holds it while it runs. An exception that ends the target is kept
// for exception(), as Python hands it to threading.excepthook. start() and join() from one
// owner; not moved once started.
class Thread {
 public:
  Thread(std::string name, std::function<void()> target, Runtime& runtime, bool daemon = false);
  ~Thread();
  Thread(Thread&&) = default;
  Thread& operator=(Thread&&) = delete;

  // Returns once the thread is running, as Python's start() does.
  void start();
  // Blocks until the thread ends: a traced, GIL-releasing, deadline-bound wait.
  void join();
  const std::string& name() const noexcept { return name_; }
  bool daemon() const noexcept { return daemon_; }
  // After join(): what ended the target, if it threw (a daemon's DaemonStopped is not kept).
  std::exception_ptr exception() const noexcept { return exception_; }

 private:
  std::string name_;
  std::function<void()> target_;
  Runtime* runtime_;
  bool daemon_;
  std::exception_ptr exception_;
  ThreadState* state_ = nullptr;  // once started; the runtime owns it
  struct Finished {
    std::mutex mutex;
    std::condition_variable cv;
    bool started = false;
    bool done = false;
  };
  std::unique_ptr<Finished> finished_ = std::make_unique<Finished>();
  std::thread thread_;
};

// The trace lane of the calling thread if a Thread started it (or it said which), else
// `fallback`.
trace::LaneId current_lane(trace::LaneId fallback);
// For threads samovar did not start as a Thread (a pool's workers): print and trace on `lane`.
void set_current_lane(trace::LaneId lane);

}  // namespace samovar::threading
