#pragma once
#include <string>
#include <string_view>

namespace samovar::multiprocessing {

// What a worker process does with one request (wire.hpp): runs the named function on its
// arguments and encodes the result or the exception. Natively serve() calls it; in WASM the
// process worker calls it through the module's export samovar_process_call. Never throws.
std::string handle_request(std::string_view request) noexcept;

// Natively, a process start_worker() started: main() calls worker_main() first and returns
// its code. Always false in WASM.
bool is_worker_process();
int worker_main();

}  // namespace samovar::multiprocessing
