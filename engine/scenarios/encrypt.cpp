#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/run_in_executor.hpp"
#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/median.hpp"
#include "engine/scenarios/process_functions.hpp"
#include "engine/scenarios/stopwatch.hpp"

namespace samovar::scenarios {

namespace {

std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Guide 4.1's encrypt: the text reversed after four spaces, after `rounds` of hashing it (the
// "CPU-intensive operation"); the hash comes back too, so results can be compared. Deterministic
// on both targets. `each_chunk` runs between chunks of a million rounds (a deadline check, in
// the parent).
process_functions::Encrypted encrypt_card(
    std::string_view data, std::uint64_t rounds, const std::function<void()>& each_chunk = [] {}) {
  constexpr std::uint64_t kChunk = 1'000'000;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::uint64_t i = 0; i < rounds; ++i) {
    h = fnv1a(data, h ^ i);
    if (i % kChunk == kChunk - 1) each_chunk();
  }
  return {"    " + std::string(data.rbegin(), data.rend()), h};
}

}  // namespace

// What the processes run (process_functions.hpp).
namespace process_functions {

const multiprocessing::Function<Encrypt, Encrypted> encrypt{
    "encrypt", [](const Encrypt& call) { return encrypt_card(call.data, call.rounds); }};

}  // namespace process_functions

namespace {

// Guide 4.1: `await loop.run_in_executor(pool, encrypt, "credit_card_1234")` in a
// ProcessPoolExecutor, for `items` cards at once (the guide's is the first, the only one
// printed); encrypt really works (`work` rounds of hashing) and returns the guide's text: four
// spaces, then the card reversed.
std::string card(long long i) {
  return "credit_card_" + std::to_string(1234 + i);
}

asyncio::Task<std::vector<std::string>> encrypt_all(concurrent::ProcessPoolExecutor& pool,
                                                    const std::vector<std::string>& arguments) {
  std::vector<asyncio::Task<std::string>> calls;
  for (const auto& argument : arguments)
    calls.push_back(asyncio::run_in_executor(pool, process_functions::encrypt.name(), argument));
  co_return co_await asyncio::gather(std::move(calls));
}

void run(Context& ctx) {
  const long long items = ctx.integer("items");
  const auto hash_rounds = static_cast<std::uint64_t>(ctx.integer("work"));
  const auto workers = static_cast<std::size_t>(ctx.integer("workers"));
  const long long repeats = ctx.integer("rounds");
  std::vector<std::string> arguments;
  for (long long i = 0; i < items; ++i)
    arguments.push_back(process_functions::encrypt.argument({card(i), hash_rounds}));

  const platform::Nanos start = platform::now();
  concurrent::ProcessPoolExecutor pool(workers,
                                       &ctx.recorder());  // with ProcessPoolExecutor() as pool:
  const double startup_s = platform::to_seconds(platform::now() - start);

  // The work in the pool, then the same in this process, one card after another (the baseline
  // and the check); in turn, round after round, so that a stretch when the machine is busier or
  // quieter falls on both alike. Each figure is the median of the rounds.
  auto& rt = ctx.threading();
  const trace::LaneId main_lane = ctx.recorder().lane("main");
  std::vector<process_functions::Encrypted> expected;
  std::vector<std::string> answers;
  std::vector<double> sequential_runs, pool_runs, sequential_busy;
  bool rounds_agree = true;
  for (long long round = 0; round < repeats; ++round) {
    const Stopwatch calls;
    auto there = ctx.run_asyncio(encrypt_all(pool, arguments));
    pool_runs.push_back(calls.seconds());
    // print(result), as soon as the guide's await returns it.
    if (round == 0 && !there.empty())
      ctx.print(process_functions::encrypt.result(there.front()).text);
    const Stopwatch sequential;
    std::vector<process_functions::Encrypted> here;
    for (long long i = 0; i < items; ++i) {
      // The sequential phase on this process's lane, card by card, beside the pool's calls.
      const platform::Nanos began = platform::now();
      here.push_back(encrypt_card(card(i), hash_rounds, [&] { rt.check_deadline(); }));
      ctx.recorder().span(main_lane, trace::State::running, "encrypt (sequential)", began,
                          platform::now());
    }
    sequential_runs.push_back(sequential.seconds());
    if (const auto busy = sequential.cores_busy()) sequential_busy.push_back(*busy);
    if (round == 0) {
      expected = std::move(here);
      answers = std::move(there);
    } else {
      rounds_agree = rounds_agree && there == answers;
    }
  }
  const double sequential_s = median(sequential_runs);
  const double pool_s = median(pool_runs);
  const auto per_worker = pool.calls_per_worker();

  // The guide's program prints its one card's result (above); the others are the same work for
  // the pool to share, compared but not printed.
  bool equal = rounds_agree && answers.size() == expected.size();
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto got = process_functions::encrypt.result(answers[i]);
    equal = equal && got.text == expected[i].text && got.hash == expected[i].hash;
  }

  // What crossing costs: a call that does nothing, there and back, one at a time. The median
  // is the typical trip; the mean also counts the first trips to workers that had gone to sleep.
  constexpr int kTrips = 500;
  std::vector<double> trips_us;
  trips_us.reserve(kTrips);
  for (int i = 0; i < kTrips; ++i) {
    const platform::Nanos sent = platform::now();
    pool.submit("echo", arguments.front()).result(ctx.stop());
    trips_us.push_back(static_cast<double>(platform::now() - sent) / 1e3);
  }
  const double ipc_mean_us = std::accumulate(trips_us.begin(), trips_us.end(), 0.0) / kTrips;
  const double ipc_us = median(trips_us);

  pool.shutdown(true);

  ctx.metric("rounds", static_cast<double>(repeats));
  ctx.metric("sequential_s", sequential_s);
  ctx.metric("pool_s", pool_s);
  ctx.metric("speedup", sequential_s / pool_s);
  if (!sequential_busy.empty())  // the speedup is inflated by up to its inverse (Stopwatch)
    ctx.metric("sequential_core_share", median(sequential_busy));
  ctx.metric("pool_startup_ms", startup_s * 1e3);
  ctx.metric("ipc_round_trip_us", ipc_us);
  ctx.metric("ipc_round_trip_mean_us", ipc_mean_us);
  ctx.metric("workers_used", static_cast<double>(per_worker.size()));
  ctx.check("results_equal_sequential", equal, true);
  // Cards sent at once spread over the pool's processes; one card, or one process, cannot.
  ctx.check("ran_in_more_than_one_worker", per_worker.size() > 1, workers > 1 && items > 1);
  ctx.check("no_worker_left", platform::process::live_workers() == 0, true);
}

}  // namespace

Scenario encrypt() {
  return {
      {"encrypt",
       "Process executors",
       "4.1",
       "encrypt() runs in a ProcessPoolExecutor through run_in_executor: each card is hashed "
       "`work` times (the CPU-intensive operation) in a separate process with its own memory, "
       "and comes back as bytes. The same work in this process, one card after another, gives "
       "the speedup and the results to compare with.",
       {"multiprocessing"},
       {param::integer("items", 4, 1, 1'000,
                       "cards to encrypt at once (the guide's, the first, is printed)"),
        param::integer("work", 2'000'000, 0, 1'000'000'000, "rounds of hashing per card"),
        param::integer("workers", 2, 1, static_cast<long long>(platform::process::max_workers()),
                       "max_workers of the pool (processes)"),
        param::integer("rounds", 3, 1, 20,
                       "rounds of the work here and in the pool, in turn; each time is the "
                       "median")}},
      run};
}

}  // namespace samovar::scenarios
