// The micro-benchmarks' main: like benchmark_main, but this binary also serves as the worker
// process its process pools start (they run this executable again in worker mode).
#include <benchmark/benchmark.h>

#include "engine/multiprocessing/worker.hpp"

int main(int argc, char** argv) {
  if (samovar::multiprocessing::is_worker_process()) return samovar::multiprocessing::worker_main();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
