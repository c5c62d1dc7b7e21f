#pragma once
#include <exception>
#include <stdexcept>
#include <string>

namespace samovar::threading {

// Thrown at a daemon thread's next wait once the program has ended: it unwinds the thread.
class DaemonStopped : public std::exception {
 public:
  const char* what() const noexcept override { return "daemon thread stopped at program exit"; }
};

// Thrown from every wait of a lock cycle the run found: the threads unwind, releasing what they
// hold. what() names the whole cycle ("Task 1 holds lock_a and waits for lock_b; ...").
class DeadlockError : public std::runtime_error {
 public:
  explicit DeadlockError(const std::string& cycle) : std::runtime_error(cycle) {}
};

// Thrown from every wait when an explored schedule finds every thread waiting and no lock cycle
// among them (a get from a queue nobody will put to): nothing could ever wake them.
class AllBlocked : public std::runtime_error {
 public:
  explicit AllBlocked(const std::string& who) : std::runtime_error(who) {}
};

}  // namespace samovar::threading
