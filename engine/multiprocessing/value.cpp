#include "engine/multiprocessing/value.hpp"

namespace samovar::multiprocessing {

namespace shm = platform::shared_memory;

Value::Value(std::int32_t initial) : Value(SharedWords(2)) {
  shm::store(words_[0], initial);
}

Value Value::attach(SharedWords::Word handle) {
  return Value(SharedWords::attach(handle));
}

// Relaxed, as a plain read and a plain write of a C int in shared memory: what orders them
// with anything else is the Value's lock, when it is held.
std::int32_t Value::value() const {
  return shm::load_relaxed(words_[0]);
}

void Value::set_value(std::int32_t v) {
  shm::store_relaxed(words_[0], v);
}

}  // namespace samovar::multiprocessing
