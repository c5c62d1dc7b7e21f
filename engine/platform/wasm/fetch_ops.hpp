#pragma once
#include <atomic>
#include <cstdint>

// What the WASM poller needs from the fetch slot table (fetch.cpp): fetch operations are
// pseudo fds, and an armed one notifies the poller's futex word when it completes.
// All of these are called by a loop's own thread; the table is shared with every thread.
namespace samovar::platform::fetch::detail {

// A fetch operation id (from 1 << 20 up) rather than a file descriptor.
bool is_op(int fd) noexcept;

// From now on, the completion of `op` stores 1 into *word and wakes it. Returns true if the
// op is already done (then no notification may come: the caller must not sleep). A stale
// id is reported as done, so that its waiter wakes up and learns from finish().
bool watch(int op, std::atomic<std::uint32_t>* word);

// Stops notifying `word` for `op` (a no-op for done, stale or unknown ids). A notification
// already under way may still land on the word: words must outlive their pollers.
void unwatch(int op, std::atomic<std::uint32_t>* word) noexcept;

// Whether the op finished (stale ids count as finished, as above).
bool done(int op) noexcept;

}  // namespace samovar::platform::fetch::detail
