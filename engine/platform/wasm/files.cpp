#include "engine/platform/files.hpp"

#include <emscripten/threading.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/platform/wasm/io_table.hpp"

// Each operation is a request to the I/O worker (web/io-worker.js), of kind "make-temp-dir",
// "write", "read" or "remove-tree": node's fs under node, the origin-private file system in a
// browser. The calling thread (a pthread: asyncio runs these on the loop's default executor)
// sleeps on a futex word of its own until the worker answers, or gives up after kTimeout.
// Data travels as the request's body and the answer's body: bytes, not text.
// The answers (status, and the body):
//   kOk: done; make-temp-dir's body is the new folder's path, read's the file's bytes.
//   kNeedRoom (read): the response buffer is too small; body_len is the file's size.
//   an error text: status is the step that failed (kOpen...), which names it as natively.
namespace samovar::platform::files {
namespace {

enum Status : std::int32_t {
  kOk = 0,
  kNeedRoom = 1,
  kOpen = 2,
  kWrite = 3,
  kRead = 4,
  kSync = 5,
  kCreate = 6
};

// A hang guard, not a budget: local file operations take milliseconds.
constexpr auto kTimeout = std::chrono::seconds(30);
constexpr std::size_t kAnswerRoom = 4096;          // a path or an error text
constexpr std::size_t kFirstReadRoom = 64 * 1024;  // most reads fit: one round trip

using Clock = std::chrono::steady_clock;

// The prefix native errors have for the same step, so that callers (and tests) see the
// same messages on both targets. `otherwise` is for failures that are not a step's.
std::string verb(std::int32_t status, const char* otherwise) {
  switch (status) {
    case kOpen:
      return "cannot open";
    case kWrite:
      return "cannot write";
    case kRead:
      return "cannot read";
    case kSync:
      return "cannot fsync";
    case kCreate:
      return "cannot create a temporary folder";
    default:
      return otherwise;
  }
}

std::string request_json(const nlohmann::json& request, const std::string& what) {
  try {
    return request.dump();
  } catch (const nlohmann::json::type_error&) {  // the worker's paths are text
    throw std::runtime_error(what + ": the path is not valid UTF-8");
  }
}

// Unwatches and recycles the word however the wait ends.
struct Watch {
  int op;
  std::atomic<std::uint32_t>* word = io::take_word();
  ~Watch() {
    io::unwatch(op, word);
    io::give_back_word(word);
  }
};

// Submits the request and blocks this pthread until the worker answers or `deadline`.
// `what` names the operation in a timeout's message.
io::Answer call(const std::string& json, std::string_view body, std::size_t response_cap,
                Clock::time_point deadline, const std::string& what) {
  const int op = io::submit(json, body, response_cap);
  {
    Watch w{op};
    io::watch(op, w.word);
    for (;;) {
      // Clear, then look: a completion after the look stores 1 again, so the wait below
      // returns at once; a late store meant for the word's previous owner only costs a turn.
      w.word->store(0);
      if (io::done(op)) break;
      const auto left = std::chrono::duration<double, std::milli>(deadline - Clock::now()).count();
      if (left <= 0) {
        io::abandon(op);
        throw std::runtime_error(what + ": no answer from the I/O worker in " +
                                 std::to_string(kTimeout.count()) + " s (timed out)");
      }
      emscripten_futex_wait(w.word, 0, left);
    }
  }
  return io::take(op);
}

// A futex wait on the browser's main thread busy-waits, and blocking the main runtime thread
// stops it from starting pthreads' workers: refused on both hosts alike, so that a test
// under node catches what would spin in a browser.
void require_pthread(const char* function) {
  if (emscripten_is_main_runtime_thread())
    throw std::logic_error(
        std::string("files::") + function +
        " blocks: call it from a pthread (asyncio runs it on the default executor), "
        "not from the main thread");
}

}  // namespace

std::string make_temp_dir(const std::string& prefix) {
  require_pthread("make_temp_dir");
  const std::string what = "cannot create a temporary folder " + prefix + "XXXXXX";
  io::Answer a = call(request_json({{"kind", "make-temp-dir"}, {"prefix", prefix}}, what), {},
                      kAnswerRoom, Clock::now() + kTimeout, what);
  if (!a.error.empty()) throw std::runtime_error(what + ": " + a.error);
  if (a.overflow || a.body.empty())
    throw std::runtime_error(what + ": the I/O worker sent no usable path");
  return a.body;
}

void write(const std::string& path, const std::string& data, bool sync) {
  require_pthread("write");
  const std::string json =
      request_json({{"kind", "write"}, {"path", path}, {"sync", sync}}, "cannot open " + path);
  const io::Answer a =
      call(json, data, kAnswerRoom, Clock::now() + kTimeout, "cannot write " + path);
  if (!a.error.empty())
    throw std::runtime_error(verb(a.status, "cannot write") + " " + path + ": " + a.error);
}

std::string read(const std::string& path) {
  require_pthread("read");
  const std::string json = request_json({{"kind", "read"}, {"path", path}}, "cannot open " + path);
  const auto deadline = Clock::now() + kTimeout;
  std::size_t room = kFirstReadRoom;
  // Larger than the room offered: ask again with room for the size the worker saw (a file
  // that keeps growing is asked for again, until the deadline).
  for (;;) {
    io::Answer a = call(json, {}, room, deadline, "cannot read " + path);
    if (!a.error.empty())
      throw std::runtime_error(verb(a.status, "cannot read") + " " + path + ": " + a.error);
    if (a.status != kNeedRoom && !a.overflow) return std::move(a.body);
    if (a.body_len > io::kMaxBytes)
      throw std::runtime_error("cannot read " + path + ": larger than the limit of 1 GiB");
    room = std::max<std::size_t>(a.body_len, std::min(room * 2, io::kMaxBytes));
  }
}

void remove_tree(const std::string& path) {
  require_pthread("remove_tree");
  // As natively, nothing is reported: not a folder already gone, nor any other failure.
  const std::string json =
      request_json({{"kind", "remove-tree"}, {"path", path}}, "cannot remove " + path);
  try {
    call(json, {}, kAnswerRoom, Clock::now() + kTimeout, "cannot remove " + path);
  } catch (const std::runtime_error&) {
  }
}

}  // namespace samovar::platform::files
