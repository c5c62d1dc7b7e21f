#pragma once
#include <string>
#include <utility>

#include "engine/asyncio/run_in_executor.hpp"
#include "engine/platform/files.hpp"

namespace samovar::asyncio {

// aiofiles, in effect: each operation runs on the loop's default executor and suspends only
// the awaiting task. (asyncio itself has no async files: this is what libraries do for it.)
inline Task<void> write_file(std::string path, std::string data, bool sync = false) {
  co_await run_in_executor(EventLoop::current().default_executor(),
                           [path = std::move(path), data = std::move(data), sync] {
                             platform::files::write(path, data, sync);
                           });
}

inline Task<std::string> read_file(std::string path) {
  co_return co_await run_in_executor(
      EventLoop::current().default_executor(),
      [path = std::move(path)] { return platform::files::read(path); });
}

// tempfile.TemporaryDirectory: made at once, removed with everything in it when this goes,
// however the scope is left. Made and removed on the calling thread (a short blocking call).
class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(const std::string& prefix = "samovar-")
      : path_(platform::files::make_temp_dir(prefix)) {}
  ~TemporaryDirectory() { platform::files::remove_tree(path_); }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace samovar::asyncio
