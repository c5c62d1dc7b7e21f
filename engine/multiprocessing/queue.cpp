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

Queue::Put Queue::put(std::int32_t item, platform::Nanos timeout) {
  const platform::Nanos deadline = platform::now() + timeout;
  const std::int32_t capacity = shm::load(words_[kCapacity]);
  bool waited = false;
  for (;;) {
    if (!lock_.acquire(deadline - platform::now()))
      throw std::runtime_error("queue.Full: its lock was not free within " + seconds(timeout));
    const std::int32_t count = shm::load(words_[kCount]);
    if (count < capacity) {
      const std::int32_t tail = (shm::load(words_[kHead]) + count) % capacity;
      shm::store(words_[kRing + static_cast<std::size_t>(tail)], item);
      shm::store(words_[kCount], count + 1);
      if (count + 1 > shm::load(words_[kPeak])) shm::store(words_[kPeak], count + 1);
      shm::fetch_add(words_[kNotEmpty], 1);
      const std::int32_t order = shm::fetch_add(words_[kOperations], 1);
      const platform::Nanos at = platform::now();
      lock_.release();
      shm::wake_all(words_[kNotEmpty]);
      return {waited, order, at};
    }
    const std::int32_t gets = shm::load(words_[kNotFull]);
    lock_.release();
    waited = true;
    const platform::Nanos left = deadline - platform::now();
    if (left <= 0) throw std::runtime_error("queue.Full: no room within " + seconds(timeout));
    shm::wait(words_[kNotFull], gets, left);
  }
}

Queue::Got Queue::get(platform::Nanos timeout) {
  const platform::Nanos deadline = platform::now() + timeout;
  const std::int32_t capacity = shm::load(words_[kCapacity]);
  for (;;) {
    if (!lock_.acquire(deadline - platform::now()))
      throw std::runtime_error("queue.Empty: its lock was not free within " + seconds(timeout));
    const std::int32_t count = shm::load(words_[kCount]);
    if (count > 0) {
      const std::int32_t head = shm::load(words_[kHead]);
      const std::int32_t item = shm::load(words_[kRing + static_cast<std::size_t>(head)]);
      shm::store(words_[kHead], (head + 1) % capacity);
      shm::store(words_[kCount], count - 1);
      shm::fetch_add(words_[kNotFull], 1);
      const std::int32_t order = shm::fetch_add(words_[kOperations], 1);
      const platform::Nanos at = platform::now();
      lock_.release();
      shm::wake_all(words_[kNotFull]);
      return {item, order, at};
    }
    const std::int32_t puts = shm::load(words_[kNotEmpty]);
    lock_.release();
    const platform::Nanos left = deadline - platform::now();
    if (left <= 0) throw std::runtime_error("queue.Empty: no item within " + seconds(timeout));
    shm::wait(words_[kNotEmpty], puts, left);
  }
}

std::size_t Queue::qsize() const {
  return static_cast<std::size_t>(shm::load(words_[kCount]));
}

std::size_t Queue::peak_size() const {
  return static_cast<std::size_t>(shm::load(words_[kPeak]));
}

}  // namespace samovar::multiprocessing
