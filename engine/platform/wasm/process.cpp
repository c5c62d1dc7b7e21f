#include "engine/platform/process.hpp"

#include <emscripten/em_asm.h>
#include <emscripten/emscripten.h>
#include <emscripten/threading.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <type_traits>

// Process workers: each a JS worker (web/process-worker.js) holding its own instance of this
// module, with its own memory, started by web/pre.js on the main runtime thread when a
// start_worker() first claims its slot, and replaced when released. The parent
// and a process worker share one mailbox slot of the table below, in the parent's memory.
//
// A slot's `state` word is (incarnation << 4) | phase. The incarnation numbers the JS worker
// behind the slot: only the main thread changes it, when it replaces the worker, so a CAS by
// a stale worker (one being terminated) always fails and can never touch a newer owner's call.
// Phases, and who moves them (every access to `state` is seq_cst; the plain fields are
// written before the CAS that publishes them and read after the load that sees it):
//   STARTING -> READY        the worker, once its instance is up (notifies the word)
//   READY -> REQUEST         the owner: request bytes in `request`, then wakes the word
//   REQUEST -> RUNNING       the worker: copies the bytes into its instance, calls
//                            samovar_process_call
//   RUNNING -> NEED_ROOM     the worker: the answer (`answer_len` bytes) does not fit
//   NEED_ROOM -> RUNNING     the owner: a bigger `answer` buffer, then wakes the word
//   RUNNING -> ANSWERING     the worker, before it writes the answer (or a crash's text)...
//   ANSWERING -> ANSWERED    ...then this, and notifies: the owner copies the answer out
//               | CRASHED    (the instance aborted or threw: `error` says how)
//   ANSWERED -> READY        the owner, done with the answer
//   live -> DEAD             kill() (any thread), or the main thread when the JS worker is
//                            gone; live: every phase above but ANSWERED and CRASHED
//   any -> RECYCLE           the owner releasing the slot, or claiming one that is dead or
//                            was never started (state 0: incarnation 0 is never a worker's)
//   RECYCLE -> STARTING(+1)  the main thread: terminates the old JS worker, starts a new one
// So every owner gets a fresh instance, and a dead one's calls fail at the phase check. The
// slot's buffers are malloc'd and freed here only; the worker writes into `answer` only
// between its ANSWERING CAS and the next phase. The main thread learns of RECYCLE and DEAD
// from a poke (a call queued to it, which rescans the table) or from its worker's events.
namespace samovar::platform::process {
namespace {

static_assert(sizeof(void*) == 4, "the table holds addresses as 32-bit words (wasm32)");

constexpr int kWorkers = 4;  // pre.js starts as many as the table has slots
constexpr std::int32_t kLayoutVersion = 1;
constexpr std::size_t kErrorBytes = 240;
constexpr std::uint32_t kMaxBytes = 1u << 30;
constexpr std::uint32_t kFirstAnswerCap = 64u << 10;
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr double kWaitSliceMs = 1000;  // bounds the cost of a missed wake-up; nothing relies on it

enum Phase : std::uint32_t {
  kStarting = 0,
  kReady = 1,
  kRequest = 2,
  kRunning = 3,
  kNeedRoom = 4,
  kAnswering = 5,
  kAnswered = 6,
  kCrashed = 7,
  kDead = 8,
  kRecycle = 9,
};
constexpr std::uint32_t kPhaseBits = 4;
constexpr std::uint32_t kPhaseMask = (1u << kPhaseBits) - 1;

constexpr std::uint32_t phase(std::uint32_t state) {
  return state & kPhaseMask;
}
constexpr std::uint32_t incarnation(std::uint32_t state) {
  return state >> kPhaseBits;
}
constexpr std::uint32_t make_state(std::uint32_t incarnation, Phase p) {
  return (incarnation << kPhaseBits) | p;
}
constexpr bool live(std::uint32_t p) {
  return p <= kAnswering;
}
// A slot's first state: no worker yet. Workers start at incarnation 1, so none ever has it.
constexpr std::uint32_t kNeverStarted = make_state(0, kStarting);

// Shared with JS: web/pre.js mirrors these offsets (asserted below) and hands them to each
// process worker.
// Bump kLayoutVersion with any change, on both sides.
struct Slot {
  std::atomic<std::uint32_t> state{0};
  std::uint32_t request = 0;  // the request's bytes
  std::uint32_t request_len = 0;
  std::uint32_t answer = 0;  // the worker writes the answer here
  std::uint32_t answer_cap = 0;
  std::uint32_t answer_len = 0;  // ANSWERED: bytes written; NEED_ROOM: bytes needed
  std::uint32_t error_len = 0;   // CRASHED: the bytes of `error` that say why
  char error[kErrorBytes] = {};
};

struct TableHeader {
  std::int32_t layout_version = kLayoutVersion;
  std::int32_t slot_count = kWorkers;
  std::int32_t slot_size = sizeof(Slot);
  std::int32_t slots_offset;
  std::atomic<std::int32_t> host_ready{0};  // pre.js sets it: it will start the workers
};

struct ProcessTable {
  TableHeader header{.slots_offset = sizeof(TableHeader)};
  Slot slots[kWorkers];
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free &&
              std::atomic<std::int32_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<Slot> && std::is_standard_layout_v<TableHeader> &&
              std::is_standard_layout_v<ProcessTable>);
static_assert(offsetof(Slot, state) == 0 && offsetof(Slot, request) == 4 &&
              offsetof(Slot, request_len) == 8 && offsetof(Slot, answer) == 12 &&
              offsetof(Slot, answer_cap) == 16 && offsetof(Slot, answer_len) == 20 &&
              offsetof(Slot, error_len) == 24 && offsetof(Slot, error) == 28 &&
              sizeof(Slot) == 268);
static_assert(offsetof(TableHeader, layout_version) == 0 &&
              offsetof(TableHeader, slot_count) == 4 && offsetof(TableHeader, slot_size) == 8 &&
              offsetof(TableHeader, slots_offset) == 12 &&
              offsetof(TableHeader, host_ready) == 16 && sizeof(TableHeader) == 20 &&
              offsetof(ProcessTable, slots) == sizeof(TableHeader));

// Constant-initialized, so it is valid from instantiation on: pre.js reads it in preRun.
constinit ProcessTable table;

// What samovar_process_call answers with, set while the instance initialises (process.hpp).
constinit std::atomic<RequestHandler> request_handler{nullptr};

// Which slots have an owner; only C++ sees it. Never destroyed: workers may be released
// while the module exits.
struct Registry {
  std::mutex mutex;
  std::array<bool, kWorkers> owned{};
};

Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

char* pointer(std::uint32_t address) {
  return reinterpret_cast<char*>(static_cast<std::uintptr_t>(address));
}
std::uint32_t address(const void* p) {
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p));
}

// Watches the state word for a moment before sleeping on it: an answer to a short call comes
// within the window, without a wake-up. True if the word changed.
bool linger(const Slot& s, std::uint32_t seen) {
  static const bool worth_it = std::thread::hardware_concurrency() > 1;  // else it only delays
  if (!worth_it) return false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
  while (std::chrono::steady_clock::now() < until)
    if (s.state.load() != seen) return true;
  return false;
}

void wake(Slot& s) {
  emscripten_futex_wake(&s.state, INT_MAX);
}

// Asks the main thread to rescan the table (pre.js: terminate dead workers, replace
// recycled ones). Queued, never waited for: this may run on any thread.
void poke() {
  MAIN_THREAD_ASYNC_EM_ASM({
    if (Module['samovarProcessReconcile']) Module['samovarProcessReconcile']();
  });
}

std::string error_text(const Slot& s) {
  return std::string(s.error, std::min<std::size_t>(s.error_len, kErrorBytes));
}

std::string name(int index) {
  return "process worker " + std::to_string(index);
}

// Gives a slot up: its buffers are freed (unless a killed worker may still be writing its
// answer: that buffer is left alone for good), and pre.js replaces its instance.
void release(int index, bool answer_abandoned) {
  Slot& s = table.slots[index];
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::uint32_t seen = s.state.load();
  while (!s.state.compare_exchange_weak(seen, make_state(incarnation(seen), kRecycle))) {
  }
  std::free(pointer(s.request));
  if (!answer_abandoned) std::free(pointer(s.answer));
  s.request = s.request_len = s.answer = s.answer_cap = s.answer_len = 0;
  r.owned[static_cast<std::size_t>(index)] = false;
  poke();
}

class ProcessWorker final : public Worker {
 public:
  ProcessWorker(int index, std::uint32_t incarnation) : index_(index), incarnation_(incarnation) {}
  ProcessWorker(const ProcessWorker&) = delete;
  ProcessWorker& operator=(const ProcessWorker&) = delete;
  ~ProcessWorker() override { release(index_, answer_abandoned_.load()); }

  void send(std::string_view request) override {
    if (killed_.load()) throw WorkerDied(name(index_) + " was killed");
    if (!death_.empty()) throw WorkerDied(death_);
    if (request.size() > kMaxBytes)
      throw std::length_error("a request larger than 1 GiB for " + name(index_));
    Slot& s = table.slots[index_];
    reserve(s.request, request_cap_, request.size());
    if (s.answer == 0) reserve(s.answer, s.answer_cap, kFirstAnswerCap);
    if (!request.empty()) std::memcpy(pointer(s.request), request.data(), request.size());
    s.request_len = static_cast<std::uint32_t>(request.size());
    std::uint32_t expected = mine(kReady);
    if (!s.state.compare_exchange_strong(expected, mine(kRequest))) throw died(s, expected);
    sent_.store(true);
    wake(s);
  }

  std::string receive() override {
    Slot& s = table.slots[index_];
    if (!sent_.exchange(false))
      throw WorkerDied(death_.empty() ? name(index_) + ": no request was sent" : death_);
    for (;;) {
      const std::uint32_t seen = s.state.load();
      if (incarnation(seen) != incarnation_) throw died(s, seen);
      switch (phase(seen)) {
        case kRequest:
        case kRunning:
        case kAnswering:
          if (!linger(s, seen)) emscripten_futex_wait(&s.state, seen, kWaitSliceMs);
          break;
        case kNeedRoom:
          give_room(s, seen);
          break;
        case kAnswered: {
          std::string answer(pointer(s.answer), std::min(s.answer_len, s.answer_cap));
          // A kill() that lands on ANSWERED leaves it (not live): the call is done, and the
          // worker ends now instead.
          std::uint32_t answered = seen;
          s.state.compare_exchange_strong(answered, mine(kReady));
          if (killed_.load()) kill();
          return answer;
        }
        default:
          throw died(s, seen);
      }
    }
  }

  long id() const noexcept override { return index_; }

  void kill() noexcept override {
    killed_.store(true);
    Slot& s = table.slots[index_];
    std::uint32_t seen = s.state.load();
    while (incarnation(seen) == incarnation_ && live(phase(seen))) {
      if (s.state.compare_exchange_weak(seen, mine(kDead))) {
        if (phase(seen) == kAnswering) answer_abandoned_.store(true);
        break;
      }
    }
    wake(s);
    poke();
  }

 private:
  std::uint32_t mine(Phase p) const { return make_state(incarnation_, p); }

  // Makes the buffer at `address` hold `size` bytes (at least one, so that malloc's answer is
  // never a null success). Only between calls, or while the worker waits in NEED_ROOM.
  static void reserve(std::uint32_t& address_field, std::uint32_t& cap, std::size_t size) {
    if (address_field != 0 && cap >= size) return;
    void* bigger = std::malloc(std::max<std::size_t>(1, size));
    if (bigger == nullptr) throw std::bad_alloc();
    std::free(pointer(address_field));
    address_field = address(bigger);
    cap = static_cast<std::uint32_t>(size);
  }

  void give_room(Slot& s, std::uint32_t seen) {
    const std::uint32_t needed = s.answer_len;
    bool grown = needed <= kMaxBytes;
    if (grown) {
      try {
        reserve(s.answer, s.answer_cap, needed);
      } catch (const std::bad_alloc&) {
        grown = false;
      }
    }
    if (!grown) {
      kill();
      throw WorkerDied(name(index_) + ": no room for its answer of " + std::to_string(needed) +
                       " bytes");
    }
    std::uint32_t expected = seen;
    if (s.state.compare_exchange_strong(expected, mine(kRunning))) wake(s);
  }

  // The worker is gone: remembers why, so that every later call says the same.
  WorkerDied died(const Slot& s, std::uint32_t seen) {
    if (killed_.load())
      death_ = name(index_) + " was killed";
    else if (incarnation(seen) == incarnation_ && phase(seen) == kCrashed)
      death_ = name(index_) + " crashed: " + error_text(s);
    else
      death_ = name(index_) + " died (its JS worker stopped; see the console)";
    return WorkerDied(death_);
  }

  int index_;
  std::uint32_t incarnation_;
  std::uint32_t request_cap_ = 0;
  std::atomic<bool> killed_{false};
  std::atomic<bool> answer_abandoned_{false};
  std::atomic<bool> sent_{false};  // a request is out: receive() may wait for its answer
  // Why the worker is gone. Written by send() and receive(), which never overlap (the caller
  // orders them: see Worker).
  std::string death_;
};

}  // namespace

std::unique_ptr<Worker> start_worker() {
  if (table.header.host_ready.load() == 0)
    throw WorkerDied(
        "no process workers here (web/pre.js starts them beside the module; see the console)");
  Registry& r = registry();
  int index = -1;
  {
    std::lock_guard lock(r.mutex);
    for (int i = 0; i < kWorkers; ++i) {
      if (r.owned[static_cast<std::size_t>(i)]) continue;
      if (index < 0 || phase(table.slots[i].state.load()) == kReady) index = i;
      if (phase(table.slots[i].state.load()) == kReady) break;
    }
    if (index < 0)
      throw WorkerDied("no process worker free (" + std::to_string(kWorkers) + " in use)");
    r.owned[static_cast<std::size_t>(index)] = true;
    Slot& s = table.slots[index];
    std::uint32_t seen = s.state.load();
    // Never started (the table's first state), or unowned and dead (its start failed, or its
    // JS worker stopped while idle): pre.js starts a worker for it as for a recycled slot.
    while ((seen == kNeverStarted || phase(seen) == kDead || phase(seen) == kCrashed) &&
           !s.state.compare_exchange_weak(seen, make_state(incarnation(seen), kRecycle))) {
    }
    if (phase(seen) != kReady) poke();
  }
  Slot& s = table.slots[index];
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  for (;;) {
    const std::uint32_t seen = s.state.load();
    if (phase(seen) == kReady) return std::make_unique<ProcessWorker>(index, incarnation(seen));
    if (phase(seen) == kDead || phase(seen) == kCrashed) {
      const std::string why =
          phase(seen) == kCrashed ? error_text(s) : "its JS worker stopped; see the console";
      release(index, false);
      throw WorkerDied(name(index) + " could not start: " + why);
    }
    const auto left =
        std::chrono::duration<double, std::milli>(deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) {
      release(index, false);
      throw WorkerDied(name(index) + " did not start within 30 s");
    }
    emscripten_futex_wait(&s.state, seen, std::min(left, kWaitSliceMs));
  }
}

std::size_t max_workers() {
  return kWorkers;
}

// Slots with an owner: a released slot's JS worker is replaced, so none of its state lives on.
std::size_t live_workers() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return static_cast<std::size_t>(std::count(r.owned.begin(), r.owned.end(), true));
}

void set_request_handler(RequestHandler handler) noexcept {
  request_handler.store(handler);
}

bool in_worker() {
  return false;
}

int serve() {
  throw std::logic_error(
      "process::serve is native only: a WASM process worker is called through "
      "samovar_process_call");
}

}  // namespace samovar::platform::process

// For web/pre.js: the table's address. Its layout is in its header and in the offsets asserted
// above, which web/pre.js mirrors.
extern "C" EMSCRIPTEN_KEEPALIVE void* samovar_process_table() {
  return &samovar::platform::process::table;
}

// For web/process-worker.js, in a process worker's own instance: answers one request. The
// answer stays valid until the next call (the worker copies it out before then); its length
// goes to *answer_len.
extern "C" EMSCRIPTEN_KEEPALIVE const char* samovar_process_call(const char* request,
                                                                 std::uint32_t request_len,
                                                                 std::uint32_t* answer_len) {
  const auto handler = samovar::platform::process::request_handler.load();
  if (handler == nullptr)  // the worker marks its slot CRASHED with this, and the parent says so
    EM_ASM({ throw new Error('no request handler was set as this instance started'); });
  static std::string* answer = new std::string;  // one caller: the worker's thread
  *answer = handler(std::string_view(request, request_len));
  *answer_len = static_cast<std::uint32_t>(answer->size());
  return answer->data();
}
