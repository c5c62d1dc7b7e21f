#include "engine/concurrent/process_pool_executor.hpp"

#include <algorithm>
#include <exception>

#include "engine/multiprocessing/wire.hpp"

namespace samovar::concurrent {

namespace wire = multiprocessing::wire;

std::size_t ProcessPoolExecutor::default_workers() {
  return std::min<std::size_t>(platform::process::max_workers(),
                               std::max(1u, std::thread::hardware_concurrency()));
}

ProcessPoolExecutor::ProcessPoolExecutor(std::size_t max_workers, trace::Recorder* recorder)
    : recorder_(recorder) {
  if (max_workers == 0) throw std::invalid_argument("max_workers must be greater than 0");
  if (max_workers > platform::process::max_workers())
    throw std::invalid_argument("max_workers must be at most " +
                                std::to_string(platform::process::max_workers()) + " here");
  workers_.resize(max_workers);
  ids_.resize(max_workers, 0);
  manager_state_ = std::make_unique<Manager[]>(max_workers);
  for (std::size_t i = 0; i < max_workers; ++i)
    lanes_.push_back(recorder_ ? recorder_->lane("Process-" + std::to_string(i + 1))
                               : trace::kNoLane);
  // Each manager starts its own worker, so they all start at once.
  for (std::size_t i = 0; i < max_workers; ++i) managers_.emplace_back([this, i] { manage(i); });
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return started_ == max_workers; });
  if (broken_) {
    const std::string why = *broken_;
    lock.unlock();
    shutdown(true);
    throw BrokenProcessPool("the process pool could not start: " + why);
  }
}

ProcessPoolExecutor::~ProcessPoolExecutor() {
  // Left by an exception (a run past its deadline, a call that failed): nobody will read the
  // calls still queued or running, and waiting for them could outlast the run's deadline by
  // far. They are dropped and the workers ended instead of waited for.
  if (std::uncaught_exceptions() > uncaught_at_start_) kill_workers();
  shutdown(true);
}

void ProcessPoolExecutor::kill_workers() {
  shutdown(false, true);
  std::lock_guard lock(mutex_);
  for (auto& w : workers_)
    if (w) w->kill();
}

void ProcessPoolExecutor::manage(std::size_t index) {
  std::unique_ptr<platform::process::Worker> started;
  std::string failure;
  try {
    started = platform::process::start_worker();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  platform::process::Worker* worker = started.get();
  std::deque<Job> pending;
  {
    std::lock_guard lock(mutex_);
    if (worker != nullptr) {
      ids_[index] = worker->id();
      workers_[index] = std::move(started);
    } else {
      pending = break_pool(failure);
    }
    ++started_;
  }
  changed_.notify_all();
  fail(std::move(pending));

  const trace::LaneId lane = lanes_[index];
  Manager& me = manager_state_[index];
  // The worker process waits for work from its start and between calls: its lane says so.
  platform::Nanos idle_from = platform::now();
  const auto waited = [&](platform::Nanos until) {
    if (recorder_ && until > idle_from)
      recorder_->span(lane, trace::State::waiting, "waiting for work", idle_from, until);
  };
  bool died = false;
  while (worker != nullptr) {
    Job job;
    bool sent = false;
    {
      std::unique_lock lock(mutex_);
      if (!me.idle) me.idle_since = ++idle_clock_;
      me.idle = true;
      // A handed call is this manager's whatever happens: its submitter is still using the
      // worker until `sent`.
      me.wake.wait(lock, [&] {
        return me.handed ? me.sent : !queue_.empty() || shutting_down_ || broken_.has_value();
      });
      me.idle = false;
      if (me.handed) {
        job = std::move(*me.handed);
        me.handed.reset();
        me.sent = false;
        sent = true;
      } else if (broken_ || queue_.empty()) {
        break;
      } else {
        job = std::move(queue_.front());
        queue_.pop_front();
        job.start = platform::now();
      }
      if (recorder_) ran_on_[job.number] = lane;
    }
    waited(job.start);
    std::string answer;
    try {
      if (!sent) worker->send(job.request);
      answer = worker->receive();
      idle_from = platform::now();
      if (recorder_ && job.traced)
        recorder_->span(lane, trace::State::running, "call", job.start, idle_from);
    } catch (const platform::process::WorkerDied& e) {
      // Broken first, so that whoever sees this future fail also sees the pool broken.
      {
        std::lock_guard lock(mutex_);
        pending = break_pool(e.what());
      }
      fail(std::move(pending));
      job.future.set_exception(std::make_exception_ptr(BrokenProcessPool(
          std::string("a process in the pool ended abruptly while a call was running: ") +
          e.what())));
      died = true;
      break;
    }
    {
      // Idle before the future completes: the caller's next call, submitted the moment it
      // sees this result, then goes to this worker, which is still watching its socket.
      std::lock_guard lock(mutex_);
      ++calls_[ids_[index]];
      me.idle = true;
      me.idle_since = ++idle_clock_;
    }
    try {
      wire::Outcome outcome = wire::decode_outcome(answer);
      if (outcome.ok)
        job.future.set_result(std::move(outcome.value));
      else
        job.future.set_exception(
            std::make_exception_ptr(RemoteError(outcome.error_type, outcome.value)));
    } catch (const wire::BadMessage& e) {
      job.future.set_exception(std::make_exception_ptr(RemoteError("RuntimeError", e.what())));
    }
  }
  if (worker != nullptr && !died) waited(platform::now());
  // Ends and reaps this manager's worker (its destructor waits for the exit), outside the lock.
  std::unique_ptr<platform::process::Worker> done;
  {
    std::lock_guard lock(mutex_);
    done = std::move(workers_[index]);
  }
}

std::deque<ProcessPoolExecutor::Job> ProcessPoolExecutor::break_pool(const std::string& why) {
  if (!broken_) broken_ = why;
  std::deque<Job> pending;
  pending.swap(queue_);
  // As CPython's: one worker gone breaks the pool, and the others are ended too. Calls handed
  // to a worker stay with its manager, whose receive() now fails.
  for (auto& w : workers_)
    if (w) w->kill();
  wake_managers();
  return pending;
}

void ProcessPoolExecutor::wake_managers() {
  changed_.notify_all();
  for (std::size_t i = 0; i < workers_.size(); ++i) manager_state_[i].wake.notify_all();
}

void ProcessPoolExecutor::fail(std::deque<Job> jobs) {
  if (jobs.empty()) return;  // also: the pool may not be broken at all
  std::string why;
  {
    std::lock_guard lock(mutex_);
    why = *broken_;
  }
  for (auto& job : jobs)
    job.future.set_exception(
        std::make_exception_ptr(BrokenProcessPool("the process pool is broken: " + why)));
}

Future<std::string> ProcessPoolExecutor::submit(std::string function, std::string argument) {
  Future<std::string> future;
  Job job{wire::encode(wire::Call{std::move(function), std::move(argument)}), future};
  Manager* idle = nullptr;
  platform::process::Worker* worker = nullptr;
  std::string_view request;
  {
    std::lock_guard lock(mutex_);
    if (broken_) throw BrokenProcessPool("the process pool is broken: " + *broken_);
    if (shutting_down_) throw std::runtime_error("cannot schedule new futures after shutdown");
    job.number = submitted_++;
    job.traced = trace_calls_;
    if (recorder_) ran_on_.push_back(trace::kNoLane);
    // The worker idle for the shortest time: it may still be watching its socket.
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      Manager& m = manager_state_[i];
      if (m.idle && !m.handed && workers_[i] &&
          (idle == nullptr || m.idle_since > idle->idle_since)) {
        idle = &m;
        worker = workers_[i].get();
      }
    }
    if (idle == nullptr) {  // every manager is busy: the first to finish takes it
      queue_.push_back(std::move(job));
      return future;
    }
    job.start = platform::now();
    if (recorder_)
      ran_on_[job.number] = lanes_[static_cast<std::size_t>(idle - &manager_state_[0])];
    idle->handed = std::move(job);
    request = idle->handed->request;  // stays put: only this thread and its manager touch it
  }
  // The worker stays alive until its manager has this call's answer or failure.
  try {
    worker->send(request);
  } catch (const platform::process::WorkerDied&) {
    // The manager's receive() fails too, and breaks the pool.
  } catch (...) {
    std::unique_lock lock(mutex_);
    Job back = std::move(*idle->handed);
    idle->handed.reset();
    lock.unlock();
    back.future.set_exception(std::current_exception());
    idle->wake.notify_one();
    return future;
  }
  {
    std::lock_guard lock(mutex_);
    idle->sent = true;
  }
  idle->wake.notify_one();
  return future;
}

std::vector<std::string> ProcessPoolExecutor::map(const std::string& function,
                                                  const std::vector<std::string>& arguments,
                                                  std::optional<double> timeout_s) {
  std::vector<Future<std::string>> futures;
  futures.reserve(arguments.size());
  for (const auto& argument : arguments) futures.push_back(submit(function, argument));
  return results_in_order(futures, timeout_s);
}

std::vector<std::string> ProcessPoolExecutor::map(const std::string& function,
                                                  const std::vector<std::string>& arguments,
                                                  const contract::Stop& stop) {
  std::vector<Future<std::string>> futures;
  futures.reserve(arguments.size());
  for (const auto& argument : arguments) futures.push_back(submit(function, argument));
  return results_in_order(futures, stop);
}

void ProcessPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  std::vector<std::thread> joining;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    if (cancel_futures) {
      for (auto& job : queue_)
        job.future.set_exception(
            std::make_exception_ptr(std::runtime_error("cancelled at shutdown")));
      queue_.clear();
    }
    if (wait) joining.swap(managers_);
    wake_managers();
  }
  for (auto& t : joining) t.join();
}

std::vector<long> ProcessPoolExecutor::worker_ids() const {
  std::lock_guard lock(mutex_);
  return ids_;
}

std::map<long, std::size_t> ProcessPoolExecutor::calls_per_worker() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

trace::LaneId ProcessPoolExecutor::lane_of_call(std::size_t call) const {
  std::lock_guard lock(mutex_);
  return call < ran_on_.size() ? ran_on_[call] : trace::kNoLane;
}

void ProcessPoolExecutor::trace_calls(bool on) {
  std::lock_guard lock(mutex_);
  trace_calls_ = on;
}

std::size_t ProcessPoolExecutor::calls_submitted() const {
  std::lock_guard lock(mutex_);
  return submitted_;
}

void ProcessPoolExecutor::kill_worker(std::size_t index) {
  std::lock_guard lock(mutex_);
  if (index < workers_.size() && workers_[index]) workers_[index]->kill();
}

}  // namespace samovar::concurrent
