#include "engine/workload/run.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/asyncio/current_task.hpp"
#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/files.hpp"
#include "engine/asyncio/lock.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/contract/format.hpp"
#include "engine/multiprocessing/functions.hpp"
#include "engine/multiprocessing/lock.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/net/delay_server.hpp"
#include "engine/net/http_client.hpp"
#include "engine/platform/files.hpp"
#include "engine/platform/machine.hpp"
#include "engine/platform/process.hpp"
#include "engine/threading/gil.hpp"
#include "engine/threading/lock.hpp"
#include "engine/threading/thread.hpp"
#include "engine/threading/wait_scope.hpp"
#include "engine/workload/cpu.hpp"

namespace samovar::workload {

const char* to_string(Model model) noexcept {
  switch (model) {
    case Model::sequential:
      return "sequential";
    case Model::asyncio:
      return "asyncio";
    case Model::threading:
      return "threading";
    case Model::threading_free:
      return "threading, GIL off";
    case Model::multiprocessing:
      return "multiprocessing";
  }
  return "sequential";
}

namespace {

using Word = multiprocessing::SharedWords::Word;

// What Recorder::peak_overlap counts a step kind's intervals as (span names are literals).
const char* overlap_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::sleep:
      return "workload sleep";
    case Kind::block:
      return "workload block";
    case Kind::cpu:
      return "workload cpu";
    case Kind::http:
      return "workload http";
    case Kind::file:
      return "workload file";
    default:
      return "workload step";
  }
}

trace::State state_of(Kind kind) noexcept {
  switch (kind) {
    case Kind::cpu:
    case Kind::incr:
      return trace::State::running;
    case Kind::lock:
      return trace::State::blocked;
    default:
      return trace::State::waiting;
  }
}

// An interval of a step, counted open from construction to destruction however it ends; with
// `draw`, also a span on the task's lane (models that draw the wait themselves pass false).
class StepScope {
 public:
  StepScope(trace::Recorder& r, trace::LaneId lane, Kind kind, bool draw)
      : r_(r), lane_(lane), kind_(kind), draw_(draw), start_(platform::now()) {
    r_.open(overlap_name(kind_));
  }
  ~StepScope() {
    r_.close(overlap_name(kind_));
    if (draw_) r_.span(lane_, state_of(kind_), to_string(kind_), start_, platform::now());
  }
  StepScope(const StepScope&) = delete;
  StepScope& operator=(const StepScope&) = delete;

 private:
  trace::Recorder& r_;
  trace::LaneId lane_;
  Kind kind_;
  bool draw_;
  platform::Nanos start_;
};

// What a file step writes: `bytes` of a pattern that depends on where it goes.
std::string file_data(long long bytes, std::size_t seed) {
  std::string data(static_cast<std::size_t>(bytes), '\0');
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
  return data;
}

// A file step done blocking: write, fsync, read back; whether it came back the same.
bool file_round_trip(const std::string& path, long long bytes, std::size_t seed) {
  const std::string data = file_data(bytes, seed);
  platform::files::write(path, data, true);
  return platform::files::read(path) == data;
}

asyncio::Task<int> get_status(std::string url) {
  net::ClientSession session({30, 64 * 1024});
  const net::Response response = co_await session.get(std::move(url));
  co_return response.status;
}

// requests.get(url) in effect: the calling thread waits for the answer (on a loop of its own).
bool http_blocking(const std::string& url, const contract::Stop& stop) {
  trace::Recorder quiet(trace::Level::off, {}, platform::now());
  asyncio::EventLoop loop(quiet);
  try {
    return loop.run_until_complete(get_status(url), stop) == 200;
  } catch (const net::ClientError&) {
    return false;
  }
}

// time.sleep where no threading model is running (the event loop's thread, a process).
void blocking_sleep(double seconds, const contract::Stop& stop) {
  const platform::Nanos until = platform::now() + platform::to_nanos(seconds);
  for (platform::Nanos now = platform::now(); now < until; now = platform::now()) {
    stop.check(now);
    const platform::Nanos wake = std::min(until, stop.wake_by(now));
    std::this_thread::sleep_for(std::chrono::nanoseconds(wake - now));
  }
}

long long cpu_work(long long units, const contract::Stop& stop, threading::Runtime* rt) {
  long long primes = 0;
  auto checkpoint = [rt] {
    if (rt != nullptr) rt->checkpoint();
  };
  for (long long u = 0; u < units; ++u) {
    primes += cpu_unit(checkpoint);
    stop.check();
  }
  return primes;
}

bool has(const Spec& spec, Kind kind) {
  for (const auto& task : spec.tasks)
    for (const auto& step : task.steps)
      if (step.kind == kind) return true;
  return false;
}

asyncio::Task<void> serve_delay(std::promise<std::string>& base, const std::atomic<bool>& done) {
  const auto server = net::start_delay_server();
  base.set_value(server ? server->base_url() : "");
  while (server && !done.load()) co_await asyncio::sleep(0.02);
}

// samovar's own /delay, for http steps without a url: natively a server on a thread and loop
// of its own, so that it answers whichever model the tasks run under (a blocked loop, a
// process); in WASM none (the page's origin answers /delay).
class DelayHost {
 public:
  explicit DelayHost(const contract::Stop& stop) {
    std::promise<std::string> base;
    auto ready = base.get_future();
    thread_ = std::thread([this, &base, stop] {
      trace::Recorder quiet(trace::Level::off, {}, platform::now());
      asyncio::EventLoop loop(quiet);
      try {
        loop.run_until_complete(serve_delay(base, done_), stop);
      } catch (...) {  // the run's deadline: the tasks' own waits report it
      }
    });
    base_ = ready.get();
  }
  ~DelayHost() {
    done_ = true;
    thread_.join();
  }
  DelayHost(const DelayHost&) = delete;
  DelayHost& operator=(const DelayHost&) = delete;
  const std::string& base_url() const noexcept { return base_; }

 private:
  std::atomic<bool> done_{false};
  std::string base_;
  std::thread thread_;
};

// What the tasks of one run share in this process.
struct Shared {
  const Spec& spec;
  Env& env;
  Model model;
  bool stable;  // whether the order of the tasks' lines is the same every run
  std::vector<trace::LaneId> lanes;
  std::vector<std::string> lane_names;
  std::map<std::string, std::unique_ptr<std::atomic<long long>>> counters;
  std::atomic<long long> primes{0};
  std::atomic<std::size_t> files_mismatched{0}, http_failed{0};
  std::string dir;         // for file steps
  std::string delay_base;  // for http steps without a url

  Shared(const Spec& s, Env& e, Model m) : spec(s), env(e), model(m) {
    // Sequential tasks print in one order; so do coroutines, but for an answer or a file
    // operation, whose completion order is a race.
    stable = m == Model::sequential ||
             (m == Model::asyncio && !has(spec, Kind::http) && !has(spec, Kind::file));
    for (const auto& task : spec.tasks) {
      lane_names.push_back(env.lane_prefix + task.name);
      lanes.push_back(env.recorder.lane(lane_names.back()));
    }
    for (const auto& c : spec.counters)
      counters[c.name] = std::make_unique<std::atomic<long long>>(0);
  }
  double seconds(double guide) const { return guide * env.scale; }
  std::string url(const Step& s) const {
    return s.url.empty() ? delay_base + "/delay/" + contract::shortest(seconds(s.seconds)) : s.url;
  }
  std::string path(std::size_t task, std::size_t step) const {
    return dir + "/task-" + std::to_string(task + 1) + "-step-" + std::to_string(step + 1);
  }
  void say(std::size_t task, const std::string& text) {
    env.recorder.print(lanes[task], text, stable);
  }
  void started(std::size_t task) {
    if (env.announce) say(task, spec.tasks[task].name + " started");
  }
  void finished(std::size_t task) {
    if (env.announce) say(task, spec.tasks[task].name + " finished");
  }
};

// ---- sequential and threading: each task a function on a thread ----

struct ThreadLocks {
  std::map<std::string, std::unique_ptr<threading::Lock>> named, of_counter;
  ThreadLocks(threading::Runtime& rt, const Spec& spec) {
    for (const auto& l : spec.locks) named[l] = std::make_unique<threading::Lock>(rt, l);
    for (const auto& c : spec.counters)
      of_counter[c.name] = std::make_unique<threading::Lock>(rt, c.name + " lock");
  }
};

// A wait the threading model does not know of (a GET, a file): the GIL is dropped for it and
// it is drawn on the task's lane, as CPython's I/O calls release the GIL.
template <class F>
void io_wait(threading::Runtime& rt, trace::LaneId lane, const char* name, F f) {
  threading::ThreadState& me = rt.current();
  threading::WaitScope scope(
      rt, me, me.park_mutex, me.park_cv,
      {trace::State::waiting, name, trace::kNoLane, trace::kNoLane, nullptr, true, lane});
  f();
}

void task_on_thread(Shared& sh, threading::Runtime& rt, ThreadLocks& locks, std::size_t i) {
  const trace::LaneId lane = sh.lanes[i];
  auto& r = sh.env.recorder;
  sh.started(i);
  const auto& steps = sh.spec.tasks[i].steps;
  for (std::size_t n = 0; n < steps.size(); ++n) {
    const Step& s = steps[n];
    switch (s.kind) {
      case Kind::sleep:
      case Kind::block: {  // time.sleep either way: a thread has nothing to await
        const StepScope scope(r, lane, s.kind, false);
        rt.sleep(sh.seconds(s.seconds), lane);
        break;
      }
      case Kind::cpu: {
        const StepScope scope(r, lane, s.kind, true);
        sh.primes += cpu_work(s.units, rt.stop(), &rt);
        break;
      }
      case Kind::http: {
        const StepScope scope(r, lane, s.kind, false);
        io_wait(rt, lane, "http", [&] {
          if (!http_blocking(sh.url(s), rt.stop())) ++sh.http_failed;
        });
        break;
      }
      case Kind::file: {
        const StepScope scope(r, lane, s.kind, false);
        io_wait(rt, lane, "file", [&] {
          if (!file_round_trip(sh.path(i, n), s.bytes, i)) ++sh.files_mismatched;
        });
        break;
      }
      case Kind::lock:
        locks.named.at(s.name)->acquire();
        break;
      case Kind::unlock:
        locks.named.at(s.name)->release();
        break;
      case Kind::incr: {
        // A racy increment is a relaxed load, then a relaxed store (DESIGN.md): updates are
        // lost for real between threads running at once, and no UB is involved.
        // Explored, the read and the write are each a point where the turn may pass.
        const StepScope scope(r, lane, s.kind, true);
        auto& counter = *sh.counters.at(s.name);
        const trace::LaneId counter_lane = rt.explores() ? r.lane(s.name) : trace::kNoLane;
        const auto increment = [&] {
          const long long read = counter.load(std::memory_order_relaxed);
          rt.shared("read", counter_lane);
          counter.store(read + 1, std::memory_order_relaxed);
          rt.shared("write", counter_lane);
        };
        for (long long k = 0; k < s.times; ++k) {
          if (s.locked) {
            std::lock_guard held(*locks.of_counter.at(s.name));
            increment();
          } else {
            increment();
          }
          rt.checkpoint();
        }
        break;
      }
      case Kind::print:
        sh.say(i, s.text);
        break;
    }
  }
  sh.finished(i);
}

void run_sequential(Shared& sh) {
  auto options = sh.env.threading;
  options.gil = false;
  threading::Runtime rt(sh.env.recorder, options);
  ThreadLocks locks(rt, sh.spec);
  for (std::size_t i = 0; i < sh.spec.tasks.size(); ++i) task_on_thread(sh, rt, locks, i);
}

std::size_t run_threads(Shared& sh, bool gil) {
  auto options = sh.env.threading;
  options.gil = gil;
  threading::Runtime rt(sh.env.recorder, options);
  ThreadLocks locks(rt, sh.spec);
  std::vector<threading::Thread> threads;
  threads.reserve(sh.spec.tasks.size());
  for (std::size_t i = 0; i < sh.spec.tasks.size(); ++i)
    threads.emplace_back(
        sh.lane_names[i], [&sh, &rt, &locks, i] { task_on_thread(sh, rt, locks, i); }, rt);
  for (auto& t : threads) t.start();
  for (auto& t : threads) t.join();
  for (auto& t : threads)
    if (t.exception()) std::rethrow_exception(t.exception());
  return rt.gil() != nullptr ? static_cast<std::size_t>(rt.gil()->switches()) : 0;
}

// ---- asyncio: each task a coroutine on one loop ----

asyncio::Task<void> task_on_loop(Shared& sh, std::size_t i,
                                 std::map<std::string, std::unique_ptr<asyncio::Lock>>& locks,
                                 net::ClientSession& session) {
  const trace::LaneId lane = sh.lanes[i];
  auto& r = sh.env.recorder;
  const auto& stop = sh.env.stop;
  sh.started(i);
  const auto& steps = sh.spec.tasks[i].steps;
  for (std::size_t n = 0; n < steps.size(); ++n) {
    const Step& s = steps[n];
    switch (s.kind) {
      case Kind::sleep: {
        const StepScope scope(r, lane, s.kind, false);
        co_await asyncio::sleep(sh.seconds(s.seconds));
        break;
      }
      case Kind::block: {  // time.sleep inside a coroutine: the whole loop waits
        const StepScope scope(r, lane, s.kind, true);
        blocking_sleep(sh.seconds(s.seconds), stop);
        break;
      }
      case Kind::cpu: {
        const StepScope scope(r, lane, s.kind, true);
        sh.primes += cpu_work(s.units, stop, nullptr);
        break;
      }
      case Kind::http: {
        const StepScope scope(r, lane, s.kind, false);
        const asyncio::WaitSpan wait("http");
        try {
          const net::Response response = co_await session.get(sh.url(s));
          if (response.status != 200) ++sh.http_failed;
        } catch (const net::ClientError&) {
          ++sh.http_failed;
        }
        break;
      }
      case Kind::file: {  // aiofiles: the blocking calls go to the loop's executor
        const StepScope scope(r, lane, s.kind, false);
        const asyncio::WaitSpan wait("file");
        const std::string data = file_data(s.bytes, i);
        co_await asyncio::write_file(sh.path(i, n), data, true);
        if (co_await asyncio::read_file(sh.path(i, n)) != data) ++sh.files_mismatched;
        break;
      }
      case Kind::lock:
        co_await locks.at(s.name)->acquire();
        break;
      case Kind::unlock:
        locks.at(s.name)->release();
        break;
      case Kind::incr: {  // no await inside: nothing else runs meanwhile, locked or not
        const StepScope scope(r, lane, s.kind, true);
        auto& counter = *sh.counters.at(s.name);
        for (long long k = 0; k < s.times; ++k)
          counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        break;
      }
      case Kind::print:
        sh.say(i, s.text);
        break;
    }
  }
  sh.finished(i);
}

asyncio::Task<void> all_on_loop(Shared& sh) {
  std::map<std::string, std::unique_ptr<asyncio::Lock>> locks;
  for (const auto& l : sh.spec.locks) locks[l] = std::make_unique<asyncio::Lock>();
  net::ClientSession session({30, 64 * 1024});
  std::vector<asyncio::TaskHandle<void>> tasks;
  auto& loop = asyncio::EventLoop::current();
  for (std::size_t i = 0; i < sh.spec.tasks.size(); ++i)
    tasks.push_back(loop.create_task(task_on_loop(sh, i, locks, session), sh.lane_names[i]));
  for (auto& t : tasks) co_await t;
}

void run_asyncio(Shared& sh) {
  asyncio::EventLoop loop(sh.env.recorder);
  loop.run_until_complete(all_on_loop(sh), sh.env.stop);
}

}  // namespace

// ---- multiprocessing: each task a call in a worker process ----

// What crosses to a worker process: a task's steps, resolved (durations in nanoseconds, URLs
// and paths in full, shared objects by handle), and what comes back of each step.
struct ProcessStep {
  std::int64_t kind;
  std::int64_t nanos;
  std::int64_t count;  // cpu: units; incr: times; file: bytes
  bool locked;
  std::string text;          // url, path, print text, or an unshared counter's name
  std::optional<Word> word;  // a shared counter's Value or a Lock
  static constexpr auto fields =
      std::tuple(&ProcessStep::kind, &ProcessStep::nanos, &ProcessStep::count, &ProcessStep::locked,
                 &ProcessStep::text, &ProcessStep::word);
};
struct ProcessTask {
  std::vector<ProcessStep> steps;
  std::int64_t seed;
  platform::Nanos until;  // the run's deadline (the clock is the same in every process)
  static constexpr auto fields =
      std::tuple(&ProcessTask::steps, &ProcessTask::seed, &ProcessTask::until);
};
struct ProcessEvent {
  std::int64_t start;
  std::int64_t end;
  std::int64_t value;  // cpu: primes; http, file: 1 if fine; incr: the counter after
  static constexpr auto fields =
      std::tuple(&ProcessEvent::start, &ProcessEvent::end, &ProcessEvent::value);
};
struct ProcessDone {
  std::int64_t start;
  std::int64_t end;
  std::vector<ProcessEvent> steps;
  static constexpr auto fields =
      std::tuple(&ProcessDone::start, &ProcessDone::end, &ProcessDone::steps);
};

namespace {

// Each process's own counters: module-level variables of a Python worker.
std::map<std::string, long long>& own_counters() {
  static std::map<std::string, long long> counters;
  return counters;
}

ProcessEvent step_in_process(const ProcessStep& s, const contract::Stop& stop, std::int64_t seed) {
  ProcessEvent e{platform::now(), 0, 0};
  const platform::Nanos timeout = std::max<platform::Nanos>(stop.deadline() - platform::now(), 0);
  switch (static_cast<Kind>(s.kind)) {
    case Kind::sleep:
    case Kind::block:
      blocking_sleep(platform::to_seconds(s.nanos), stop);
      break;
    case Kind::cpu:
      e.value = cpu_work(s.count, stop, nullptr);
      break;
    case Kind::http:
      e.value = http_blocking(s.text, stop) ? 1 : 0;
      break;
    case Kind::file:
      e.value = file_round_trip(s.text, s.count, static_cast<std::size_t>(seed)) ? 1 : 0;
      break;
    case Kind::lock:
      if (!multiprocessing::Lock::attach(*s.word).acquire(timeout))
        throw std::runtime_error("lock not had before the run's deadline");
      break;
    case Kind::unlock:
      multiprocessing::Lock::attach(*s.word).release();
      break;
    case Kind::incr:
      if (s.word) {
        auto value = multiprocessing::Value::attach(*s.word);
        for (std::int64_t k = 0; k < s.count; ++k) {
          if (s.locked) {
            const multiprocessing::Held held(value.get_lock(), timeout);
            value.set_value(value.value() + 1);
          } else {
            value.set_value(value.value() + 1);
          }
        }
        e.value = value.value();
      } else {
        auto& counter = own_counters()[s.text];
        for (std::int64_t k = 0; k < s.count; ++k) counter = counter + 1;
        e.value = counter;
      }
      break;
    default:  // print: the parent prints it, at this time
      break;
  }
  e.end = platform::now();
  return e;
}

}  // namespace

// Registered in every process (multiprocessing/functions.hpp); run() below names it, so this
// file is linked wherever a spec can run.
const multiprocessing::Function<ProcessTask, ProcessDone> workload_task{
    "workload_task", [](const ProcessTask& task) {
      const contract::Stop stop(task.until, 0);
      ProcessDone done{platform::now(), 0, {}};
      for (const auto& s : task.steps) done.steps.push_back(step_in_process(s, stop, task.seed));
      done.end = platform::now();
      return done;
    }};

namespace {

void run_processes(Shared& sh, Outcome& out) {
  // The shared objects live in the parent and cross by handle, as multiprocessing's do.
  std::map<std::string, std::unique_ptr<multiprocessing::Value>> values;
  std::map<std::string, std::unique_ptr<multiprocessing::Lock>> locks;
  for (const auto& c : sh.spec.counters)
    if (c.shared) values[c.name] = std::make_unique<multiprocessing::Value>(0);
  for (const auto& l : sh.spec.locks) locks[l] = std::make_unique<multiprocessing::Lock>();

  std::vector<std::string> arguments;
  for (std::size_t i = 0; i < sh.spec.tasks.size(); ++i) {
    ProcessTask task{{}, static_cast<std::int64_t>(i), sh.env.stop.deadline()};
    const auto& steps = sh.spec.tasks[i].steps;
    for (std::size_t n = 0; n < steps.size(); ++n) {
      const Step& s = steps[n];
      ProcessStep p{static_cast<std::int64_t>(s.kind),
                    platform::to_nanos(sh.seconds(s.seconds)),
                    0,
                    s.locked,
                    {},
                    std::nullopt};
      switch (s.kind) {
        case Kind::cpu:
          p.count = s.units;
          break;
        case Kind::file:
          p.count = s.bytes;
          p.text = sh.path(i, n);
          break;
        case Kind::http:
          p.text = sh.url(s);
          break;
        case Kind::lock:
        case Kind::unlock:
          p.word = locks.at(s.name)->handle();
          break;
        case Kind::incr:
          p.count = s.times;
          if (values.count(s.name) != 0)
            p.word = values.at(s.name)->handle();
          else
            p.text = s.name;
          break;
        default:
          break;
      }
      task.steps.push_back(std::move(p));
    }
    arguments.push_back(workload_task.argument(task));
  }

  // One process per task, as far as the target has them; up before the clock starts, as the
  // guide's timings leave the interpreter's start-up out.
  const std::size_t workers =
      std::min<std::size_t>(sh.spec.tasks.size(), platform::process::max_workers());
  concurrent::ProcessPoolExecutor pool(workers, &sh.env.recorder);
  const platform::Nanos start = platform::now();
  std::vector<concurrent::Future<std::string>> calls;
  for (const auto& a : arguments) calls.push_back(pool.submit(workload_task.name(), a));
  std::vector<ProcessDone> answers;
  for (auto& call : calls) answers.push_back(workload_task.result(call.result(sh.env.stop)));
  out.wall_s = platform::to_seconds(platform::now() - start);

  auto& r = sh.env.recorder;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto& done = answers[i];
    const auto& steps = sh.spec.tasks[i].steps;
    const trace::LaneId lane = sh.lanes[i];
    if (sh.env.announce) r.print(lane, sh.spec.tasks[i].name + " started", false, done.start);
    for (std::size_t n = 0; n < steps.size(); ++n) {
      const Step& s = steps[n];
      const ProcessEvent& e = done.steps[n];
      if (s.kind == Kind::print) {
        r.print(lane, s.text, false, e.start);
        continue;
      }
      r.span(lane, state_of(s.kind), to_string(s.kind), e.start, e.end);
      if (s.kind == Kind::cpu) sh.primes += e.value;
      if (s.kind == Kind::http && e.value != 1) ++sh.http_failed;
      if (s.kind == Kind::file && e.value != 1) ++sh.files_mismatched;
    }
    if (sh.env.announce) r.print(lane, sh.spec.tasks[i].name + " finished", false, done.end);
  }
  // A shared counter is read in the parent; an unshared one is the parent's own, which no
  // process touched (each counted in its own memory).
  for (const auto& [name, value] : values) sh.counters.at(name)->store(value->value());
}

}  // namespace

std::string unavailable(const Spec& spec, Model model) {
  if (model == Model::multiprocessing && std::string(platform::target_name()) == "wasm" &&
      (has(spec, Kind::http) || has(spec, Kind::file)))
    return "a WASM process worker has no I/O worker of its own, so http and file steps cannot "
           "run in a process here (natively they can)";
  return "";
}

Outcome run(const Spec& spec, Model model, Env& env) {
  if (const std::string why = unavailable(spec, model); !why.empty()) throw std::runtime_error(why);
  Shared sh(spec, env, model);
  Outcome out;
  std::optional<asyncio::TemporaryDirectory> dir;
  if (has(spec, Kind::file)) {
    dir.emplace("samovar-workload-");
    sh.dir = dir->path();
  }
  bool own_delay = false;
  for (const auto& task : spec.tasks)
    for (const auto& s : task.steps)
      own_delay = own_delay || (s.kind == Kind::http && s.url.empty());
  std::optional<DelayHost> delay;
  if (own_delay) {
    delay.emplace(env.stop);
    sh.delay_base = delay->base_url();
  }

  const platform::Nanos start = platform::now();
  switch (model) {
    case Model::sequential:
      run_sequential(sh);
      break;
    case Model::asyncio:
      run_asyncio(sh);
      break;
    case Model::threading:
      out.gil_switches = run_threads(sh, true);
      break;
    case Model::threading_free:
      run_threads(sh, false);
      break;
    case Model::multiprocessing:
      run_processes(sh, out);
      break;
  }
  if (model != Model::multiprocessing) out.wall_s = platform::to_seconds(platform::now() - start);

  for (const auto& [name, value] : sh.counters) out.counters[name] = value->load();
  for (const auto& task : spec.tasks)
    for (const auto& s : task.steps)
      if (s.kind == Kind::incr) out.increments[s.name] += s.times;
  out.primes = sh.primes.load();
  out.files_mismatched = sh.files_mismatched.load();
  out.http_failed = sh.http_failed.load();
  return out;
}

}  // namespace samovar::workload
