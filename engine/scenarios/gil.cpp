#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/contract/format.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/all_at_once.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/median.hpp"
#include "engine/scenarios/process_functions.hpp"
#include "engine/scenarios/stopwatch.hpp"
#include "engine/threading/gil.hpp"
#include "engine/workload/cpu.hpp"

namespace samovar::scenarios {

namespace {

// The primes below `limit`, in chunks of calls to the function above: deterministic on both
// targets. `each_candidate` runs once per number tried (the GIL model's eval-loop checkpoint),
// `each_chunk` between chunks (a deadline check).
template <class EachCandidate, class EachChunk>
long long primes_below(long long limit, EachCandidate each_candidate, EachChunk each_chunk) {
  constexpr long long kChunk = 10'000;
  long long count = 0;
  for (long long from = 0; from < limit; from += kChunk) {
    count += workload::count_primes_between(from, from + kChunk < limit ? from + kChunk : limit,
                                            each_candidate);
    each_chunk();
  }
  return count;
}

}  // namespace

// What the processes run (process_functions.hpp).
namespace process_functions {

const multiprocessing::Function<std::int64_t, std::int64_t> count_primes{
    "count_primes", [](const std::int64_t& limit) -> std::int64_t {
      return primes_below(
          limit, [] {}, [] {});
    }};

}  // namespace process_functions

namespace {

// Python-level CPU work: the eval loop's checkpoint once per candidate, where a thread gives up
// the GIL when asked; the run's deadline between chunks.
long long count_primes(threading::Runtime& rt, long long limit) {
  return primes_below(
      limit, [&] { rt.checkpoint(); }, [&] { rt.check_deadline(); });
}

// One way of running the tasks, over every round: each round's time, results and how many
// cores the process kept busy meanwhile (where the target can tell).
struct Phase {
  std::vector<double> seconds;
  std::vector<std::vector<long long>> results;
  std::vector<double> cores_busy;
  std::vector<double> gil_switches;

  void add(const Stopwatch& watch, std::vector<long long> r) {
    seconds.push_back(watch.seconds());
    if (const auto busy = watch.cores_busy()) cores_busy.push_back(*busy);
    results.push_back(std::move(r));
  }
  double typical_s() const { return median(seconds); }
};

// The tasks one after another on the main thread: the baseline.
void sequentially(Context& ctx, long long tasks, long long limit, Phase& phase) {
  std::vector<long long> results;
  const Stopwatch watch;
  for (long long i = 0; i < tasks; ++i) results.push_back(count_primes(ctx.threading(), limit));
  phase.add(watch, std::move(results));
  ctx.recorder().span(ctx.recorder().lane("main"), trace::State::running, "sequential",
                      watch.begin(), platform::now());
}

// `threads` threads each count the primes below `limit`, all starting together.
void on_threads(Context& ctx, long long threads, long long limit, bool gil, Phase& phase) {
  auto options = ctx.threading().options();
  options.gil = gil;
  threading::Runtime rt(ctx.recorder(), options);
  const char* task_span = gil ? "task, GIL on" : "task, GIL off";
  std::vector<long long> results(static_cast<std::size_t>(threads));
  const Stopwatch watch = all_at_once(
      rt, threads,
      [gil](long long i) {
        return "Thread-" + std::to_string(i + 1) + (gil ? " (GIL on)" : " (GIL off)");
      },
      [&](long long i) {
        ctx.recorder().open(task_span);
        results[static_cast<std::size_t>(i)] = count_primes(rt, limit);
        ctx.recorder().close(task_span);
      });
  phase.add(watch, std::move(results));
  if (rt.gil() != nullptr) phase.gil_switches.push_back(static_cast<double>(rt.gil()->switches()));
}

// The multiprocessing column: the same tasks in a ProcessPoolExecutor, each process with its own
// interpreter and GIL, so nothing serialises them.
void on_processes(Context& ctx, concurrent::ProcessPoolExecutor& pool, long long tasks,
                  long long limit, Phase& phase) {
  const auto& counter = process_functions::count_primes;
  const std::vector<std::string> limits(static_cast<std::size_t>(tasks), counter.argument(limit));
  std::vector<long long> results;
  const Stopwatch watch;
  for (const auto& count : pool.map(counter.name(), limits, ctx.stop()))
    results.push_back(counter.result(count));
  phase.add(watch, std::move(results));
}

void run(Context& ctx) {
  const long long threads = ctx.integer("threads");
  const long long limit = ctx.integer("work");
  const long long rounds = ctx.integer("rounds");

  // As many processes as tasks, as far as this target has them; up before any clock starts.
  const auto n_processes =
      std::min<std::size_t>(static_cast<std::size_t>(threads), platform::process::max_workers());
  concurrent::ProcessPoolExecutor pool(n_processes, &ctx.recorder());

  // Every way runs once a round, in turn, so that a stretch when the machine is busier or
  // quieter (another program, a CPU warming up, V8 tiering up) falls on each of them alike.
  // Each way's time is printed as it is measured, as a benchmark script would, and the
  // medians with their speedups once every round is done.
  const std::string tasks = std::to_string(threads) + (threads == 1 ? " task" : " tasks");
  const std::string n_threads = std::to_string(threads) + " threads";
  Phase sequential, off, on, processes;
  for (long long round = 0; round < rounds; ++round) {
    const std::string of_round =
        "Round " + std::to_string(round + 1) + " of " + std::to_string(rounds) + ": ";
    const auto took = [&](const std::string& way, const Phase& phase) {
      ctx.print(of_round + way + " in " + contract::fixed(phase.seconds.back(), 3) + " s", false);
    };
    sequentially(ctx, threads, limit, sequential);
    if (round == 0)
      ctx.print("Each task counts the primes below " + std::to_string(limit) + ": " +
                std::to_string(sequential.results.front().front()));
    took("sequential, " + tasks, sequential);
    on_threads(ctx, threads, limit, false, off);
    took(n_threads + ", GIL off,", off);
    on_threads(ctx, threads, limit, true, on);
    took(n_threads + ", GIL on,", on);
    on_processes(ctx, pool, threads, limit, processes);
    took(std::to_string(n_processes) + " processes", processes);
  }

  const std::string of_rounds =
      rounds == 1 ? "" : " (median of " + std::to_string(rounds) + " rounds)";
  const double sequential_s = sequential.typical_s();
  ctx.print("Sequential: " + tasks + " in " + contract::fixed(sequential_s, 3) + " s" + of_rounds,
            false);
  const double speedup_off = sequential_s / off.typical_s();
  const double speedup_on = sequential_s / on.typical_s();
  ctx.print(std::to_string(threads) + " threads, GIL off: " + contract::fixed(off.typical_s(), 3) +
                " s, " + contract::fixed(speedup_off, 2) + "x",
            false);
  ctx.print(std::to_string(threads) + " threads, GIL on: " + contract::fixed(on.typical_s(), 3) +
                " s, " + contract::fixed(speedup_on, 2) + "x",
            false);
  const double speedup_processes = sequential_s / processes.typical_s();
  ctx.print(std::to_string(n_processes) +
                " processes: " + contract::fixed(processes.typical_s(), 3) + " s, " +
                contract::fixed(speedup_processes, 2) + "x",
            false);

  ctx.metric("rounds", static_cast<double>(rounds));
  ctx.metric("sequential_s", sequential_s);
  ctx.metric("processes_s", processes.typical_s());
  ctx.metric("speedup_processes", speedup_processes);
  ctx.metric("gil_off_s", off.typical_s());
  ctx.metric("gil_on_s", on.typical_s());
  ctx.metric("speedup_gil_off", speedup_off);
  ctx.metric("speedup_gil_on", speedup_on);
  ctx.metric("gil_switches", median(on.gil_switches));
  // Every speedup above is inflated by up to 1 / sequential_core_share (Stopwatch). With the
  // GIL, gil_on_cores_busy stays at one core, load or not.
  if (!sequential.cores_busy.empty()) {
    ctx.metric("sequential_core_share", median(sequential.cores_busy));
    ctx.metric("gil_on_cores_busy", median(on.cores_busy));
    ctx.metric("gil_off_cores_busy", median(off.cores_busy));
  }
  const auto& expected = sequential.results.front();
  bool same = true;
  for (const Phase* phase : {&sequential, &off, &on, &processes})
    for (const auto& results : phase->results) same = same && results == expected;
  ctx.check("same_results", same, true);
  // From what the recorder counted: never two GIL holders at once, and without the GIL every
  // thread's task was running at the same moment.
  ctx.check("one_gil_holder_at_a_time", ctx.recorder().peak_overlap("GIL held") == 1, true);
  ctx.check("gil_off_tasks_overlapped",
            ctx.recorder().peak_overlap("task, GIL off") == static_cast<std::size_t>(threads),
            true);
}

}  // namespace

Scenario gil() {
  return {{"gil",
           "The GIL and CPU-bound threads",
           "3.1, 5",
           "CPU-bound work (counting primes) on several threads, with the GIL modelled and "
           "without. With it, one thread runs Python code at a time, taking turns every 5 ms "
           "switch interval: no faster than one thread. Without it (free-threaded), the threads "
           "run on all cores.",
           {"threading"},
           {param::integer("threads", 2, 1, 16, "threads, each doing one task"),
            param::integer("work", 1'000'000, 1'000, 20'000'000,
                           "each task counts the primes below this"),
            param::integer("rounds", 3, 1, 20,
                           "rounds of every way in turn; each figure is the median")}},
          run};
}

}  // namespace samovar::scenarios
