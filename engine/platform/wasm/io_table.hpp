#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// The I/O worker's slot table (io_table.cpp; the worker is web/io-worker.js), shared by the
// services built on it: HTTP (fetch.cpp) and files (files.cpp). A request is a JSON text
// whose "kind" the worker dispatches on, plus body bytes; the answer is a status, an error
// text, or head and body bytes, whose meaning each kind defines. An operation is an id, used
// once: submit(), wait until done (watch a futex word), then take() or abandon() it.
// Every function here may be called from any thread.
namespace samovar::platform::io {

// What the worker wrote, copied out of module memory.
struct Answer {
  std::int32_t status = 0;
  std::string error;  // set: the request failed (in the worker, or before reaching it)
  std::string head;   // fetch: the response headers' JSON
  std::string body;
  // The body's length as the worker reported it. If head and body do not fit the response
  // buffer, `overflow` is set and nothing is copied (a kind may use that to ask for room).
  std::uint32_t body_len = 0;
  bool overflow = false;
};

// Larger requests, bodies or response buffers are refused.
constexpr std::size_t kMaxBytes = 1u << 30;

// Hands a request to the worker with a response buffer of `response_cap` bytes; never
// blocks. What fails at once (no worker, every slot busy, no memory, too large) still gives
// an op, already done, whose take() carries the error.
int submit(std::string_view json, std::string_view body, std::size_t response_cap);
// An op that is already done and carries `error`: for a request refused before submit().
int failed(std::string error);
// The answer of a done op; frees it. Throws std::logic_error if it is not done or not live.
Answer take(int op);
// Throws std::logic_error if the op is not live.
bool is_done(int op);
// Nobody wants the answer: the slot is freed when it arrives (the worker cannot stop midway).
// Ignores ops that are not live, so that it is safe in destructors.
void abandon(int op);

// An op id (from 1 << 20 up) rather than a file descriptor.
bool is_op(int fd) noexcept;
// From now on, the completion of `op` stores 1 into *word and wakes it. Returns true if the
// op is already done (then no notification may come: the caller must not sleep). A stale id
// is reported as done, so that its waiter wakes up and learns from take().
bool watch(int op, std::atomic<std::uint32_t>* word);
// Stops notifying `word` for `op` (a no-op for done, stale or unknown ids). A notification
// already under way may still land on the word: words must outlive their waiters.
void unwatch(int op, std::atomic<std::uint32_t>* word) noexcept;
// Whether the op finished (stale ids count as finished, as above).
bool done(int op) noexcept;

// Futex words for watch(). The worker may read an op's notify address just before its
// waiter disarms it and store to it after the waiter is gone, so a word is never freed: it
// is recycled, and such a late store is a spurious wake-up for its next owner, who must
// therefore re-check what it waits for after every wake-up.
std::atomic<std::uint32_t>* take_word();
void give_back_word(std::atomic<std::uint32_t>* word);

}  // namespace samovar::platform::io
