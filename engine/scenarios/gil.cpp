#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/multiprocessing/functions.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/format.hpp"
#include "engine/threading/barrier.hpp"
#include "engine/threading/gil.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace {

// Python-level CPU work: the eval loop's checkpoint once per candidate, where a thread gives up
// the GIL when asked; the run's deadline between chunks.
long long count_primes(threading::Runtime& rt, long long limit) {
  return multiprocessing::functions::count_primes(
      limit, [&] { rt.checkpoint(); }, [&] { rt.check_deadline(); });
}

struct Phase {
  double seconds = 0;
  std::vector<long long> results;
  std::uint64_t gil_switches = 0;
};

// `threads` threads each count the primes below `limit`, all starting together.
Phase on_threads(Context& ctx, long long threads, long long limit, bool gil) {
  auto options = ctx.threading().options();
  options.gil = gil;
  threading::Runtime rt(ctx.recorder(), options);
  const char* task_span = gil ? "task, GIL on" : "task, GIL off";
  Phase phase;
  phase.results.resize(static_cast<std::size_t>(threads));
  threading::Barrier start(rt, static_cast<std::size_t>(threads) + 1, "start");
  std::vector<threading::Thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (long long i = 0; i < threads; ++i)
    pool.emplace_back(
        "Thread-" + std::to_string(i + 1) + (gil ? " (GIL on)" : " (GIL off)"),
        [&, i] {
          start.wait();
          ctx.recorder().open(task_span);
          phase.results[static_cast<std::size_t>(i)] = count_primes(rt, limit);
          ctx.recorder().close(task_span);
        },
        rt);
  for (auto& t : pool) t.start();
  const auto begin = platform::now();
  start.wait();
  for (auto& t : pool) t.join();
  phase.seconds = platform::to_seconds(platform::now() - begin);
  for (auto& t : pool)
    if (t.exception()) std::rethrow_exception(t.exception());
  if (rt.gil() != nullptr) phase.gil_switches = rt.gil()->switches();
  return phase;
}

// The multiprocessing column: the same tasks in a ProcessPoolExecutor, each process with its own
// interpreter and GIL, so nothing serialises them. The pool is up before the clock starts.
Phase on_processes(Context& ctx, long long tasks, std::size_t workers, long long limit) {
  concurrent::ProcessPoolExecutor pool(workers, &ctx.recorder());
  const std::vector<std::string> limits(static_cast<std::size_t>(tasks), std::to_string(limit));
  Phase phase;
  const auto begin = platform::now();
  for (const auto& count : pool.map("count_primes", limits, platform::to_seconds(ctx.time_left())))
    phase.results.push_back(std::stoll(count));
  phase.seconds = platform::to_seconds(platform::now() - begin);
  return phase;
}

void run(Context& ctx) {
  const long long threads = ctx.integer("threads");
  const long long limit = ctx.integer("work");

  // The same tasks one after another on the main thread: the baseline.
  Phase sequential;
  const auto begin = platform::now();
  for (long long i = 0; i < threads; ++i)
    sequential.results.push_back(count_primes(ctx.threading(), limit));
  const auto end = platform::now();
  sequential.seconds = platform::to_seconds(end - begin);
  ctx.recorder().span(ctx.recorder().lane("main"), trace::State::running, "sequential", begin, end);
  const Phase off = on_threads(ctx, threads, limit, false);
  const Phase on = on_threads(ctx, threads, limit, true);
  // As many processes as tasks, as far as this target has them.
  const auto n_processes =
      std::min<std::size_t>(static_cast<std::size_t>(threads), platform::process::max_workers());
  const Phase processes = on_processes(ctx, threads, n_processes, limit);

  const std::string tasks = std::to_string(threads) + (threads == 1 ? " task" : " tasks");
  ctx.print("Each task counts the primes below " + std::to_string(limit) + ": " +
            std::to_string(sequential.results.front()));
  ctx.print("Sequential: " + tasks + " in " + fixed(sequential.seconds, 3) + " s", false);
  const double speedup_off = sequential.seconds / off.seconds;
  const double speedup_on = sequential.seconds / on.seconds;
  ctx.print(std::to_string(threads) + " threads, GIL off: " + fixed(off.seconds, 3) + " s, " +
                fixed(speedup_off, 2) + "x",
            false);
  ctx.print(std::to_string(threads) + " threads, GIL on: " + fixed(on.seconds, 3) + " s, " +
                fixed(speedup_on, 2) + "x",
            false);

  const double speedup_processes = sequential.seconds / processes.seconds;
  ctx.print(std::to_string(n_processes) + " processes: " + fixed(processes.seconds, 3) + " s, " +
                fixed(speedup_processes, 2) + "x",
            false);

  ctx.metric("sequential_s", sequential.seconds);
  ctx.metric("processes_s", processes.seconds);
  ctx.metric("speedup_processes", speedup_processes);
  ctx.metric("gil_off_s", off.seconds);
  ctx.metric("gil_on_s", on.seconds);
  ctx.metric("speedup_gil_off", speedup_off);
  ctx.metric("speedup_gil_on", speedup_on);
  ctx.metric("gil_switches", static_cast<double>(on.gil_switches));
  ctx.check("same_results", off.results == sequential.results && on.results == sequential.results &&
                                processes.results == sequential.results);
  // From what the recorder counted: never two GIL holders at once, and without the GIL every
  // thread's task was running at the same moment.
  ctx.check("one_gil_holder_at_a_time", ctx.recorder().peak_overlap("GIL held") == 1);
  ctx.check("gil_off_tasks_overlapped",
            ctx.recorder().peak_overlap("task, GIL off") == static_cast<std::size_t>(threads));
}

}  // namespace

Scenario gil() {
  return {
      "gil",
      "The GIL and CPU-bound threads",
      "3.1, 5",
      "CPU-bound work (counting primes) on several threads, with the GIL modelled and without. "
      "With it, one thread runs Python code at a time, taking turns every 5 ms switch interval: "
      "no faster than one thread. Without it (free-threaded), the threads run on all cores.",
      {"threading"},
      {{"threads", ParamType::integer, 2, 1, 16, {}, "threads, each doing one task"},
       {"work",
        ParamType::integer,
        1'000'000,
        1'000,
        20'000'000,
        {},
        "each task counts the primes below this"}},
      run};
}

}  // namespace samovar::scenarios
