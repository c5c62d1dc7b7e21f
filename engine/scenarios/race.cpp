#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/multiprocessing/barrier.hpp"
#include "engine/multiprocessing/lock.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/platform/clock.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/all_at_once.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/process_functions.hpp"
#include "engine/threading/lock.hpp"

namespace samovar::scenarios {

// What the processes run (process_functions.hpp).
namespace process_functions {

namespace {
// chai_stock, a module-level variable of the guide's program: each process has its own, and
// the parent's is never touched.
std::int64_t chai_stock = 0;
}  // namespace

const multiprocessing::Function<std::int64_t, std::int64_t> increment_global{
    "increment_global", [](const std::int64_t& increments) {
      for (std::int64_t i = 0; i < increments; ++i) chai_stock = chai_stock + 1;
      return chai_stock;
    }};

const multiprocessing::Function<std::int64_t, std::int64_t> add_to_global{
    "add_to_global", [](const std::int64_t& n) { return chai_stock += n; }};

const multiprocessing::Function<IncrementValue, std::int64_t> increment_value{
    "increment_value", [](const IncrementValue& call) {
      multiprocessing::Value stock = multiprocessing::Value::attach(call.value);
      multiprocessing::Barrier start = multiprocessing::Barrier::attach(call.barrier);
      start.wait(call.timeout);
      for (std::int64_t i = 0; i < call.increments; ++i) {
        if (call.locked) {
          multiprocessing::Held held(stock.get_lock(), call.timeout);
          stock.set_value(stock.value() + 1);
        } else {
          stock.set_value(stock.value() + 1);
        }
      }
      return call.increments;
    }};

}  // namespace process_functions

namespace {

// Guide 3.4: `chai_stock += 1` from several threads. Without synchronisation the increment is
// a read, then a write: here a relaxed atomic load, then a relaxed atomic store, so updates
// are really lost and no undefined behaviour is involved. Each pass of the loop ends at a
// checkpoint, where CPython's eval loop may switch threads (a backward jump): with the GIL
// modelled a switch never falls between the read and the write.
// Without the GIL a checkpoint sees nothing: the run's stop is looked at every so often.
// Under an explored schedule the read and the write are each a point where the turn may pass
// (shared(): no-ops otherwise), so a schedule can put another thread's increment between them.
void restock(threading::Runtime& rt, std::atomic<long long>& stock, long long increments,
             const std::string& sync, threading::Lock& lock) {
  const trace::LaneId chai_stock =
      rt.explores() ? rt.recorder().lane("chai_stock") : trace::kNoLane;
  const auto checkpoint = [&rt](long long i) {
    rt.checkpoint();
    if (i % 4096 == 0) rt.check_deadline();
  };
  const auto increment = [&] {
    const long long read = stock.load(std::memory_order_relaxed);
    rt.shared("read", chai_stock);
    stock.store(read + 1, std::memory_order_relaxed);
    rt.shared("write", chai_stock);
  };
  if (sync == "none") {
    for (long long i = 0; i < increments; ++i) {
      increment();
      checkpoint(i);
    }
  } else if (sync == "lock") {
    for (long long i = 0; i < increments; ++i) {
      {
        std::lock_guard held(lock);  // with lock:
        increment();
      }
      checkpoint(i);
    }
  } else {
    for (long long i = 0; i < increments; ++i) {
      stock.fetch_add(1, std::memory_order_relaxed);
      rt.shared("fetch_add", chai_stock);
      checkpoint(i);
    }
  }
}

// The request's check kept `processes` within this target's worker processes.
std::size_t pool_size(long long processes) {
  return static_cast<std::size_t>(processes);
}

// The guide's race with processes instead of threads: each process increments its own copy of
// chai_stock, in its own memory, so the parent's stays 0 however many increments were made.
void own_copies(Context& ctx, long long processes, long long increments) {
  concurrent::ProcessPoolExecutor pool(pool_size(processes), &ctx.recorder());
  const auto& increment_global = process_functions::increment_global;
  const std::vector<std::string> counts(static_cast<std::size_t>(processes),
                                        increment_global.argument(increments));
  // Each call answers with its process's chai_stock after its increments: a multiple of
  // `increments` (a process may have taken more than one call).
  long long largest = 0;
  bool counted = true;
  for (const auto& answer : pool.map(increment_global.name(), counts, ctx.stop())) {
    const long long stock = increment_global.result(answer);
    counted = counted && stock > 0 && stock % increments == 0;
    largest = std::max(largest, stock);
  }
  // The parent's own chai_stock: the same global of the same code, never touched here.
  const long long chai_stock = process_functions::add_to_global(0);
  ctx.print("Chai stock: " + std::to_string(chai_stock));
  ctx.metric("expected", static_cast<double>(processes * increments));
  ctx.metric("actual", static_cast<double>(chai_stock));
  ctx.metric("largest_count_in_a_process", static_cast<double>(largest));
  // The lesson: the parent's total is not the processes' increments.
  ctx.check("exact", chai_stock == processes * increments, false);
  ctx.check("each_process_counted_its_own", counted, true);
  ctx.check("parent_unchanged", chai_stock == 0, true);
}

// chai_stock = multiprocessing.Value('i', 0), shared by every process: `chai_stock.value += 1`
// is a read and then a write, so processes running at once lose updates as threads do; under
// `with chai_stock.get_lock():` none is lost.
void shared_value(Context& ctx, long long processes, long long increments, bool locked) {
  multiprocessing::Value chai_stock(0);
  multiprocessing::Barrier start(static_cast<std::size_t>(processes));  // all count at once
  {
    concurrent::ProcessPoolExecutor pool(pool_size(processes), &ctx.recorder());
    const auto& increment_value = process_functions::increment_value;
    const std::string call = increment_value.argument(
        {chai_stock.handle(), start.handle(), increments, locked, ctx.wait_bound()});
    const auto begin = platform::now();
    pool.map(increment_value.name(),
             std::vector<std::string>(static_cast<std::size_t>(processes), call), ctx.stop());
    const double seconds = platform::to_seconds(platform::now() - begin);
    ctx.metric("ns_per_increment", seconds * 1e9 / static_cast<double>(processes * increments));
  }
  const long long expected = processes * increments;
  const long long actual = chai_stock.value();
  ctx.print("Chai stock: " + std::to_string(actual), locked);
  ctx.metric("expected", static_cast<double>(expected));
  ctx.metric("actual", static_cast<double>(actual));
  ctx.metric("lost", static_cast<double>(expected - actual));
  ctx.check("exact", actual == expected, locked || processes == 1);
}

void run_in_processes(Context& ctx, long long processes, long long increments) {
  const std::string sync = ctx.text("sync");  // none or lock: checked with the request
  if (ctx.flag("value"))
    shared_value(ctx, processes, increments, sync == "lock");
  else
    own_copies(ctx, processes, increments);
}

void run(Context& ctx) {
  if (ctx.model() == "multiprocessing")
    return run_in_processes(ctx, ctx.integer("threads"), ctx.integer("increments"));
  ctx.use_gil(ctx.flag("gil"));
  const long long n_threads = ctx.integer("threads");
  const long long increments = ctx.integer("increments");
  const std::string sync = ctx.text("sync");
  auto& rt = ctx.threading();

  std::atomic<long long> stock{0};
  threading::Lock lock(rt, "lock");
  // When each thread began and ended its increments (each writes only its own pair).
  std::vector<std::pair<platform::Nanos, platform::Nanos>> ran(static_cast<std::size_t>(n_threads));
  all_at_once(
      rt, n_threads, [](long long i) { return "Thread-" + std::to_string(i + 1); },
      [&](long long i) {
        auto& [began, ended] = ran[static_cast<std::size_t>(i)];
        began = platform::now();
        restock(rt, stock, increments, sync, lock);
        ended = platform::now();
      });
  // From the first increment to the last, as the threads saw it: the starter's own stopwatch
  // began only when it got a core back, after the racers had left (seen: 0.06 ns an increment).
  // Updates are lost only while threads increment at once. A busy machine can leave them one
  // core between them, and then none is lost: all_at_once_ms says so.
  platform::Nanos first_began = ran.front().first, last_began = ran.front().first;
  platform::Nanos first_ended = ran.front().second, last_ended = ran.front().second;
  for (const auto& [began, ended] : ran) {
    first_began = std::min(first_began, began);
    last_began = std::max(last_began, began);
    first_ended = std::min(first_ended, ended);
    last_ended = std::max(last_ended, ended);
  }
  const double seconds = platform::to_seconds(last_ended - first_began);

  const long long expected = n_threads * increments;
  const long long actual = stock.load();
  // Unsynchronised, the total depends on how the threads interleaved this time.
  ctx.print("Chai stock: " + std::to_string(actual), sync != "none");
  ctx.metric("expected", static_cast<double>(expected));
  ctx.metric("actual", static_cast<double>(actual));
  ctx.metric("lost", static_cast<double>(expected - actual));
  ctx.metric("ns_per_increment", seconds * 1e9 / static_cast<double>(expected));
  ctx.metric("all_at_once_ms",
             static_cast<double>(std::max<platform::Nanos>(first_ended - last_began, 0)) / 1e6);
  // Unsynchronised real threads lose updates (the guide: "Often < 200000!"); a lock, an atomic
  // increment or the GIL's switches between increments keep the total exact.
  // What the variant should show follows from the request alone (the parity test compares it
  // across targets); all_at_once_ms tells when the threads never incremented at once.
  ctx.check("exact", actual == expected, sync != "none" || ctx.flag("gil") || n_threads == 1);
}

}  // namespace

Scenario race() {
  return {
      {"race",
       "Race conditions and thread safety",
       "3.4",
       "Threads run chai_stock += 1 at once. Unsynchronised, the read and the write of two "
       "threads interleave and updates are lost on real threads; a lock or an atomic "
       "increment makes the total exact, at a cost per increment the metrics show. With the "
       "GIL modelled, threads take turns between increments, as CPython's do, and few or no "
       "updates are lost. With processes, each increments its own copy: the parent's "
       "chai_stock stays 0, unless it is a shared multiprocessing.Value, which loses updates "
       "as threads do, unless its own lock is held.",
       {"threading", "multiprocessing"},
       {param::integer("threads", 2, 1, 16, "threads (or processes) incrementing at once")
            .at_most_with("multiprocessing", static_cast<double>(platform::process::max_workers()),
                          "worker processes with model multiprocessing"),
        param::integer("increments", 100'000, 1, 10'000'000, "increments per thread"),
        param::choice("sync", "none", {"none", "lock", "atomic"}, "how the increment is protected")
            .choices_with("multiprocessing", {"none", "lock"},
                          "with model multiprocessing, Python has no atomic increment"),
        param::flag("gil", false, "model CPython's GIL (a switch every 5 ms, never mid-increment)")
            .only_with({"threading"}),
        param::flag("value", false, "chai_stock is a multiprocessing.Value shared by the processes")
            .only_with({"multiprocessing"})},
       {},
       nullptr,
       {},
       {"threading"}},
      run};
}

}  // namespace samovar::scenarios
