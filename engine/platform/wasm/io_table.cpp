#include "engine/platform/wasm/io_table.hpp"

#include <emscripten/emscripten.h>
#include <emscripten/threading.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/platform/fetch.hpp"

// The slot table: requests for the I/O worker (web/io-worker.js) and its answers, in module
// memory that both sides see. Every access to a slot's `state` and `notify` is seq_cst.
//   submit() (any thread): fills a free slot (request JSON and body, an empty response
//     buffer), stores state = submitted, bumps the doorbell and wakes it.
//   The worker: on the doorbell, CASes submitted -> in flight and runs the request's kind;
//     when it ends, writes status, head and body lengths (and bytes) or an error text into
//     the response buffer, stores state = done, then reads `notify` and, if set, stores 1
//     there and notifies it.
//   The waiter (a loop's poller, or a thread blocked in a file call): watch() stores
//     `notify`, then reads `state`. Either it sees done, or the worker's later read of
//     `notify` sees the waiter's word: no lost wake-up.
//   take(): once done, copies the answer out and frees the slot.
// The worker never allocates or frees: every buffer is malloc'd and freed on this side, and
// it touches a slot's buffers only between taking it (in flight) and storing done.
namespace samovar::platform::io {
namespace {

static_assert(sizeof(void*) == 4, "the table holds addresses as 32-bit words (wasm32)");

enum SlotState : std::int32_t { kFree = 0, kSubmitted = 1, kInFlight = 2, kDone = 3 };

// 2: requests carry a "kind" (fetch or a file operation); the slot layout is unchanged, but
// a worker of layout 1 would take every request for a fetch.
constexpr std::int32_t kLayoutVersion = 2;
constexpr int kSlots = platform::fetch::kMaxInFlight;

// Op ids: slot ops from 1 << 20 up (far above any real descriptor), as index plus
// generation so that a stale id is recognised; ops that failed before reaching a slot
// (all slots busy, out of memory, invalid request) from 1 << 30 up.
constexpr int kFirstOp = 1 << 20;
constexpr int kFirstFailed = 1 << 30;
constexpr std::uint32_t kGenerations = (kFirstFailed - kFirstOp) / kSlots;

// Shared with JS: web/pre.js mirrors these offsets (asserted below) and hands them to the I/O
// worker, which reads the header's counts and sizes. Bump kLayoutVersion with any change, on both
// sides.
struct Slot {
  std::atomic<std::int32_t> state{kFree};
  std::atomic<std::uint32_t> notify{0};  // a waiter's futex word, or 0
  std::uint32_t request = 0;             // the request's JSON text, then its body bytes
  std::uint32_t request_json_len = 0;
  std::uint32_t request_body_len = 0;
  std::uint32_t response = 0;  // JS writes the head then the body, or an error text
  std::uint32_t response_cap = 0;
  std::int32_t status = 0;  // this and the lengths below: written by JS before done
  std::uint32_t headers_len = 0;
  std::uint32_t body_len = 0;
  std::uint32_t error_len = 0;  // > 0: the request failed; the text is at `response`
};

struct TableHeader {
  std::atomic<std::int32_t> doorbell{0};      // submit() bumps it and wakes the worker
  std::atomic<std::int32_t> worker_ready{0};  // set by the worker; pre.js clears it if it dies
  std::int32_t layout_version = kLayoutVersion;
  std::int32_t slot_count = kSlots;
  std::int32_t slot_size = sizeof(Slot);
  std::int32_t slots_offset = sizeof(TableHeader);
};

struct IoTable {
  TableHeader header;
  Slot slots[kSlots];
};

static_assert(std::atomic<std::int32_t>::is_always_lock_free &&
              std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<Slot> && std::is_standard_layout_v<TableHeader> &&
              std::is_standard_layout_v<IoTable>);
static_assert(offsetof(Slot, state) == 0 && offsetof(Slot, notify) == 4 &&
              offsetof(Slot, request) == 8 && offsetof(Slot, request_json_len) == 12 &&
              offsetof(Slot, request_body_len) == 16 && offsetof(Slot, response) == 20 &&
              offsetof(Slot, response_cap) == 24 && offsetof(Slot, status) == 28 &&
              offsetof(Slot, headers_len) == 32 && offsetof(Slot, body_len) == 36 &&
              offsetof(Slot, error_len) == 40 && sizeof(Slot) == 44);
static_assert(offsetof(TableHeader, doorbell) == 0 && offsetof(TableHeader, worker_ready) == 4 &&
              offsetof(TableHeader, layout_version) == 8 &&
              offsetof(TableHeader, slot_count) == 12 && offsetof(TableHeader, slot_size) == 16 &&
              offsetof(TableHeader, slots_offset) == 20 && sizeof(TableHeader) == 24 &&
              offsetof(IoTable, slots) == sizeof(TableHeader));

// Constant-initialized, so it is valid from instantiation on: pre.js hands it to the worker
// in preRun, before static constructors run.
constinit IoTable table;

// What only C++ sees, guarded by one mutex (JS never takes it).
struct Registry {
  std::mutex mutex;
  std::array<std::uint32_t, kSlots> generation{};
  std::array<bool, kSlots> abandoned{};  // freed when its answer arrives
  std::unordered_map<int, std::string> failed;
  int next_failed = 0;
  int cursor = 0;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: other threads may do I/O during exit
  return *r;
}

char* pointer(std::uint32_t address) {
  return reinterpret_cast<char*>(static_cast<std::uintptr_t>(address));
}
std::uint32_t address(const void* p) {
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p));
}

enum class Kind { slot, failed, stale };
struct Found {
  Kind kind;
  int index;
};

Found find(Registry& r, int op) {  // the caller holds r.mutex
  if (op >= kFirstFailed) return {r.failed.count(op) != 0 ? Kind::failed : Kind::stale, -1};
  if (op < kFirstOp) return {Kind::stale, -1};
  const int index = (op - kFirstOp) % kSlots;
  const auto generation = static_cast<std::uint32_t>((op - kFirstOp) / kSlots);
  const auto i = static_cast<std::size_t>(index);
  if (r.generation[i] != generation || r.abandoned[i] || table.slots[i].state.load() == kFree)
    return {Kind::stale, -1};
  return {Kind::slot, index};
}

// A slot's buffers and answer, taken out of the table so that the slot can be reused at once.
struct Detached {
  char* request = nullptr;
  char* response = nullptr;
  std::uint32_t response_cap = 0;
  std::int32_t status = 0;
  std::uint32_t headers_len = 0;
  std::uint32_t body_len = 0;
  std::uint32_t error_len = 0;
};

Detached release(Registry& r, int index) {  // the caller holds r.mutex; the slot is done
  Slot& s = table.slots[index];
  Detached d{pointer(s.request), pointer(s.response), s.response_cap, s.status,
             s.headers_len,      s.body_len,          s.error_len};
  s.notify.store(0);
  s.request = s.request_json_len = s.request_body_len = s.response = s.response_cap = 0;
  const auto i = static_cast<std::size_t>(index);
  r.abandoned[i] = false;
  r.generation[i] = (r.generation[i] + 1) % kGenerations;
  s.state.store(kFree);
  return d;
}

void free_buffers(const Detached& d) {
  std::free(d.request);
  std::free(d.response);
}

void reclaim_abandoned(Registry& r) {  // the caller holds r.mutex
  for (int i = 0; i < kSlots; ++i)
    if (r.abandoned[static_cast<std::size_t>(i)] && table.slots[i].state.load() == kDone)
      free_buffers(release(r, i));
}

int fail(Registry& r, std::string error) {  // the caller holds r.mutex
  int id = 0;
  do {
    id = kFirstFailed + r.next_failed;
    r.next_failed = (r.next_failed + 1) % (INT_MAX - kFirstFailed);
  } while (r.failed.count(id) != 0);
  r.failed.emplace(id, std::move(error));
  return id;
}

Answer answer(const Detached& d) {
  Answer out;
  out.status = d.status;
  if (d.error_len > 0) {
    out.error.assign(d.response, std::min(d.error_len, d.response_cap));
    return out;
  }
  out.body_len = d.body_len;
  if (static_cast<std::uint64_t>(d.headers_len) + d.body_len > d.response_cap) {
    out.overflow = true;
    return out;
  }
  out.head.assign(d.response, d.headers_len);
  out.body.assign(d.response + d.headers_len, d.body_len);
  return out;
}

}  // namespace

int failed(std::string error) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return fail(r, std::move(error));
}

int submit(std::string_view json, std::string_view body, std::size_t response_cap) {
  Registry& r = registry();
  std::string error;
  char* request_buffer = nullptr;
  char* response_buffer = nullptr;
  if (table.header.worker_ready.load() == 0) {
    error =
        "the I/O worker is not running (web/pre.js starts it beside the module; see the console)";
  } else if (json.size() + body.size() > kMaxBytes || response_cap > kMaxBytes) {
    error = "the request or its answer is larger than the I/O worker's limit of 1 GiB";
  } else {
    // At least one byte each, so that a successful malloc is never a null pointer.
    request_buffer =
        static_cast<char*>(std::malloc(std::max<std::size_t>(1, json.size() + body.size())));
    response_buffer = static_cast<char*>(std::malloc(std::max<std::size_t>(1, response_cap)));
    if (request_buffer == nullptr || response_buffer == nullptr) {
      error = "out of memory for a " + std::to_string(response_cap) + "-byte response buffer";
    } else {
      std::memcpy(request_buffer, json.data(), json.size());
      if (!body.empty()) std::memcpy(request_buffer + json.size(), body.data(), body.size());
    }
  }
  int op = 0;
  {
    std::lock_guard lock(r.mutex);
    reclaim_abandoned(r);
    int index = -1;
    if (error.empty()) {
      for (int n = 0; n < kSlots && index < 0; ++n) {
        const int i = (r.cursor + n) % kSlots;
        if (table.slots[i].state.load() == kFree) index = i;
      }
      if (index < 0)
        error = "too many fetches and file operations in flight (" + std::to_string(kSlots) +
                "): the I/O worker's table is full";
    }
    if (!error.empty()) {
      op = fail(r, std::move(error));
    } else {
      r.cursor = (index + 1) % kSlots;
      Slot& s = table.slots[index];
      s.notify.store(0);
      s.request = address(request_buffer);
      s.request_json_len = static_cast<std::uint32_t>(json.size());
      s.request_body_len = static_cast<std::uint32_t>(body.size());
      s.response = address(response_buffer);
      s.response_cap = static_cast<std::uint32_t>(response_cap);
      s.status = 0;
      s.headers_len = s.body_len = s.error_len = 0;
      s.state.store(kSubmitted);
      op = kFirstOp + static_cast<int>(r.generation[static_cast<std::size_t>(index)]) * kSlots +
           index;
      request_buffer = response_buffer = nullptr;  // the slot owns them now
    }
  }
  std::free(request_buffer);
  std::free(response_buffer);
  if (op < kFirstFailed) {
    table.header.doorbell.fetch_add(1);
    emscripten_futex_wake(&table.header.doorbell, INT_MAX);
  }
  return op;
}

Answer take(int op) {
  Registry& r = registry();
  Detached d;
  {
    std::lock_guard lock(r.mutex);
    const Found f = find(r, op);
    if (f.kind == Kind::failed) {
      auto it = r.failed.find(op);
      Answer out;
      out.error = std::move(it->second);
      r.failed.erase(it);
      return out;
    }
    if (f.kind == Kind::stale)
      throw std::logic_error("I/O operation " + std::to_string(op) +
                             ": no such operation (finished or abandoned?)");
    if (table.slots[f.index].state.load() != kDone)
      throw std::logic_error("I/O operation " + std::to_string(op) +
                             ": not done yet; wait until it is readable");
    d = release(r, f.index);
  }
  Answer out = answer(d);
  free_buffers(d);
  return out;
}

bool is_done(int op) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const Found f = find(r, op);
  if (f.kind == Kind::stale)
    throw std::logic_error("I/O operation " + std::to_string(op) +
                           ": no such operation (finished or abandoned?)");
  return f.kind == Kind::failed || table.slots[f.index].state.load() == kDone;
}

void abandon(int op) {
  Registry& r = registry();
  Detached d;
  {
    std::lock_guard lock(r.mutex);
    const Found f = find(r, op);
    if (f.kind == Kind::failed) r.failed.erase(op);
    if (f.kind != Kind::slot) return;
    Slot& s = table.slots[f.index];
    if (s.state.load() != kDone) {
      r.abandoned[static_cast<std::size_t>(f.index)] = true;
      s.notify.store(0);
      return;
    }
    d = release(r, f.index);
  }
  free_buffers(d);
}

bool is_op(int fd) noexcept {
  return fd >= kFirstOp;
}

bool watch(int op, std::atomic<std::uint32_t>* word) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const Found f = find(r, op);
  if (f.kind != Kind::slot) return true;
  Slot& s = table.slots[f.index];
  s.notify.store(address(word));   // first publish the word (seq_cst) ...
  return s.state.load() == kDone;  // ... then look: the worker does the mirror image
}

void unwatch(int op, std::atomic<std::uint32_t>* word) noexcept {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const Found f = find(r, op);
  if (f.kind != Kind::slot) return;
  std::uint32_t expected = address(word);
  table.slots[f.index].notify.compare_exchange_strong(expected, 0);
}

bool done(int op) noexcept {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const Found f = find(r, op);
  return f.kind != Kind::slot || table.slots[f.index].state.load() == kDone;
}

namespace {
struct WordPool {
  std::mutex mutex;
  std::vector<std::atomic<std::uint32_t>*> free;
};

WordPool& words() {
  static WordPool* pool = new WordPool;  // never destroyed, like the words
  return *pool;
}
}  // namespace

std::atomic<std::uint32_t>* take_word() {
  WordPool& pool = words();
  std::lock_guard lock(pool.mutex);
  if (pool.free.empty()) return new std::atomic<std::uint32_t>{0};
  auto* word = pool.free.back();
  pool.free.pop_back();
  word->store(0);
  return word;
}

void give_back_word(std::atomic<std::uint32_t>* word) {
  WordPool& pool = words();
  std::lock_guard lock(pool.mutex);
  pool.free.push_back(word);
}

}  // namespace samovar::platform::io

// For web/pre.js: the table's address. Its layout is described by its header and by the
// offsets asserted above, which web/pre.js mirrors.
extern "C" EMSCRIPTEN_KEEPALIVE void* samovar_io_table() {
  return &samovar::platform::io::table;
}
