#pragma once
#include <cstdio>
#include <cstdlib>

namespace samovar::fuzz {

// A property a target checks beyond "no crash" was broken: says which, then aborts, so that
// libFuzzer keeps the input and prints the stack.
[[noreturn]] inline void broken(const char* property) {
  std::fprintf(stderr, "fuzz: broken property: %s\n", property);
  std::abort();
}

}  // namespace samovar::fuzz
