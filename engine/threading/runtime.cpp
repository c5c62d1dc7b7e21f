#include "engine/threading/runtime.hpp"

#include <algorithm>
#include <vector>

#include "engine/contract/deadline.hpp"
#include "engine/threading/gil.hpp"
#include "engine/threading/lock_graph.hpp"
#include "engine/threading/thread.hpp"
#include "engine/threading/wait_scope.hpp"

namespace samovar::threading {

namespace {
std::atomic<std::uint64_t> next_runtime_id{1};

// The calling thread's state in the runtime it last used; an id, not an address, tells
// runtimes apart, since a later one may reuse an earlier one's memory.
struct Registration {
  std::uint64_t runtime = 0;
  ThreadState* state = nullptr;
};
thread_local Registration registration;
}  // namespace

Runtime::Runtime(trace::Recorder& recorder, Options options)
    : recorder_(recorder),
      options_(options),
      stop_(options.deadline, options.deadline_s, options.cancel),
      id_(next_runtime_id.fetch_add(1)),
      main_lane_(recorder.lane("main")) {
  // Explored, the GIL is the schedule's: threads switch only at checkpoints (shared()).
  if (const auto& e = options_.explore) {
    scheduler_ = std::make_unique<Scheduler>(
        Scheduler::Options{e->strategy, e->depth, e->steps, e->seed, stop_, e->clock});
    scheduler_->on_all_blocked([this] { all_blocked(); });
  } else if (options_.gil) {
    gil_ = std::make_unique<Gil>(*this, options_.switch_interval_s);
  }
}

Runtime::~Runtime() {
  if (scheduler_ && options_.explore->ended != nullptr) options_.explore->ended->add(*explored());
}

ThreadState& Runtime::current() {
  if (registration.runtime == id_) return *registration.state;
  ThreadState* state;
  {
    std::lock_guard lock(graph_mutex_);
    state = &threads_.emplace_back();
  }
  state->lane = current_lane(main_lane_);
  if (scheduler_) state->unit = 0;  // only Threads run beside main under an explored schedule
  registration = {id_, state};
  return *state;
}

ThreadState& Runtime::add_thread(const std::string& name, bool daemon) {
  const trace::LaneId lane = recorder_.lane(name);
  std::lock_guard lock(graph_mutex_);
  ThreadState& state = threads_.emplace_back();
  state.lane = lane;
  state.daemon = daemon;
  state.records_running = true;
  if (scheduler_) state.unit = scheduler_->add(name);
  // A daemon started after the program ended stops at its first wait.
  if (daemon && daemons_stopped_.load()) state.stop = true;
  return state;
}

void Runtime::adopt(ThreadState& state) {
  registration = {id_, &state};
}

void Runtime::sleep(double seconds, trace::LaneId lane) {
  ThreadState& me = current();
  const platform::Nanos until = platform::now() + platform::to_nanos(seconds);
  recorder_.open("sleep");
  struct Close {
    trace::Recorder& r;
    ~Close() { r.close("sleep"); }
  } close{recorder_};
  WaitScope scope(
      *this, me, me.park_mutex, me.park_cv,
      {trace::State::waiting, "sleep", trace::kNoLane, trace::kNoLane, nullptr, true, lane, true});
  std::unique_lock lock(me.park_mutex);
  // The scope's wait throws at the deadline or a cancel, whichever is first.
  scope.wait(
      lock, [] { return false; }, until);
}

void Runtime::checkpoint_slow() {
  ThreadState& me = current();
  // A daemon in Python-level work when the program ends stops here, as it would at a wait.
  if (me.stop.load()) throw DaemonStopped();
  if (scheduler_) {
    if (options_.gil) point_slow("checkpoint", trace::kNoLane, true);
    return;
  }
  if (!gil_) return;
  if (me.gil == ThreadState::Gil::held) {
    if (!gil_->drop_requested()) return;
    gil_->drop(me, true);
    me.gil = ThreadState::Gil::dropped;
  }
  if (me.gil != ThreadState::Gil::dropped) return;
  if (gil_->take(me)) {
    me.gil = ThreadState::Gil::held;
    return;
  }
  // Refused: the run must stop (or this daemon must), so its Python code goes no further.
  if (me.stop.load()) throw DaemonStopped();
  stop_.check();
}

void Runtime::check_deadline() const {
  stop_.check();
}

void Runtime::stop_daemons() {
  daemons_stopped_ = true;
  std::lock_guard lock(graph_mutex_);
  for (auto& state : threads_) {
    if (!state.daemon) continue;
    state.stop = true;
    interrupt(state);
  }
}

void Runtime::interrupt(ThreadState& state) {
  if (scheduler_ && state.unit >= 0) scheduler_->wake(state.unit);
  std::lock_guard registered(state.interrupt_mutex);
  if (state.wait_mutex == nullptr) return;
  // Under the waiter's mutex, so the wake cannot fall between its check and its wait.
  std::lock_guard waiting(*state.wait_mutex);
  state.wait_cv->notify_all();
}

void Runtime::check_deadlock(ThreadState& me) {
  find_cycle(me, false);
}

bool Runtime::find_cycle(ThreadState& me, bool at_once) {
  std::lock_guard lock(graph_mutex_);
  ++deadlock_checks_;
  if (me.in_deadlock) return false;
  // Follow "waits for a lock owned by" from me. Every thread on the path is blocked in a lock
  // wait, and a blocked thread releases nothing, so a path back to me is a cycle that stays.
  std::vector<ThreadState*> cycle;
  ThreadState* t = &me;
  for (;;) {
    if (t->waiting_for == nullptr || t->timed_wait || t->in_deadlock) return false;
    cycle.push_back(t);
    ThreadState* owner = t->waiting_for->owner.load();
    if (owner == nullptr) return false;
    if (owner == &me) break;
    // A cycle that does not pass through me: its own members will find it.
    if (std::find(cycle.begin(), cycle.end(), owner) != cycle.end()) return false;
    t = owner;
  }
  // Told from the thread that came first, so the report reads the same whoever found it.
  const auto first = std::min_element(cycle.begin(), cycle.end(),
                                      [](auto* a, auto* b) { return a->lane < b->lane; });
  std::rotate(cycle.begin(), first, cycle.end());
  const std::size_t n = cycle.size();
  std::string text;
  platform::Nanos formed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // By the walk, cycle[i] owns what the thread before it waits for.
    text += (i ? "; " : "") + recorder_.lane_name(cycle[i]->lane) + " holds " +
            recorder_.lane_name(cycle[(i + n - 1) % n]->waiting_for->lane) + " and waits for " +
            recorder_.lane_name(cycle[i]->waiting_for->lane);
    formed = std::max(formed, cycle[i]->wait_start);
  }
  const platform::Nanos now = platform::now();
  // Reported once every wait of the cycle has lasted deadlock_check_s, as the option promises:
  // the last thread to wait finds it then, at its own check. An explored schedule knows at once
  // that nothing can change.
  if (!at_once && now - formed < platform::to_nanos(options_.deadlock_check_s)) return false;
  deadlock_found_ = DeadlockFound{text, platform::to_seconds(now - formed)};
  for (std::size_t i = 0; i < n; ++i) {
    ThreadState& member = *cycle[i];
    recorder_.span(member.lane, trace::State::instant, "deadlock", now, now,
                   member.waiting_for->lane, cycle[(i + 1) % n]->lane);
    member.deadlock = text;
    member.in_deadlock = true;
    interrupt(member);
  }
  return true;
}

void Runtime::all_blocked() {
  std::vector<ThreadState*> all;
  {
    std::lock_guard lock(graph_mutex_);
    for (auto& t : threads_) all.push_back(&t);
  }
  for (auto* t : all)
    if (find_cycle(*t, true)) return;
  std::string who;
  for (auto* t : all)
    if (t->unit >= 0 && !scheduler_->done(t->unit))
      who += (who.empty() ? "" : ", ") + recorder_.lane_name(t->lane);
  for (auto* t : all) {
    if (t->unit < 0 || scheduler_->done(t->unit)) continue;
    {
      std::lock_guard lock(graph_mutex_);
      t->deadlock = "every thread waits and none can wake another: " + who;
    }
    t->stuck = true;
    interrupt(*t);
  }
}

void Runtime::point_slow(const char* what, trace::LaneId object, bool may_throw) {
  ThreadState& me = current();
  const platform::Nanos before = platform::now();
  if (recorder_.spans_on()) {
    if (recorder_.keeps_spans())
      recorder_.span(me.lane, trace::State::instant, what, before, before, object);
    else
      recorder_.drop_span();
  }
  // Its lane shows it running only while it has the turn.
  if (scheduler_->point(me.unit, may_throw)) {
    pause_running(me, before);
    me.running_since = platform::now();
  }
}

void Runtime::enter(ThreadState& state) {
  if (scheduler_) scheduler_->enter(state.unit);
}

void Runtime::exit(ThreadState& state) {
  if (!scheduler_) return;
  scheduler_->changed(&state);  // for finish()
  scheduler_->exit(state.unit);
}

void Runtime::finish(ThreadState& state) noexcept {
  if (!scheduler_ || state.unit < 0 || scheduler_->done(state.unit)) return;
  ThreadState& me = current();
  state.stop = true;
  interrupt(state);
  // Woken by its interrupt or its end (exit wakes no one by name): looks every turn it gets.
  while (!scheduler_->done(state.unit)) scheduler_->block(me.unit, std::nullopt, &state, false);
}

std::optional<contract::Explored> Runtime::explored() const {
  if (!scheduler_) return std::nullopt;
  const Scheduler::Outcome o = scheduler_->outcome();
  contract::Explored e{o.steps, o.switches, {}, o.all_blocked};
  for (const auto& [unit, steps] : o.turns) e.turns.emplace_back(scheduler_->name(unit), steps);
  return e;
}

std::optional<DeadlockFound> Runtime::deadlock_found() const {
  std::lock_guard lock(graph_mutex_);
  return deadlock_found_;
}

void Runtime::pause_running(ThreadState& me, platform::Nanos now) {
  if (me.records_running && recorder_.spans_on() && now > me.running_since)
    recorder_.span(me.lane, trace::State::running, "run", me.running_since, now);
}

WaitScope::WaitScope(Runtime& rt, ThreadState& me, std::mutex& mutex, std::condition_variable& cv,
                     What what)
    : rt_(rt),
      me_(me),
      cv_(cv),
      what_(what),
      start_(platform::now()),
      exceptions_at_start_(std::uncaught_exceptions()) {
  rt_.pause_running(me_, start_);
  if (what_.lock != nullptr) {
    std::lock_guard lock(rt_.graph_mutex_);
    me_.waiting_for = what_.lock;
    me_.timed_wait = what_.timed;
    me_.wait_start = start_;
  }
  {
    std::lock_guard lock(me_.interrupt_mutex);
    me_.wait_mutex = &mutex;
    me_.wait_cv = &cv;
  }
  if (me_.gil == ThreadState::Gil::held) {
    rt_.gil()->drop(me_, false);
    me_.gil = ThreadState::Gil::dropped;
    gave_up_gil_ = true;
  }
}

WaitScope::~WaitScope() {
  {
    std::lock_guard lock(me_.interrupt_mutex);
    me_.wait_mutex = nullptr;
    me_.wait_cv = nullptr;
  }
  if (what_.lock != nullptr) {
    std::lock_guard lock(rt_.graph_mutex_);
    me_.waiting_for = nullptr;
  }
  const platform::Nanos end = platform::now();
  rt_.recorder_.span(what_.lane != trace::kNoLane ? what_.lane : me_.lane, what_.state, what_.name,
                     start_, end, what_.object, what_.holder);
  // Unwinding, the thread takes the GIL back at its next checkpoint, not here.
  if (gave_up_gil_ && std::uncaught_exceptions() == exceptions_at_start_ && rt_.gil()->take(me_))
    me_.gil = ThreadState::Gil::held;
  me_.running_since = platform::now();
}

void WaitScope::throw_if_interrupted() const {
  if (me_.in_deadlock.load()) {
    me_.in_deadlock = false;  // this wait fails; a later one of the same thread may succeed
    throw DeadlockError(me_.deadlock);
  }
  if (me_.stop.load()) throw DaemonStopped();
  if (me_.stuck.load()) throw AllBlocked(me_.deadlock);
}

}  // namespace samovar::threading
