#include "engine/multiprocessing/queue.hpp"

#include <stdexcept>
#include <string>

namespace samovar::multiprocessing {

namespace shm = platform::shared_memory;

namespace {
// The header's words. `not_empty` and `not_full` count puts and gets: a waiter reads one
// under the lock, then waits for it to change, so a wake between its unlock and its wait is
// never missed.
enum Field : std::size_t {
  kLock,
  kCapacity,
  kHead,
  kCount,
  kPeak,
  kNotEmpty,
  kNotFull,
  kOperations,
  kRing
};

std::string seconds(platform::Nanos t) {
  return std::to_string(platform::to_seconds(t)) + " s";
}
}  // namespace

Queue::Queue(std::size_t maxsize) : Queue(SharedWords(kRing + maxsize)) {
  if (maxsize == 0) throw std::invalid_argument("a multiprocessing Queue needs room for one item");
  shm::store(words_[kCapacity], static_cast<std::int32_t>(maxsize));
}

Queue::Queue(SharedWords words) : words_(std::move(words)), lock_(Lock::attach(words_[kLock])) {}

Queue Queue::attach(SharedWords::Word handle) {
  return Queue(SharedWords::attach(handle));
}

namespace {
// Takes the queue's lock, then runs `ready` under it until it says the queue can do the
// operation now (a put: there is room; a get: there is an item), keeping the lock then.
// Between tries it waits, unlocked, for the other side's counter to move. Throws `what` at the
// deadline. Returns whether it had to wait.
template <class Ready>
bool lock_when(Lock& lock, shm::Word others, platform::Nanos timeout, const char* what,
               Ready ready) {
  const platform::Nanos deadline = platform::now() + timeout;
  for (bool waited = false;; waited = true) {
    if (!lock.acquire(deadline - platform::now()))
      throw std::runtime_error(std::string(what) + " within " + seconds(timeout) +
                               " (its lock was busy)");
    if (ready()) return waited;
    const std::int32_t seen = shm::load(others);
    lock.release();
    const platform::Nanos left = deadline - platform::now();
    if (left <= 0) throw std::runtime_error(std::string(what) + " within " + seconds(timeout));
    shm::wait(others, seen, left);
  }
}

struct Done {
  std::int32_t order;
  platform::Nanos at;
};
// Ends an operation done under the lock: counts it on `mine` (which the other side waits on),
// gives it its place in the order, unlocks and wakes the other side.
Done finish(Lock& lock, shm::Word mine, shm::Word operations) {
  shm::fetch_add(mine, 1);
  const Done done{shm::fetch_add(operations, 1), platform::now()};
  lock.release();
  shm::wake_all(mine);
  return done;
}
}  // namespace

Queue::Put Queue::put(std::int32_t item, platform::Nanos timeout) {
  const std::int32_t capacity = shm::load(words_[kCapacity]);
  const bool waited = lock_when(lock_, words_[kNotFull], timeout, "queue.Full: no room",
                                [&] { return shm::load(words_[kCount]) < capacity; });
  const std::int32_t count = shm::load(words_[kCount]);
  const std::int32_t tail = (shm::load(words_[kHead]) + count) % capacity;
  shm::store(words_[kRing + static_cast<std::size_t>(tail)], item);
  shm::store(words_[kCount], count + 1);
  if (count + 1 > shm::load(words_[kPeak])) shm::store(words_[kPeak], count + 1);
  const Done done = finish(lock_, words_[kNotEmpty], words_[kOperations]);
  return {waited, done.order, done.at};
}

Queue::Got Queue::get(platform::Nanos timeout) {
  const std::int32_t capacity = shm::load(words_[kCapacity]);
  lock_when(lock_, words_[kNotEmpty], timeout, "queue.Empty: no item",
            [&] { return shm::load(words_[kCount]) > 0; });
  const std::int32_t head = shm::load(words_[kHead]);
  const std::int32_t item = shm::load(words_[kRing + static_cast<std::size_t>(head)]);
  shm::store(words_[kHead], (head + 1) % capacity);
  shm::store(words_[kCount], shm::load(words_[kCount]) - 1);
  const Done done = finish(lock_, words_[kNotFull], words_[kOperations]);
  return {item, done.order, done.at};
}

std::size_t Queue::qsize() const {
  return static_cast<std::size_t>(shm::load(words_[kCount]));
}

std::size_t Queue::peak_size() const {
  return static_cast<std::size_t>(shm::load(words_[kPeak]));
}

}  // namespace samovar::multiprocessing
