// Catch2's main, compiled here: Debian's Catch2WithMain archive is x86-only and wasm-ld
// cannot link it. A ProcessPoolExecutor's worker is this executable started again: it serves
// instead of running the tests.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "engine/multiprocessing/worker.hpp"

int main(int argc, char** argv) {
  if (samovar::multiprocessing::is_worker_process()) return samovar::multiprocessing::worker_main();
  return Catch::Session().run(argc, argv);
}
