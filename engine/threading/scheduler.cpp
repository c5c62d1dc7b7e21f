#include "engine/threading/scheduler.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/platform/spin.hpp"

namespace samovar::threading {

namespace {
// Looking at the deadline reads the machine's clock (a call into JS in WASM): every so often.
constexpr std::int64_t kStopEvery = 256;
}  // namespace

Scheduler::Scheduler(Options options)
    : options_(std::move(options)),
      strategy_(make_strategy(options_.strategy, options_.depth, options_.steps, options_.seed)),
      clock_(*options_.clock) {
  units_.emplace_back().name = "main";
  strategy_->added(0);
}

int Scheduler::add(std::string name) {
  std::lock_guard lock(mutex_);
  const int unit = static_cast<int>(units_.size());
  units_.emplace_back().name = std::move(name);
  strategy_->added(unit);
  return unit;
}

void Scheduler::enter(int unit) {
  platform::follow_clock(&clock_);
  wait_turn(unit);
}

void Scheduler::step(int unit) {
  ++outcome_.steps;
  clock_.store(clock_.load(std::memory_order_relaxed) + kStep, std::memory_order_relaxed);
  auto& turns = outcome_.turns;
  if (!turns.empty() && turns.back().first == unit)
    ++turns.back().second;
  else if (turns.size() < contract::Explored::kMaxTurns)
    turns.emplace_back(unit, 1);
}

bool Scheduler::point(int unit, bool may_throw) {
  step(unit);
  if (may_throw) look_at_stop();
  return pass(unit, may_throw);
}

void Scheduler::look_at_stop() {
  // Counted apart from steps: a thread that only sleeps and wakes (a block, no step) must see it.
  if (++passes_ % kStopEvery == 0) options_.stop.check();
}

void Scheduler::changed(const void* object) noexcept {
  for (auto& u : units_)
    if (u.state == Unit::State::blocked && u.waits_on == object) u.woken = true;
}

void Scheduler::block(int unit, std::optional<platform::Nanos> until, const void* object,
                      bool may_throw) {
  if (may_throw) look_at_stop();
  Unit& u = units_[static_cast<std::size_t>(unit)];
  u.state = Unit::State::blocked;
  u.waits_on = object;
  u.woken = false;
  u.until = until;
  pass(unit, may_throw);
}

void Scheduler::wake(int unit) noexcept {
  Unit& u = units_[static_cast<std::size_t>(unit)];
  if (u.state != Unit::State::blocked) return;
  u.woken = true;
}

void Scheduler::exit(int unit) {
  units_[static_cast<std::size_t>(unit)].state = Unit::State::done;
  pass(unit, false);
  platform::follow_clock(nullptr);
}

std::string Scheduler::name(int unit) const {
  std::lock_guard lock(mutex_);
  return units_[static_cast<std::size_t>(unit)].name;
}

bool Scheduler::done(int unit) const {
  return units_[static_cast<std::size_t>(unit)].state == Unit::State::done;
}

Scheduler::Outcome Scheduler::outcome() const {
  return outcome_;
}

bool Scheduler::enabled(const Unit& u) const noexcept {
  switch (u.state) {
    case Unit::State::runnable:
      return true;
    case Unit::State::blocked:
      return u.woken || (u.until && *u.until <= clock_.load(std::memory_order_relaxed));
    case Unit::State::done:
      return false;
  }
  return false;
}

std::vector<int> Scheduler::enabled_units() {
  std::vector<int> enabled;
  for (std::size_t i = 0; i < units_.size(); ++i)
    if (this->enabled(units_[i])) enabled.push_back(static_cast<int>(i));
  return enabled;
}

bool Scheduler::pass(int unit, bool may_throw) {
  std::vector<int> enabled = enabled_units();
  if (enabled.empty()) {
    // Everyone waits. For a time: the clock jumps to the first. For each other: nothing will
    // ever change, and the run breaks it.
    std::optional<platform::Nanos> first;
    for (const auto& u : units_)
      if (u.state == Unit::State::blocked && u.until)
        first = std::min(first.value_or(*u.until), *u.until);
    if (first) {
      clock_.store(std::max(*first, clock_.load(std::memory_order_relaxed)),
                   std::memory_order_relaxed);
    } else {
      outcome_.all_blocked = true;
      if (all_blocked_) all_blocked_();
    }
    enabled = enabled_units();
    if (enabled.empty()) {
      Unit& me = units_[static_cast<std::size_t>(unit)];
      if (me.state == Unit::State::blocked) me.state = Unit::State::runnable;
      if (!may_throw) return false;
      throw std::runtime_error("explored schedule: every thread waits and none can be woken");
    }
  }
  const int next = strategy_->choose(enabled, unit, outcome_.steps);
  Unit& chosen = units_[static_cast<std::size_t>(next)];
  chosen.state = Unit::State::runnable;
  chosen.until.reset();
  if (next == unit) return false;
  ++outcome_.switches;
  // Read before the turn passes: from then on the units belong to the thread that has it.
  const bool leaving = units_[static_cast<std::size_t>(unit)].state == Unit::State::done;
  {
    std::lock_guard lock(mutex_);
    running_.store(next, std::memory_order_release);
  }
  chosen.turn.notify_one();
  if (leaving) return true;
  wait_turn(unit);
  return true;
}

void Scheduler::wait_turn(int unit) {
  // The thread handing over is about to stop: on two cores, catching the turn by polling saves
  // a futex sleep and wake (microseconds natively, tens in WASM).
  if (platform::spin_until([&] { return running_.load(std::memory_order_acquire) == unit; }))
    return;
  // No deadline of its own: the thread that holds the turn looks at the run's at its points and
  // waits, and once it is past, every thread unwinds in turn.
  std::unique_lock lock(mutex_);
  Unit& u = units_[static_cast<std::size_t>(unit)];
  while (running_.load(std::memory_order_acquire) != unit) u.turn.wait(lock);
}

}  // namespace samovar::threading
