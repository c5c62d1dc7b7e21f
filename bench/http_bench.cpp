// 1,000 concurrent GETs of /delay/0.2 through one ClientSession, against a /delay server on
// another thread's loop. CPython 3.11 asyncio streams here: 0.37-0.53 s.
#include <benchmark/benchmark.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "engine/net/delay_server.hpp"
#include "engine/net/http_client.hpp"

using namespace samovar;
using asyncio::Task;

namespace {

// Runs a /delay server on its own thread until stopped.
class ServerThread {
 public:
  ServerThread() {
    std::promise<std::string> listening;
    auto ready = listening.get_future();
    thread_ = std::thread([this, promise = std::move(listening)]() mutable {
      trace::Recorder recorder(trace::Level::off, {0, 0}, platform::now());
      asyncio::EventLoop loop(recorder);
      loop.run_until_complete([](ServerThread& self, std::promise<std::string>& url) -> Task<void> {
        auto server = net::start_delay_server();
        url.set_value(server->base_url());
        while (!self.stop_.load()) co_await asyncio::sleep(0.05);
      }(*this, promise));
    });
    base_url_ = ready.get();
  }
  ~ServerThread() {
    stop_ = true;
    thread_.join();
  }
  const std::string& base_url() const { return base_url_; }

 private:
  std::atomic<bool> stop_{false};
  std::string base_url_;
  std::thread thread_;
};

Task<void> get_all(std::string url, long n) {
  net::ClientSession session;
  auto get = [&]() -> Task<int> { co_return (co_await session.get(url)).status; };
  std::vector<Task<int>> gets;
  for (long i = 0; i < n; ++i) gets.push_back(get());
  for (int status : co_await asyncio::gather(std::move(gets)))
    if (status != 200) throw std::runtime_error("a GET failed");
}

void BM_ConcurrentGets(benchmark::State& state) {
  ServerThread server;
  const std::string url = server.base_url() + "/delay/0.2";
  trace::Recorder recorder(trace::Level::off, {0, 0}, platform::now());
  for (auto _ : state) {
    asyncio::EventLoop loop(recorder);
    loop.run_until_complete(get_all(url, state.range(0)));
  }
}
BENCHMARK(BM_ConcurrentGets)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace
