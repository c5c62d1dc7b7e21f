#pragma once
#include <cstddef>
#include <exception>
#include <string>
#include <vector>

#include "engine/scenarios/stopwatch.hpp"
#include "engine/threading/runtime.hpp"
#include "engine/threading/start_gate.hpp"
#include "engine/threading/thread.hpp"

namespace samovar::scenarios {

// `n` threads, named name(i), each running work(i); a start gate with the calling thread lets
// them all go at the same moment, so that they really overlap. Returns the stopwatch started as
// they were let go, read after the last join; rethrows the first exception a thread ended with.
template <class Name, class Work>
Stopwatch all_at_once(threading::Runtime& rt, long long n, Name name, Work work) {
  threading::StartGate start(rt, static_cast<std::size_t>(n), "start");
  std::vector<threading::Thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (long long i = 0; i < n; ++i)
    threads.emplace_back(
        name(i),
        [&start, &work, i] {
          start.wait();
          work(i);
        },
        rt);
  for (auto& t : threads) t.start();
  start.open();
  const Stopwatch watch;
  for (auto& t : threads) t.join();
  for (auto& t : threads)
    if (t.exception()) std::rethrow_exception(t.exception());
  return watch;
}

}  // namespace samovar::scenarios
