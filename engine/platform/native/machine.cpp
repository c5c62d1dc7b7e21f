#include "engine/platform/machine.hpp"

#include <sys/utsname.h>

#include <thread>

#include "engine/platform/clock.hpp"

namespace samovar::platform {

Machine machine() {
  Machine m;
  m.cores = std::thread::hardware_concurrency();
  utsname u{};
  m.os = uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
  m.timer_resolution_s = timer_resolution_seconds();
  return m;
}

const char* target_name() noexcept {
  return "native";
}

}  // namespace samovar::platform
