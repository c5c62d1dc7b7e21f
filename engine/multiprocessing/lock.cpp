#include "engine/multiprocessing/lock.hpp"

#include <stdexcept>
#include <string>

namespace samovar::multiprocessing {

namespace shm = platform::shared_memory;

// Drepper's futex mutex ("Futexes are tricky", mutex 2): the uncontended path is one CAS each
// way, and release wakes waiters only when one may be there.
bool Lock::acquire(platform::Nanos timeout) {
  const shm::Word w = words_[0];
  std::int32_t seen = 0;
  if (shm::compare_exchange(w, seen, 1)) return true;
  const platform::Nanos deadline = platform::now() + timeout;
  for (;;) {
    // Mark it contended; if it was free meanwhile, it is ours (still marked: harmless).
    while (seen != 2 && !shm::compare_exchange(w, seen, 2)) {
    }
    if (seen == 0) return true;
    const platform::Nanos left = deadline - platform::now();
    if (left <= 0) return false;
    shm::wait(w, 2, left);
    seen = shm::load(w);
    if (seen == 0 && shm::compare_exchange(w, seen, 2)) return true;
  }
}

void Lock::release() {
  const shm::Word w = words_[0];
  if (shm::fetch_add(w, -1) != 1) {
    shm::store(w, 0);
    shm::wake_all(w);
  }
}

bool Lock::locked() const {
  return shm::load(words_[0]) != 0;
}

Held::Held(Lock& lock, platform::Nanos timeout) : lock_(lock) {
  if (!lock_.acquire(timeout))
    throw std::runtime_error("a multiprocessing Lock was not free within " +
                             std::to_string(platform::to_seconds(timeout)) + " s");
}

}  // namespace samovar::multiprocessing
