#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/sleep.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;

namespace {
Task<int> answer() {
  co_return 42;
}
Task<int> add(int a, int b) {
  co_return co_await answer() - 42 + a + b;
}
Task<void> fail(std::string message) {
  co_await asyncio::sleep(0);
  throw std::runtime_error(message);
}
Task<std::string> catches() {
  try {
    co_await fail("boiled over");
  } catch (const std::runtime_error& e) {
    co_return std::string("caught: ") + e.what();
  }
  co_return "nothing thrown";
}
Task<void> log_steps(std::vector<std::string>& log, std::string name, int steps) {
  for (int i = 0; i < steps; ++i) {
    log.push_back(name + std::to_string(i));
    co_await asyncio::sleep(0);
  }
}
}  // namespace

TEST_CASE("a task returns its value to the awaiter", "[task]") {
  testing::LoopFixture f;
  CHECK(f.run(add(1, 2)) == 3);
}

TEST_CASE("an exception propagates to the awaiter with its message", "[task]") {
  testing::LoopFixture f;
  CHECK(f.run(catches()) == "caught: boiled over");
  CHECK_THROWS_WITH(f.run(fail("spilled")), "spilled");
}

TEST_CASE("a coroutine is lazy: nothing runs until it is awaited or scheduled", "[task]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  { auto never_awaited = log_steps(log, "x", 1); }
  CHECK(log.empty());
}

TEST_CASE("create_task schedules at once, and tasks interleave at each await", "[task][loop]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    auto& loop = asyncio::EventLoop::current();
    auto a = loop.create_task(log_steps(log, "a", 3));
    auto b = loop.create_task(log_steps(log, "b", 3));
    log.push_back("main");
    co_await a;
    co_await b;
  };
  f.run(main());
  CHECK(log == std::vector<std::string>{"main", "a0", "b0", "a1", "b1", "a2", "b2"});
}

TEST_CASE("the loop can be stepped one iteration at a time", "[loop]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto a = f.loop.create_task(log_steps(log, "a", 2));
  auto b = f.loop.create_task(log_steps(log, "b", 2));
  f.loop.run_once();
  CHECK(log == std::vector<std::string>{"a0", "b0"});
  f.loop.run_once();
  CHECK(log == std::vector<std::string>{"a0", "b0", "a1", "b1"});
  f.loop.run_until_idle();
  CHECK(a.done());
  CHECK(b.done());
}

TEST_CASE("tasks are named task N in creation order, main is main", "[task][trace]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<void> {
    auto& loop = asyncio::EventLoop::current();
    auto a = loop.create_task(answer());
    auto b = loop.create_task(answer());
    CHECK(co_await a + co_await b == 84);
  };
  f.run(main());
  CHECK(f.recorder.lanes() == std::vector<std::string>{"main", "task 1", "task 2"});
}

TEST_CASE("a dropped task handle does not stop the task", "[task]") {
  testing::LoopFixture f;
  std::vector<std::string> log;
  auto main = [&]() -> Task<void> {
    static_cast<void>(asyncio::EventLoop::current().create_task(log_steps(log, "bg", 2)));
    // sleep(0) yields for one turn of the loop whatever the clock says, so the task's two
    // steps come before main ends, however late this thread is scheduled.
    for (int i = 0; i < 3; ++i) co_await asyncio::sleep(0);
  };
  f.run(main());
  CHECK(log == std::vector<std::string>{"bg0", "bg1"});
}

TEST_CASE("a run past its deadline stops with DeadlineExceeded and frees pending tasks", "[loop]") {
  trace::Recorder recorder(trace::Level::off, {}, platform::now());
  std::vector<std::string> log;
  auto sleeper = [&]() -> Task<void> {
    log.push_back("slept");
    co_await asyncio::sleep(30);
    log.push_back("woke");
  };
  {
    asyncio::EventLoop loop(recorder);
    CHECK_THROWS_AS(
        loop.run_until_complete(sleeper(), platform::now() + platform::to_nanos(0.05), 0.05),
        contract::DeadlineExceeded);
  }
  CHECK(log == std::vector<std::string>{"slept"});
}
