#pragma once

namespace samovar::multiprocessing {

// Natively, a process start_worker() started: main() calls worker_main() first and returns
// its code; it answers requests with the functions of functions.hpp. Always false in WASM,
// where a process worker's instance is called through the platform instead (handle_request).
bool is_worker_process();
int worker_main();

}  // namespace samovar::multiprocessing
