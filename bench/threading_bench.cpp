// The threading model's own costs, with tracing off, beside CPython 3.11's on this machine kind
// (../shared/TOOLCHAIN.md): a ThreadPoolExecutor task ~12 us; targets: a pool round trip at
// most 5 us, an uncontended Lock acquire+release at most 25 ns.
#include <benchmark/benchmark.h>

#include "engine/concurrent/thread_pool_executor.hpp"
#include "engine/threading/lock.hpp"
#include "engine/threading/runtime.hpp"

using namespace samovar;

namespace {

threading::Runtime::Options no_deadline() {
  return {.deadline = platform::now() + platform::to_nanos(3600), .deadline_s = 3600};
}

// `with lock:` on a lock nobody else wants.
void BM_LockUncontended(benchmark::State& state) {
  trace::Recorder recorder(trace::Level::off, {0, 0}, platform::now());
  threading::Runtime rt(recorder, no_deadline());
  threading::Lock lock(rt);
  for (auto _ : state) {
    lock.acquire();
    lock.release();
  }
}
BENCHMARK(BM_LockUncontended);

// pool.submit(f).result(), one call at a time: the hand-over to a worker and back.
void BM_ThreadPoolRoundTrip(benchmark::State& state) {
  concurrent::ThreadPoolExecutor pool(1);
  pool.submit([] {}).result();
  for (auto _ : state) pool.submit([] {}).result();
}
BENCHMARK(BM_ThreadPoolRoundTrip)->Unit(benchmark::kMicrosecond);

}  // namespace
