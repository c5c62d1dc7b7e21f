#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/platform/native/shared_block.hpp"
#include "engine/platform/process.hpp"
#include "engine/platform/shared_memory.hpp"

// A memfd mapped MAP_SHARED: the parent's and each worker's mapping are the same pages. Waits
// are futexes without FUTEX_PRIVATE_FLAG, which is what lets them work across processes.
namespace samovar::platform::shared_memory {

namespace {

constexpr std::size_t kWords = 1 << 18;  // 1 MiB

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "samovar: shared memory: %s: %s\n", what, std::strerror(errno));
  std::abort();
}

// The parent's memfd, moved above the fds a worker's start-up rearranges (3 and 4), so that
// giving the worker its socket as fd 3 can never overwrite this before it is given as fd 4.
int parent_fd() {
  const int made = ::memfd_create("samovar-shared", MFD_CLOEXEC);
  if (made < 0) fail("memfd_create");
  const int fd = ::fcntl(made, F_DUPFD_CLOEXEC, 10);
  if (fd < 0) fail("fcntl");
  ::close(made);
  return fd;
}

struct Block {
  int fd = -1;
  std::int32_t* words = nullptr;
  Block() {
    // A worker maps what its parent handed it; the parent makes the file.
    fd = process::in_worker() ? kWorkerFd : parent_fd();
    if (!process::in_worker() && ::ftruncate(fd, kWords * sizeof(std::int32_t)) != 0)
      fail("ftruncate");
    void* p =
        ::mmap(nullptr, kWords * sizeof(std::int32_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) fail("mmap");
    words = static_cast<std::int32_t*>(p);
  }
};

Block& block() {
  static Block* b = new Block;  // mapped for the life of the process
  return *b;
}

std::int32_t* at(Word word) {
  return block().words + word;
}

}  // namespace

int block_fd() {
  return block().fd;
}

std::size_t capacity() noexcept {
  return kWords;
}

std::int32_t load(Word word) noexcept {
  return __atomic_load_n(at(word), __ATOMIC_SEQ_CST);
}

void store(Word word, std::int32_t value) noexcept {
  __atomic_store_n(at(word), value, __ATOMIC_SEQ_CST);
}

std::int32_t load_relaxed(Word word) noexcept {
  return __atomic_load_n(at(word), __ATOMIC_RELAXED);
}

void store_relaxed(Word word, std::int32_t value) noexcept {
  __atomic_store_n(at(word), value, __ATOMIC_RELAXED);
}

std::int32_t fetch_add(Word word, std::int32_t delta) noexcept {
  return __atomic_fetch_add(at(word), delta, __ATOMIC_SEQ_CST);
}

bool compare_exchange(Word word, std::int32_t& expected, std::int32_t desired) noexcept {
  return __atomic_compare_exchange_n(at(word), &expected, desired, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST);
}

void wait(Word word, std::int32_t expected, Nanos timeout) noexcept {
  if (timeout <= 0) return;
  const timespec ts{static_cast<time_t>(timeout / 1'000'000'000),
                    static_cast<long>(timeout % 1'000'000'000)};
  ::syscall(SYS_futex, at(word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

void wake_all(Word word) noexcept {
  ::syscall(SYS_futex, at(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace samovar::platform::shared_memory
