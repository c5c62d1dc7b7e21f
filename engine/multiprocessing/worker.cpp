#include "engine/multiprocessing/worker.hpp"

#include "engine/multiprocessing/functions.hpp"
#include "engine/platform/process.hpp"

namespace samovar::multiprocessing {

bool is_worker_process() {
  return platform::process::in_worker();
}

// functions.cpp handed handle_request to the platform as this process started; handing it
// again here keeps this entry from depending on that: naming it links functions.cpp into every
// binary whose main() can become a worker.
int worker_main() {
  platform::process::set_request_handler(&handle_request);
  return platform::process::serve();
}

}  // namespace samovar::multiprocessing
