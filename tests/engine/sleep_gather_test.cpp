#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;

namespace {
Task<int> after(double seconds, int value, std::vector<int>* finished = nullptr) {
  co_await asyncio::sleep(seconds);
  if (finished != nullptr) finished->push_back(value);
  co_return value;
}
Task<void> nap(double seconds) {
  co_await asyncio::sleep(seconds);
}
Task<std::string> word() {
  co_return "chai";
}
Task<void> boom() {
  co_await asyncio::sleep(0.001);
  throw std::runtime_error("kettle broke");
}
}  // namespace

TEST_CASE("sleep suspends the task, not the thread: other tasks run meanwhile", "[sleep]") {
  testing::LoopFixture f;
  int ticks = 0;
  auto ticker = [&]() -> Task<void> {
    for (int i = 0; i < 5; ++i) {
      ++ticks;
      co_await asyncio::sleep(0.001);
    }
  };
  int ticks_while_main_slept = 0;
  auto main = [&]() -> Task<void> {
    auto t = asyncio::EventLoop::current().create_task(ticker());
    co_await asyncio::sleep(0.2);
    ticks_while_main_slept = ticks;
    co_await t;
  };
  f.run(main());
  CHECK(ticks_while_main_slept >= 1);  // the ticker ran while main's sleep was pending
  CHECK(ticks == 5);
  // The sleep did not hold the thread: the loop ran code for less than the sleep lasted.
  CHECK(f.loop.busy() < platform::to_nanos(0.2));
}

TEST_CASE("timers fire in deadline order", "[sleep]") {
  testing::LoopFixture f;
  std::vector<int> finished;
  auto main = [&]() -> Task<void> {
    std::vector<Task<int>> tasks;
    tasks.push_back(after(0.06, 3, &finished));
    tasks.push_back(after(0.02, 1, &finished));
    tasks.push_back(after(0.04, 2, &finished));
    co_await asyncio::gather(std::move(tasks));
  };
  f.run(main());
  CHECK(finished == std::vector<int>{1, 2, 3});
}

TEST_CASE("gather returns results in argument order, not completion order", "[gather]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<std::vector<int>> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(after(0.01 * (5 - i), i));
    co_return co_await asyncio::gather(std::move(tasks));
  };
  CHECK(f.run(main()) == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("gather of different types yields a tuple", "[gather]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<std::tuple<int, std::string, asyncio::None>> {
    co_return co_await asyncio::gather(after(0.01, 7), word(), nap(0.01));
  };
  const auto [number, text, none] = f.run(main());
  CHECK(number == 7);
  CHECK(text == "chai");
}

TEST_CASE("gather's sleeps overlap in the trace", "[gather][trace]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<void> {
    std::vector<Task<void>> naps;
    for (int i = 0; i < 3; ++i) naps.push_back(nap(0.05));
    co_await asyncio::gather(std::move(naps));
  };
  f.run(main());
  const auto sleeps = f.spans_named("sleep");
  REQUIRE(sleeps.size() == 3);
  CHECK(testing::overlap(sleeps[0], sleeps[1]));
  CHECK(testing::overlap(sleeps[1], sleeps[2]));
  CHECK(testing::overlap(sleeps[0], sleeps[2]));
  CHECK(f.recorder.peak_overlap("sleep") == 3);
  // Each sleep is on its own task's lane.
  CHECK(sleeps[0].lane != sleeps[1].lane);
}

TEST_CASE("an exception in one gathered task reaches the awaiter", "[gather]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<void> {
    std::vector<Task<void>> tasks;
    tasks.push_back(nap(0.01));
    tasks.push_back(boom());
    co_await asyncio::gather(std::move(tasks));
  };
  CHECK_THROWS_WITH(f.run(main()), "kettle broke");
}

TEST_CASE("gather scales to many tasks", "[gather][scale]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<std::size_t> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 20000; ++i) tasks.push_back(after(0.05, i));
    auto results = co_await asyncio::gather(std::move(tasks));
    co_return static_cast<std::size_t>(
        std::count_if(results.begin(), results.end(), [i = 0](int v) mutable { return v == i++; }));
  };
  CHECK(f.run(main()) == 20000);
  CHECK(f.recorder.peak_overlap("sleep") == 20000);
}

// One loop step resumes every task whose sleep ended. Under WASM each resume once left the
// stack pointer a little lower, and a step of 80,000 tasks overflowed a 2 MB stack.
TEST_CASE("one step resumes 300,000 tasks without using up the stack", "[gather][scale]") {
  testing::LoopFixture f;
  constexpr int kTasks = 300'000;
  auto main = [&]() -> Task<std::size_t> {
    std::vector<Task<int>> tasks;
    tasks.reserve(kTasks);
    for (int i = 0; i < kTasks; ++i) tasks.push_back(after(0.01, i));
    auto results = co_await asyncio::gather(std::move(tasks));
    co_return results.size();
  };
  CHECK(f.run(main()) == kTasks);
}
