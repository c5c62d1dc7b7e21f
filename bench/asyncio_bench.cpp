// The event loop's own costs, with tracing off, beside CPython 3.11's on this machine kind
// (../shared/TOOLCHAIN.md): a sleep(0) switch ~1.2-1.6 us, gather ~10-23 us per task.
#include <benchmark/benchmark.h>

#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/platform/memory.hpp"

using namespace samovar;
using asyncio::Task;

namespace {

trace::Recorder quiet() {
  return trace::Recorder(trace::Level::off, {0, 0}, platform::now());
}

Task<void> yield_n(long n) {
  for (long i = 0; i < n; ++i) co_await asyncio::sleep(0);
}

// One suspend/resume through the loop: `await asyncio.sleep(0)`.
void BM_SleepZeroSwitch(benchmark::State& state) {
  auto recorder = quiet();
  for (auto _ : state) {
    asyncio::EventLoop loop(recorder);
    loop.run_until_complete(yield_n(state.range(0)));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SleepZeroSwitch)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

Task<void> nap(double seconds) {
  co_await asyncio::sleep(seconds);
}

Task<void> gather_naps(long n, double seconds, std::size_t* heap_peak) {
  std::vector<Task<void>> naps;
  naps.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) naps.push_back(nap(seconds));
  auto probe = [](double s, std::size_t* peak) -> Task<void> {
    co_await asyncio::sleep(s / 2);
    *peak = platform::heap_in_use();
  };
  co_await asyncio::gather(probe(seconds, heap_peak), asyncio::gather(std::move(naps)));
}

// gather of N tasks each sleeping 0.1 s: the time beyond 0.1 s, and the heap held, per task.
void BM_GatherSleepingTasks(benchmark::State& state) {
  auto recorder = quiet();
  const long n = state.range(0);
  double overhead_s = 0;
  double bytes = 0;
  for (auto _ : state) {
    const std::size_t before = platform::heap_in_use();
    std::size_t peak = 0;
    const auto start = platform::now();
    asyncio::EventLoop loop(recorder);
    loop.run_until_complete(gather_naps(n, 0.1, &peak));
    overhead_s += platform::to_seconds(platform::now() - start) - 0.1;
    bytes += static_cast<double>(peak) -
             static_cast<double>(before);  // the heap can shrink: no unsigned wrap
  }
  const auto runs = static_cast<double>(state.iterations());
  state.counters["overhead_us_per_task"] = overhead_s / runs / static_cast<double>(n) * 1e6;
  state.counters["bytes_per_task"] = bytes / runs / static_cast<double>(n);
}
BENCHMARK(BM_GatherSleepingTasks)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

// The cost of tracing: the same gather, spans on.
void BM_GatherTraced(benchmark::State& state) {
  const long n = state.range(0);
  for (auto _ : state) {
    trace::Recorder recorder(trace::Level::spans, {}, platform::now());
    asyncio::EventLoop loop(recorder);
    std::size_t peak = 0;
    loop.run_until_complete(gather_naps(n, 0.1, &peak));
  }
}
BENCHMARK(BM_GatherTraced)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
