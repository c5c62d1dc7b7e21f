#pragma once
#include <stdexcept>

#include "engine/contract/format.hpp"

namespace samovar::contract {

// The run went past its request's deadline_s: whichever model was waiting or working stops,
// and the report's error says so (code "deadline"). Every model throws this one type.
class DeadlineExceeded : public std::runtime_error {
 public:
  explicit DeadlineExceeded(double deadline_s)
      : std::runtime_error("the run did not finish within its deadline of " + shortest(deadline_s) +
                           " s") {}
};

}  // namespace samovar::contract
