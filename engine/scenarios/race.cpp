#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/contract/bad_request.hpp"
#include "engine/multiprocessing/functions.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/threading/barrier.hpp"
#include "engine/threading/lock.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

namespace {

// Guide 3.4: `chai_stock += 1` from several threads. Without synchronisation the increment is
// a read, then a write: here a relaxed atomic load, then a relaxed atomic store, so updates
// are really lost and no undefined behaviour is involved. Each pass of the loop ends at a
// checkpoint, where CPython's eval loop may switch threads (a backward jump): with the GIL
// modelled a switch never falls between the read and the write.
void restock(threading::Runtime& rt, std::atomic<long long>& stock, long long increments,
             const std::string& sync, threading::Lock& lock) {
  if (sync == "none") {
    for (long long i = 0; i < increments; ++i) {
      stock.store(stock.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      rt.checkpoint();
    }
  } else if (sync == "lock") {
    for (long long i = 0; i < increments; ++i) {
      {
        std::lock_guard held(lock);  // with lock:
        stock.store(stock.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
      rt.checkpoint();
    }
  } else {
    for (long long i = 0; i < increments; ++i) {
      stock.fetch_add(1, std::memory_order_relaxed);
      rt.checkpoint();
    }
  }
}

// The guide's race with processes instead of threads: each process increments its own copy of
// chai_stock, in its own memory, so the parent's stays 0 however many increments were made.
void run_in_processes(Context& ctx, long long processes, long long increments) {
  if (static_cast<std::size_t>(processes) > platform::process::max_workers())
    throw contract::BadRequest("params.threads",
                               contract::message::over_target_limit(
                                   std::to_string(processes), platform::process::max_workers(),
                                   "worker processes with model multiprocessing"));
  concurrent::ProcessPoolExecutor pool(static_cast<std::size_t>(processes), &ctx.recorder());
  const std::vector<std::string> counts(static_cast<std::size_t>(processes),
                                        std::to_string(increments));
  // Each call answers with its process's chai_stock after its increments: a multiple of
  // `increments` (a process may have taken more than one call).
  long long largest = 0;
  bool counted = true;
  for (const auto& answer : pool.map("increment_global", counts)) {
    const long long stock = std::stoll(answer);
    counted = counted && stock > 0 && stock % increments == 0;
    largest = std::max(largest, stock);
  }
  // The parent's own chai_stock: the same global of the same code, never touched here.
  const long long chai_stock = std::stoll(multiprocessing::functions::call("add_to_global", "0"));
  ctx.print("Chai stock: " + std::to_string(chai_stock));
  ctx.metric("expected", static_cast<double>(processes * increments));
  ctx.metric("actual", static_cast<double>(chai_stock));
  ctx.metric("largest_count_in_a_process", static_cast<double>(largest));
  ctx.check("exact", chai_stock == processes * increments);
  ctx.check("each_process_counted_its_own", counted);
  ctx.check("parent_unchanged", chai_stock == 0);
}

void run(Context& ctx) {
  if (ctx.model() == "multiprocessing")
    return run_in_processes(ctx, ctx.integer("threads"), ctx.integer("increments"));
  const long long n_threads = ctx.integer("threads");
  const long long increments = ctx.integer("increments");
  const std::string sync = ctx.text("sync");
  auto& rt = ctx.threading();

  std::atomic<long long> stock{0};
  threading::Lock lock(rt, "lock");
  // Every thread starts counting at once, so they really overlap.
  threading::Barrier start(rt, static_cast<std::size_t>(n_threads) + 1, "start");
  std::vector<threading::Thread> threads;
  threads.reserve(static_cast<std::size_t>(n_threads));
  for (long long i = 0; i < n_threads; ++i)
    threads.emplace_back(
        "Thread-" + std::to_string(i + 1),
        [&] {
          start.wait();
          restock(rt, stock, increments, sync, lock);
        },
        rt);
  for (auto& t : threads) t.start();
  const auto begin = platform::now();
  start.wait();
  for (auto& t : threads) t.join();
  const double seconds = platform::to_seconds(platform::now() - begin);

  const long long expected = n_threads * increments;
  const long long actual = stock.load();
  // Unsynchronised, the total depends on how the threads interleaved this time.
  ctx.print("Chai stock: " + std::to_string(actual), sync != "none");
  ctx.metric("expected", static_cast<double>(expected));
  ctx.metric("actual", static_cast<double>(actual));
  ctx.metric("lost", static_cast<double>(expected - actual));
  ctx.metric("ns_per_increment", seconds * 1e9 / static_cast<double>(expected));
  ctx.check("exact", actual == expected);
}

}  // namespace

Scenario race() {
  return {
      "race",
      "Race conditions and thread safety",
      "3.4",
      "Threads run chai_stock += 1 at once. Unsynchronised, the read and the write of two threads "
      "interleave and updates are lost on real threads; a lock or an atomic increment makes the "
      "total exact, at a cost per increment the metrics show. With the GIL modelled, threads take "
      "turns between increments, as CPython's do, and few or no updates are lost. With processes, "
      "each increments its own copy: the parent's chai_stock stays 0.",
      {"threading", "multiprocessing"},
      {{"threads", ParamType::integer, 2, 1, 16, {}, "threads (or processes) incrementing at once"},
       {"increments", ParamType::integer, 100'000, 1, 10'000'000, {}, "increments per thread"},
       {"sync",
        ParamType::string,
        "none",
        0,
        0,
        {"none", "lock", "atomic"},
        "how the increment is protected"},
       {"gil",
        ParamType::boolean,
        false,
        0,
        0,
        {},
        "model CPython's GIL (a switch every 5 ms, never mid-increment)"}},
      run};
}

}  // namespace samovar::scenarios
