#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "engine/asyncio/event_loop.hpp"
#include "engine/platform/poller.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;

TEST_CASE("a poller wait ends at its deadline", "[platform]") {
  platform::Poller poller;
  std::vector<platform::Readiness> ready;
  const auto start = platform::now();
  poller.wait(start + platform::to_nanos(0.02), ready);
  CHECK(platform::now() - start >= platform::to_nanos(0.015));
  CHECK(ready.empty());
}

TEST_CASE("wake() from another thread ends a poller wait", "[platform]") {
  platform::Poller poller;
  std::vector<platform::Readiness> ready;
  std::thread waker([&] { poller.wake(); });
  // Had the wake-up been lost, this would wait the full 20 s.
  const auto start = platform::now();
  poller.wait(start + platform::to_nanos(20), ready);
  waker.join();
  CHECK(platform::now() - start < platform::to_nanos(10));
}

TEST_CASE("call_soon_threadsafe runs the callback on the loop's thread", "[loop]") {
  testing::LoopFixture f;
  std::atomic<bool> ran_on_loop_thread{false};
  const auto loop_thread = std::this_thread::get_id();
  bool done = false;
  std::thread other([&] {
    f.loop.call_soon_threadsafe([&] {
      ran_on_loop_thread = std::this_thread::get_id() == loop_thread;
      done = true;
    });
  });
  const auto deadline = platform::now() + platform::to_nanos(20);
  while (!done && platform::now() < deadline) f.loop.run_once(deadline);
  other.join();
  CHECK(done);
  CHECK(ran_on_loop_thread);
}
