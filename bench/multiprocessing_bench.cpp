// The multiprocessing model's costs, natively, beside CPython 3.11's on this machine kind
// (../shared/TOOLCHAIN.md): pool start-up for 2 workers ~5 ms, a task round trip ~110 us.
// Targets: start-up at most 5 ms, round trip at most 30 us.
#include <benchmark/benchmark.h>

#include "engine/concurrent/process_pool_executor.hpp"
#include "engine/multiprocessing/value.hpp"
#include "engine/platform/process.hpp"

using namespace samovar;

namespace {

// ProcessPoolExecutor(2): both worker processes started and ready, then ended and reaped.
void BM_ProcessPoolStartup(benchmark::State& state) {
  for (auto _ : state) concurrent::ProcessPoolExecutor pool(2);
}
BENCHMARK(BM_ProcessPoolStartup)->Unit(benchmark::kMillisecond);

// pool.submit("echo", 16 bytes).result(), one call at a time: to a worker process and back
// (with 1 and 2 workers in the pool).
void BM_ProcessPoolRoundTrip(benchmark::State& state) {
  concurrent::ProcessPoolExecutor pool(static_cast<std::size_t>(state.range(0)));
  const std::string argument(16, 'x');
  pool.submit("echo", argument).result();
  for (auto _ : state) pool.submit("echo", argument).result();
}
BENCHMARK(BM_ProcessPoolRoundTrip)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// The same bytes over the bare worker channel (no pool): what the pool's hand-over adds is the
// difference.
void BM_WorkerCall(benchmark::State& state) {
  auto worker = platform::process::start_worker();
  const std::string request(16, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(worker->call(request));
}
BENCHMARK(BM_WorkerCall)->Unit(benchmark::kMicrosecond);

// `with counter.get_lock(): counter.value += 1` in the parent, nobody else wanting the lock.
void BM_ValueLockedIncrement(benchmark::State& state) {
  multiprocessing::Value counter(0);
  for (auto _ : state) {
    counter.get_lock().acquire(platform::to_nanos(1));
    counter.set_value(counter.value() + 1);
    counter.get_lock().release();
  }
}
BENCHMARK(BM_ValueLockedIncrement);

}  // namespace
