#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>
#include <emscripten/threading.h>

#include <climits>

#include "engine/platform/shared_memory.hpp"

// The block is an array in the parent's memory, which is a SharedArrayBuffer. The parent's
// threads use it directly. A process worker's instance has its own memory, so it reaches the
// parent's block through JS: web/process-worker.js hands it the parent's WebAssembly.Memory
// and the block's address, and these functions use Atomics on it, which interoperate with the
// parent's own atomic instructions and futexes.
namespace samovar::platform::shared_memory {

namespace {

constexpr std::size_t kWords = 1 << 18;  // 1 MiB, zero-initialised (no bytes in the .wasm)
alignas(64) std::int32_t block[kWords];

}  // namespace

}  // namespace samovar::platform::shared_memory

// In a process worker: samovarSharedWords() is an Int32Array on the parent's memory (re-made
// when it grew) and samovarSharedBase the block's first word in it (web/process-worker.js).
// clang-format off
EM_JS(int, samovar_in_process_worker, (), { return Module['samovarProcessWorker'] ? 1 : 0; });
EM_JS(int, samovar_remote_load, (int word),
      { return Atomics.load(Module['samovarSharedWords'](), Module['samovarSharedBase'] + word); });
EM_JS(void, samovar_remote_store, (int word, int value), {
  Atomics.store(Module['samovarSharedWords'](), Module['samovarSharedBase'] + word, value);
});
EM_JS(int, samovar_remote_add, (int word, int delta), {
  return Atomics.add(Module['samovarSharedWords'](), Module['samovarSharedBase'] + word, delta);
});
EM_JS(int, samovar_remote_cas, (int word, int expected, int desired), {
  return Atomics.compareExchange(Module['samovarSharedWords'](), Module['samovarSharedBase'] + word,
                                 expected, desired);
});
EM_JS(void, samovar_remote_wait, (int word, int expected, double ms), {
  Atomics.wait(Module['samovarSharedWords'](), Module['samovarSharedBase'] + word, expected, ms);
});
EM_JS(void, samovar_remote_wake, (int word),
      { Atomics.notify(Module['samovarSharedWords'](), Module['samovarSharedBase'] + word); });
// clang-format on

namespace samovar::platform::shared_memory {

namespace {

bool remote() {
  static const bool in_worker = samovar_in_process_worker() != 0;
  return in_worker;
}

int index(Word word) {
  return static_cast<int>(word);
}

}  // namespace

std::size_t capacity() noexcept {
  return kWords;
}

std::int32_t load(Word word) noexcept {
  if (remote()) return samovar_remote_load(index(word));
  return __atomic_load_n(&block[word], __ATOMIC_SEQ_CST);
}

void store(Word word, std::int32_t value) noexcept {
  if (remote()) return samovar_remote_store(index(word), value);
  __atomic_store_n(&block[word], value, __ATOMIC_SEQ_CST);
}

// A process worker has only JS's Atomics, which are all sequentially consistent.
std::int32_t load_relaxed(Word word) noexcept {
  if (remote()) return samovar_remote_load(index(word));
  return __atomic_load_n(&block[word], __ATOMIC_RELAXED);
}

void store_relaxed(Word word, std::int32_t value) noexcept {
  if (remote()) return samovar_remote_store(index(word), value);
  __atomic_store_n(&block[word], value, __ATOMIC_RELAXED);
}

std::int32_t fetch_add(Word word, std::int32_t delta) noexcept {
  if (remote()) return samovar_remote_add(index(word), delta);
  return __atomic_fetch_add(&block[word], delta, __ATOMIC_SEQ_CST);
}

bool compare_exchange(Word word, std::int32_t& expected, std::int32_t desired) noexcept {
  if (remote()) {
    const std::int32_t seen = samovar_remote_cas(index(word), expected, desired);
    const bool swapped = seen == expected;
    expected = seen;
    return swapped;
  }
  return __atomic_compare_exchange_n(&block[word], &expected, desired, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST);
}

void wait(Word word, std::int32_t expected, Nanos timeout) noexcept {
  if (timeout <= 0) return;
  const double ms = static_cast<double>(timeout) / 1e6;
  if (remote()) return samovar_remote_wait(index(word), expected, ms);
  emscripten_futex_wait(&block[word], static_cast<std::uint32_t>(expected), ms);
}

void wake_all(Word word) noexcept {
  if (remote()) return samovar_remote_wake(index(word));
  emscripten_futex_wake(&block[word], INT_MAX);
}

}  // namespace samovar::platform::shared_memory

// For web/pre.js: the block's address in the parent's memory, handed to each process worker.
extern "C" EMSCRIPTEN_KEEPALIVE void* samovar_shared_block() {
  return samovar::platform::shared_memory::block;
}
