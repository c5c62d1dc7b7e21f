#pragma once
#include <string>

// Blocking file operations, for a worker thread (asyncio's file API runs them in the loop's
// default executor, so the loop itself never blocks). Natively POSIX calls; in WASM each is
// a request to the I/O worker (node's fs under node, the origin-private file system in a
// browser) that the calling pthread waits for. Errors throw std::runtime_error naming the
// path. Thread-safe.
namespace samovar::platform::files {

// A new empty folder for this process's scratch files; returns its path.
std::string make_temp_dir(const std::string& prefix);
void write(const std::string& path, const std::string& data, bool sync);
std::string read(const std::string& path);
// Removes a folder and everything in it; no error if it is already gone.
void remove_tree(const std::string& path);

}  // namespace samovar::platform::files
