#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/platform/clock.hpp"

// Memory shared by this process and the worker processes it starts: what
// multiprocessing.Value and its kin live in. It is a block of 32-bit words, named by index
// (each process sees the block at its own address). Natively the block is a shared memory
// file mapped by the parent and, at start-up, by every worker; in WASM it sits in the
// parent's memory, which a process worker's instance reaches through JS (its own memory is
// not shared). Every access is atomic, sequentially consistent unless it says relaxed; all of it
// is thread-safe.
namespace samovar::platform::shared_memory {

using Word = std::uint32_t;

// The parent only: `count` consecutive zeroed words; throws std::bad_alloc when the block has
// no such run left. release() gives them back (a worker must be done with them).
Word allocate(std::size_t count);
void release(Word first, std::size_t count) noexcept;
// The block's size in words, and how many are allocated now (tests: none leak).
std::size_t capacity() noexcept;
std::size_t in_use() noexcept;

std::int32_t load(Word word) noexcept;
void store(Word word, std::int32_t value) noexcept;
// Relaxed: atomic, but ordering nothing else (natively plain loads and stores). For a word whose
// neighbours are ordered by a lock, as multiprocessing.Value's value by its own lock.
std::int32_t load_relaxed(Word word) noexcept;
void store_relaxed(Word word, std::int32_t value) noexcept;
std::int32_t fetch_add(Word word, std::int32_t delta) noexcept;
// Sets `desired` if the word holds `expected`; either way `expected` ends up holding what was
// there.
bool compare_exchange(Word word, std::int32_t& expected, std::int32_t desired) noexcept;
// Sleeps while the word holds `expected`, for at most `timeout`; may return early (a wake,
// or a spurious return): callers check again.
void wait(Word word, std::int32_t expected, Nanos timeout) noexcept;
// Wakes every process and thread waiting on the word.
void wake_all(Word word) noexcept;

}  // namespace samovar::platform::shared_memory
