#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/concurrent/future.hpp"
#include "engine/platform/process.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::concurrent {

// concurrent.futures.process.BrokenProcessPool: a worker died, so the pool is broken: every
// pending future fails with it, and so does every later submit.
class BrokenProcessPool : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An exception raised by the function in the worker, raised again here: its Python type and
// message ("ValueError: no milk").
class RemoteError : public std::runtime_error {
 public:
  RemoteError(std::string type, const std::string& message)
      : std::runtime_error(type + ": " + message), type_(std::move(type)) {}
  const std::string& type() const noexcept { return type_; }

 private:
  std::string type_;
};

// concurrent.futures.ProcessPoolExecutor: `max_workers` worker processes (platform::process:
// real processes natively, isolated instances in WASM) run calls in FIFO order. A call names a
// function of multiprocessing/functions.hpp and passes its argument as bytes; the result
// comes back as bytes. The workers start with the pool (all at once) and are ended and reaped
// by shutdown; the destructor is shutdown(wait=true), except while an exception leaves the
// pool's scope: then queued calls are dropped and the workers ended (see the destructor).
// submit() and shutdown() are thread-safe.
// Each worker has a manager thread that receives its answers and completes the futures (the
// futures' callbacks run there). A call submitted while a worker is idle is sent to it by
// submit() itself, so the manager's wake-up overlaps the call instead of preceding it; other
// calls queue, and a manager sends the next as its worker finishes one.
class ProcessPoolExecutor {
 public:
  // With a recorder, each worker gets a trace lane ("Process-1", ...) showing its calls and
  // its waits for work between them.
  explicit ProcessPoolExecutor(std::size_t max_workers = default_workers(),
                               trace::Recorder* recorder = nullptr);
  ~ProcessPoolExecutor();
  ProcessPoolExecutor(const ProcessPoolExecutor&) = delete;
  ProcessPoolExecutor& operator=(const ProcessPoolExecutor&) = delete;

  // Python's default: one per core (no more than this target can start).
  static std::size_t default_workers();
  std::size_t max_workers() const noexcept { return workers_.size(); }

  Future<std::string> submit(std::string function, std::string argument);
  // Executor.map: results in the arguments' order; the first failure (in that order) is
  // raised; `timeout_s` bounds the whole wait.
  std::vector<std::string> map(const std::string& function,
                               const std::vector<std::string>& arguments,
                               std::optional<double> timeout_s = std::nullopt);
  // The same, bounded by the run's stop (DeadlineExceeded, contract::Cancelled).
  std::vector<std::string> map(const std::string& function,
                               const std::vector<std::string>& arguments,
                               const contract::Stop& stop);
  // No new calls after this; with `wait`, returns once the queued calls are done and the
  // workers reaped. cancel_futures: queued calls not yet started are dropped (their futures fail).
  void shutdown(bool wait = true, bool cancel_futures = false);

  // Python 3.14's kill_workers(): no new calls, queued ones dropped (their futures fail), every
  // worker ended now, mid-call or not. For a caller leaving with a failure: the destructor does
  // it on its own only when it sees the exception, which a std::rethrow_exception in WASM (JS
  // exceptions) does not show it.
  void kill_workers();

  // The workers' ids (natively pids), and how many calls each ran.
  std::vector<long> worker_ids() const;
  std::map<long, std::size_t> calls_per_worker() const;
  // The lane of the worker that ran (or runs) the `call`-th call submitted (from 0), so that
  // what the call did can be told on its process's lane; kNoLane before it is sent, or without
  // a recorder. calls_submitted(): how many submit() took so far.
  trace::LaneId lane_of_call(std::size_t call) const;
  // Off: a call's lane gets no "call" span; its caller draws what the call did there from the
  // call's own answer (when it waited, when it ran), which one running span would cover up.
  void trace_calls(bool on);
  std::size_t calls_submitted() const;
  // Ends worker `index` at once, as a crash would (tests).
  void kill_worker(std::size_t index);

 private:
  struct Job {
    std::string request;
    Future<std::string> future;
    platform::Nanos start = 0;  // when it was sent
    std::size_t number = 0;     // its place among the calls submitted
    bool traced = true;         // gets a "call" span (trace_calls)
  };
  // A worker's manager: what it waits on, and a call a submitter sent straight to its worker.
  struct Manager {
    std::condition_variable wake;
    bool idle = false;             // waiting for work
    std::uint64_t idle_since = 0;  // idle_clock_ when it last became idle
    std::optional<Job> handed;     // sent (or being sent) by submit(): only this manager ends it
    bool sent = false;             // ...and that send has returned: its answer may be received
  };
  void manage(std::size_t index);
  void wake_managers();  // under mutex_
  // Under mutex_: marks the pool broken, ends every worker, and hands back the queued jobs for
  // fail() to fail outside the lock (a future's callbacks run where it is failed).
  std::deque<Job> break_pool(const std::string& why);
  void fail(std::deque<Job> jobs);

  const int uncaught_at_start_ = std::uncaught_exceptions();
  trace::Recorder* recorder_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  std::vector<std::unique_ptr<platform::process::Worker>> workers_;  // set by their managers
  std::vector<long> ids_;
  std::map<long, std::size_t> calls_;
  std::size_t started_ = 0;
  bool shutting_down_ = false;
  std::optional<std::string> broken_;
  std::vector<std::thread> managers_;
  std::unique_ptr<Manager[]> manager_state_;
  std::uint64_t idle_clock_ = 0;      // counts managers becoming idle
  std::vector<trace::LaneId> lanes_;  // each worker's, made with the pool
  std::size_t submitted_ = 0;
  bool trace_calls_ = true;
  std::vector<trace::LaneId> ran_on_;  // with a recorder: per call submitted, its worker's lane
};

}  // namespace samovar::concurrent
