#pragma once
#include <atomic>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/asyncio/event_loop.hpp"
#include "engine/contract/report.hpp"
#include "engine/contract/request.hpp"
#include "engine/contract/stop.hpp"
#include "engine/platform/clock.hpp"
#include "engine/threading/runtime.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar::scenarios {

// What a scenario sees of its run: its params, the clock scaled to the guide, a way to
// print, and where to put its findings. One per run; its members are called from the
// run's threads (print and the recorder are thread-safe; the rest from the run's thread).
class Context {
 public:
  // `cancel`, when set (from any thread), stops the run as its deadline would, with
  // contract::Cancelled.
  // An explored schedule's run reads a virtual clock on its thread from here to the end.
  Context(const contract::Request& request, trace::Recorder& recorder, platform::Nanos deadline,
          std::shared_ptr<std::atomic<bool>> cancel = nullptr);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const std::string& model() const noexcept { return request_.model; }
  long long integer(const char* name) const { return request_.params.at(name).get<long long>(); }
  bool flag(const char* name) const { return request_.params.at(name).get<bool>(); }
  std::string text(const char* name) const { return request_.params.at(name).get<std::string>(); }
  double number(const char* name) const { return request_.params.at(name).get<double>(); }
  // Guide seconds to real seconds.
  double seconds(double guide_seconds) const noexcept { return guide_seconds * request_.scale; }

  // What is left of the run's deadline: the bound for waits in worker processes, which do not
  // see this context.
  platform::Nanos time_left() const noexcept { return stop_.deadline() - platform::machine_now(); }
  // The same for a wait about to begin: throws DeadlineExceeded (or contract::Cancelled)
  // instead of handing a wait a bound that has already passed.
  platform::Nanos wait_bound() const { return stop_.left(); }
  // The run's deadline and cancel flag: what every wait of the run honours.
  const contract::Stop& stop() const noexcept { return stop_; }

  // print(): the line is attributed to the running task, or to "main" outside any loop, and
  // to the call that printed it (`src`, the caller's file and line: the page shows it).
  void print(std::string text, bool stable = true, trace::Source src = trace::Source::here());
  // The same line given in parts, joined only if it is kept: past the line budget a line costs
  // a count (a 100,000-task gather prints 200,000 lines and keeps 10,000).
  void print(std::initializer_list<std::string_view> parts, bool stable = true,
             trace::Source src = trace::Source::here());
  // A line the run's thread prints for something that happened at `at` elsewhere (a worker
  // process), in its place in time.
  void print_at(platform::Nanos at, std::string text, bool stable = true,
                trace::Source src = trace::Source::here()) {
    recorder_.print(main_lane_, std::move(text), stable, at, src);
  }

  // time.sleep: holds the calling thread; throws DeadlineExceeded rather than overrun, and
  // threading::DaemonStopped on a daemon thread once end_program() has been called.
  void blocking_sleep(double seconds);

  // The run's threading model, made at its first use: its threads, locks and waits.
  threading::Runtime& threading();
  // Before the first threading(): model CPython's GIL; how many guide seconds a lock wait
  // lasts before it looks for a deadlock (default 1 real second).
  void use_gil(bool on);
  void detect_deadlocks_after(double guide_seconds);

  // Python's interpreter exit: the main program is done (the wall time ends here) and daemon
  // threads are stopped at their next wait. Thread-safe.
  void end_program();
  std::optional<platform::Nanos> program_end() const noexcept { return program_end_; }

  // asyncio.run(main) on a fresh loop in debug mode (a step that holds the loop over 100 ms
  // is reported), bounded by the run's deadline.
  // `debug` off is for measurements: debug mode reads the clock around every step.
  template <class T>
  T run_asyncio(asyncio::Task<T> main, bool debug = true) {
    asyncio::EventLoop loop(recorder_);
    loop.set_debug(debug);
    struct Tally {
      Context& ctx;
      asyncio::EventLoop& loop;
      ~Tally() {
        ctx.busy_ += loop.busy();
        ctx.slow_steps_ += loop.slow_steps();
      }
    } tally{*this, loop};
    return loop.run_until_complete(std::move(main), stop_);
  }
  // Loop steps that held the thread too long (asyncio debug mode's warnings).
  std::size_t slow_steps() const noexcept { return slow_steps_; }

  // How long the run's own thread was held (running code or blocked), in seconds.
  double busy_s() const noexcept { return platform::to_seconds(busy_); }
  trace::Recorder& recorder() noexcept { return recorder_; }

  void metric(const std::string& name, double value) { metrics_[name] = value; }
  // A finding, and what this variant (its params and model) should show: a deadlock found
  // is the point of fix=none and a failure of fix=ordering.
  void check(const std::string& name, bool value, bool expected) {
    checks_[name] = value;
    expected_checks_[name] = expected;
  }
  const std::map<std::string, double>& metrics() const noexcept { return metrics_; }
  const std::map<std::string, bool>& checks() const noexcept { return checks_; }
  // The options a threading runtime of this run is made with (deadline, cancel, GIL, explored
  // schedule), for a model that makes its own (workload's).
  const threading::Runtime::Options& threading_options() const noexcept {
    return threading_options_;
  }
  // What the explored schedule did, if the request asked for one.
  std::optional<contract::Explored> explored() const;
  const std::map<std::string, bool>& expected_checks() const noexcept { return expected_checks_; }
  // The request's workload spec (null unless the scenario takes one), and the report's table.
  const nlohmann::json& spec() const noexcept { return request_.spec; }
  double scale() const noexcept { return request_.scale; }
  void table(contract::Table t) { table_ = std::move(t); }
  const std::optional<contract::Table>& table() const noexcept { return table_; }
  // A sweep's steps, what their memory was read from, and why it stopped early (a thread that
  // could not start), if it did.
  void sweep_point(contract::SweepPoint point, std::string memory) {
    sweep_.push_back(std::move(point));
    sweep_memory_ = std::move(memory);
  }
  const std::string& sweep_memory() const noexcept { return sweep_memory_; }
  void sweep_limit(std::string why) { sweep_limit_ = std::move(why); }
  const std::vector<contract::SweepPoint>& sweep() const noexcept { return sweep_; }
  const std::string& sweep_limit() const noexcept { return sweep_limit_; }

 private:
  const contract::Request& request_;
  trace::Recorder& recorder_;
  contract::Stop stop_;
  trace::LaneId main_lane_;
  platform::Nanos busy_ = 0;
  std::optional<platform::Nanos> program_end_;
  // The run's clock under an explored schedule: every threading runtime of the run moves it.
  std::atomic<platform::Nanos> virtual_clock_{0};
  contract::Explored explored_;  // what runtimes of this run that have ended did
  threading::Runtime::Options threading_options_;
  std::optional<threading::Runtime> threading_;
  std::size_t slow_steps_ = 0;
  std::map<std::string, double> metrics_;
  std::map<std::string, bool> checks_;
  std::map<std::string, bool> expected_checks_;
  std::optional<contract::Table> table_;
  std::vector<contract::SweepPoint> sweep_;
  std::string sweep_memory_;
  std::string sweep_limit_;
};

}  // namespace samovar::scenarios
