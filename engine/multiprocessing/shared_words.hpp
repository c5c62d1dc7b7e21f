#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/platform/shared_memory.hpp"

namespace samovar::multiprocessing {

// Words of the shared memory block that one object (a Value, a Lock...) lives in. The parent
// creates the object and owns its words (released with it); a worker attaches to it by the
// handle the parent passed in a call's argument, and owns nothing. The parent must outlive the
// workers' use: the pools of a run are shut down before its shared objects are destroyed.
class SharedWords {
 public:
  using Word = platform::shared_memory::Word;
  explicit SharedWords(std::size_t count)
      : first_(platform::shared_memory::allocate(count)), count_(count) {}
  // `first` is a handle that came in a call's argument, from another process: one outside the
  // block is std::out_of_range (a LookupError in the parent), never a wild access.
  static SharedWords attach(Word first) {
    if (first >= platform::shared_memory::capacity())
      throw std::out_of_range("no shared object at word " + std::to_string(first));
    return SharedWords(Attached{}, first);
  }
  SharedWords(SharedWords&& other) noexcept
      : first_(other.first_), count_(std::exchange(other.count_, 0)) {}
  SharedWords& operator=(SharedWords&&) = delete;
  SharedWords(const SharedWords&) = delete;
  ~SharedWords() {
    if (count_ > 0) platform::shared_memory::release(first_, count_);
  }
  // The object's name in every process.
  Word handle() const noexcept { return first_; }
  Word operator[](std::size_t i) const noexcept { return first_ + static_cast<Word>(i); }

 private:
  struct Attached {};
  SharedWords(Attached, Word first) : first_(first), count_(0) {}
  Word first_;
  std::size_t count_;  // 0: attached, owns nothing
};

}  // namespace samovar::multiprocessing
