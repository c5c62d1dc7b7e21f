#include <cstdio>
#include <string>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/concurrent/thread_pool_executor.hpp"
#include "engine/contract/format.hpp"
#include "engine/platform/memory.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/process_functions.hpp"
#include "engine/threading/lock.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace process_functions {

const multiprocessing::Function<std::int64_t, std::int64_t> nap{"nap",
                                                                [](const std::int64_t& nanos) {
                                                                  if (nanos > 0)
                                                                    platform::sleep_for(nanos);
                                                                  return nanos;
                                                                }};

}  // namespace process_functions

namespace {

struct Measured {
  platform::Nanos spawn_start = 0;
  platform::Nanos spawned = 0;  // every task created and started, all now asleep
  std::size_t heap_before = 0;
  std::size_t heap_asleep = 0;
  std::size_t finished = 0;
};

asyncio::Task<void> nap(double seconds, Measured& m) {
  co_await asyncio::sleep(seconds);
  ++m.finished;
}

// Holds the memory reading while every task sleeps: that is what a task costs to keep.
asyncio::Task<void> observe(double seconds, Measured& m, std::size_t (*memory)()) {
  co_await asyncio::sleep(seconds / 2);
  m.heap_asleep = memory();
}

asyncio::Task<void> gather_naps(long long tasks, double seconds, Measured& m,
                                std::size_t (*memory)() = platform::heap_in_use) {
  m.heap_before = memory();
  m.spawn_start = platform::now();
  std::vector<asyncio::Task<void>> naps;
  naps.reserve(static_cast<std::size_t>(tasks) + 1);
  for (long long i = 0; i < tasks; ++i) naps.push_back(nap(seconds, m));
  auto watcher = asyncio::EventLoop::current().create_task(observe(seconds, m, memory), "observer");
  co_await asyncio::gather(std::move(naps));
  co_await watcher;
}

asyncio::Task<void> switches(long long n) {
  for (long long i = 0; i < n; ++i) co_await asyncio::sleep(0);
}

// A million calls or lock pairs take seconds and wait on nothing that sees the run's stop: look
// at it every so often, rarely enough not to weigh on what is timed.
void checkpoint(const Context& ctx, long long i) {
  if (i % 4096 == 0) ctx.stop().check();
}

// The threading model's own costs: a call through a one-thread ThreadPoolExecutor and back,
// submitted one at a time (CPython: ~12 us); an uncontended Lock acquire and release; a thread
// started and joined.
void run_threading(Context& ctx) {
  const long long calls = ctx.integer("tasks");
  const long long pairs = ctx.integer("switches");
  auto& rt = ctx.threading();

  double round_trip_us;
  {
    concurrent::ThreadPoolExecutor pool(1);
    pool.submit([] {}).result();  // the worker exists before timing starts
    const platform::Nanos start = platform::now();
    for (long long i = 0; i < calls; ++i) {
      checkpoint(ctx, i);
      pool.submit([] {}).result();
    }
    round_trip_us = static_cast<double>(platform::now() - start) / 1e3 / static_cast<double>(calls);
  }
  ctx.print(std::to_string(calls) + " calls through a ThreadPoolExecutor, one at a time: " +
                contract::fixed(round_trip_us, 2) + " us each, submit to result",
            false);

  threading::Lock lock(rt, "lock");
  const platform::Nanos lock_start = platform::now();
  for (long long i = 0; i < pairs; ++i) {
    checkpoint(ctx, i);
    lock.acquire();
    lock.release();
  }
  const double lock_ns =
      static_cast<double>(platform::now() - lock_start) / static_cast<double>(pairs);
  ctx.print(std::to_string(pairs) + " uncontended Lock acquire and release: " +
                contract::fixed(lock_ns, 1) + " ns each",
            false);

  constexpr int kThreads = 100;
  const platform::Nanos thread_start = platform::now();
  for (int i = 0; i < kThreads; ++i) {
    threading::Thread t(
        "Thread", [] {}, rt);
    t.start();
    t.join();
  }
  const double thread_us = static_cast<double>(platform::now() - thread_start) / 1e3 / kThreads;
  ctx.print(std::to_string(kThreads) +
                " threads started and joined: " + contract::fixed(thread_us, 1) + " us each",
            false);

  ctx.metric("pool_round_trip_us", round_trip_us);
  ctx.metric("lock_acquire_release_ns", lock_ns);
  ctx.metric("thread_start_join_us", thread_us);
  ctx.check("lock_free_at_end", !lock.locked(), true);
}

std::size_t memory_bytes() {
  return platform::memory_in_use().bytes;
}

// n threads, each in time.sleep for `seconds`: what the step took beyond the sleep, and what the
// sleeping threads held. A thread that cannot start ends the sweep, as the report says.
contract::SweepPoint threads_waiting(Context& ctx, std::size_t n, double seconds) {
  auto& rt = ctx.threading();
  std::vector<threading::Thread> threads;
  threads.reserve(n);
  const std::size_t before = memory_bytes();
  const platform::Nanos start = platform::now();
  std::size_t held = before;
  try {
    for (std::size_t i = 0; i < n; ++i) {
      threads.emplace_back(
          "Thread-" + std::to_string(i + 1), [&ctx, seconds] { ctx.blocking_sleep(seconds); }, rt);
      threads.back().start();
    }
    held = memory_bytes();
  } catch (const std::exception& e) {
    ctx.sweep_limit("thread " + std::to_string(threads.size()) + " of " + std::to_string(n) +
                    " could not start: " + e.what());
    threads.pop_back();
  }
  for (auto& t : threads) t.join();
  const double wall = platform::to_seconds(platform::now() - start);
  const double units = static_cast<double>(std::max<std::size_t>(1, threads.size()));
  return {"threads", threads.size(), wall, (wall - seconds) * 1e6 / units,
          (static_cast<double>(held) - static_cast<double>(before)) / units};
}

// n worker processes started, each in time.sleep for `seconds` at once: per process, the wall
// time beyond the sleep (mostly its start) and what the process tree then holds.
contract::SweepPoint processes_waiting(Context& ctx, std::size_t n, double seconds) {
  const auto& nap = process_functions::nap;
  const std::vector<std::string> naps(n, nap.argument(platform::to_nanos(seconds)));
  const std::size_t before = memory_bytes();
  const platform::Nanos start = platform::now();
  std::size_t held = before;
  {
    concurrent::ProcessPoolExecutor pool(n, &ctx.recorder());
    std::vector<concurrent::Future<std::string>> calls;
    for (const auto& argument : naps) calls.push_back(pool.submit(nap.name(), argument));
    held = memory_bytes();
    for (auto& call : calls) call.result(ctx.stop());
  }
  const double wall = platform::to_seconds(platform::now() - start);
  const double units = static_cast<double>(n);
  return {"processes", n, wall, (wall - seconds) * 1e6 / units,
          (static_cast<double>(held) - static_cast<double>(before)) / units};
}

contract::SweepPoint coroutines_waiting(Context& ctx, std::size_t n, double seconds) {
  Measured m;
  const platform::Nanos start = platform::now();
  ctx.run_asyncio(gather_naps(static_cast<long long>(n), seconds, m, memory_bytes), false);
  const double wall = platform::to_seconds(platform::now() - start);
  const double units = static_cast<double>(n);
  return {"coroutines", n, wall, (wall - seconds) * 1e6 / units,
          (static_cast<double>(m.heap_asleep) - static_cast<double>(m.heap_before)) / units};
}

// Table 3 and 8.2 measured: 10, 100, 1,000, ... coroutines or threads waiting at once, or 1, 2,
// 4, ... processes, up to `sweep_to`.
void run_sweep(Context& ctx, std::size_t up_to) {
  const double seconds = ctx.seconds(ctx.number("delay"));
  const std::string& model = ctx.model();
  const std::size_t first = model == "multiprocessing" ? 1 : 10, factor = first == 1 ? 2 : 10;
  std::size_t largest = 0;
  for (std::size_t n = std::min(first, up_to);; n = std::min(n * factor, up_to)) {
    const contract::SweepPoint point = model == "threading" ? threads_waiting(ctx, n, seconds)
                                       : model == "multiprocessing"
                                           ? processes_waiting(ctx, n, seconds)
                                           : coroutines_waiting(ctx, n, seconds);
    ctx.print(std::to_string(point.n) + " " + point.unit +
                  " waiting at once: " + contract::fixed(point.wall_s, 3) + " s, " +
                  contract::fixed(point.us_per_unit, 2) + " us and " +
                  contract::fixed(point.bytes_per_unit, 0) + " bytes each",
              false);
    largest = point.n;
    ctx.sweep_point(point, platform::memory_in_use().what);
    if (!ctx.sweep_limit().empty() || n >= up_to) break;
  }
  ctx.metric("sweep_largest", static_cast<double>(largest));
  // From what the recorder counted: the largest step's units all waited at the same moment (a
  // process's sleep is its own, out of the recorder's sight).
  if (model != "multiprocessing")
    ctx.check("all_units_waited_at_once", ctx.recorder().peak_overlap("sleep") >= largest, true);
}

// The multiprocessing model's own costs: a worker process started, and a call to it and back,
// submitted one at a time.
void run_processes(Context& ctx) {
  const long long calls = ctx.integer("tasks");
  const auto& nap = process_functions::nap;
  const platform::Nanos start = platform::now();
  concurrent::ProcessPoolExecutor pool(1, &ctx.recorder());
  pool.submit(nap.name(), nap.argument(0)).result(ctx.stop());  // up before timing the calls
  const double start_ms = platform::to_seconds(platform::now() - start) * 1e3;
  ctx.print("a worker process started and answered its first call: " +
                contract::fixed(start_ms, 1) + " ms",
            false);
  const platform::Nanos calls_start = platform::now();
  for (long long i = 0; i < calls; ++i) pool.submit(nap.name(), nap.argument(0)).result(ctx.stop());
  const double round_trip_us =
      static_cast<double>(platform::now() - calls_start) / 1e3 / static_cast<double>(calls);
  ctx.print(std::to_string(calls) + " calls through a ProcessPoolExecutor, one at a time: " +
                contract::fixed(round_trip_us, 1) + " us each, submit to result",
            false);
  ctx.metric("process_start_ms", start_ms);
  ctx.metric("process_round_trip_us", round_trip_us);
}

void run(Context& ctx) {
  if (const auto up_to = ctx.integer("sweep_to"); up_to > 0)
    return run_sweep(ctx, static_cast<std::size_t>(up_to));
  if (ctx.model() == "threading") return run_threading(ctx);
  if (ctx.model() == "multiprocessing") return run_processes(ctx);
  const long long tasks = ctx.integer("tasks");
  const long long n_switches = ctx.integer("switches");
  const double seconds = ctx.seconds(ctx.number("delay"));

  Measured m;
  const platform::Nanos start = platform::now();
  ctx.run_asyncio(gather_naps(tasks, seconds, m), false);
  const double wall = platform::to_seconds(platform::now() - start);
  // Scheduling overhead: everything the run took beyond the one sleep all tasks shared.
  const double overhead_us = (wall - seconds) * 1e6 / static_cast<double>(tasks);
  const double bytes = (static_cast<double>(m.heap_asleep) - static_cast<double>(m.heap_before)) /
                       static_cast<double>(tasks);
  ctx.print(std::to_string(tasks) + " tasks gathered, each sleeping " +
                contract::fixed(seconds, 3) + " s: " + contract::fixed(overhead_us, 3) +
                " us and " + contract::fixed(bytes, 0) + " bytes per task",
            false);

  const platform::Nanos switch_start = platform::now();
  ctx.run_asyncio(switches(n_switches), false);
  const double switch_ns = static_cast<double>(platform::now() - switch_start) /
                           static_cast<double>(std::max(1LL, n_switches));
  ctx.print(std::to_string(n_switches) + " suspend/resume through the loop (sleep(0)): " +
                contract::fixed(switch_ns, 1) + " ns each",
            false);

  ctx.metric("tasks", static_cast<double>(tasks));
  ctx.metric("overhead_us_per_task", overhead_us);
  ctx.metric("bytes_per_task", bytes);
  ctx.metric("switch_ns", switch_ns);
  ctx.check("all_tasks_finished", m.finished == static_cast<std::size_t>(tasks), true);
}

}  // namespace

Scenario scale() {
  return {
      {"scale",
       "Resource usage as tasks grow",
       "8.2",
       "What a task costs: the time asyncio.gather spends per task beyond the sleep itself, "
       "the memory each sleeping task holds, and one suspend/resume through the loop. Model "
       "threading: a call through a ThreadPoolExecutor and back, an uncontended Lock, a thread "
       "started and joined. Model multiprocessing: a worker process started, and a call to it and "
       "back. Measure with trace off (--no-spans) for the engine's own figures. sweep_to "
       "sweeps 10, 100, ... coroutines or threads (1, 2, 4, ... processes) waiting at once, "
       "with the time and memory of each.",
       {"asyncio", "threading", "multiprocessing"},
       {param::integer("tasks", 100'000, 1, 1'000'000,
                       "tasks gathered at once (threading, multiprocessing: calls through a "
                       "pool of one)"),
        param::number("delay", 1.0, 0, 60, "guide seconds each task sleeps"),
        param::integer("switches", 1'000'000, 1, 100'000'000,
                       "sleep(0) round trips to time (threading: Lock acquire/release pairs)"),
        param::integer("sweep_to", 0, 0, 1'000'000,
                       "0, or sweep 10, 100, ... up to this many units waiting at once "
                       "(coroutines; threading: threads), time and memory per unit")
            .at_most_with("threading", 1000, "threads waiting at once")
            .at_most_with("multiprocessing", static_cast<double>(platform::process::max_workers()),
                          "worker processes this target can run at once")}},
      run};
}

}  // namespace samovar::scenarios
