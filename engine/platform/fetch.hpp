#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

// HTTP in the WASM build: the browser's (or node's) fetch, done by the I/O worker. A request
// is written into a slot in shared memory; the worker answers and notifies. An operation in
// flight is a pseudo fd that the loop waits on like a socket (readable when it is done), so
// the event loop has one reactor interface on both targets. Natively HTTP goes over sockets.
//
// An op is used once: start() it, then either finish() it once it is done (after the loop
// reported it readable, or is_done), or abandon() it; never both, never twice. Requests run
// concurrently in the worker (the browser itself allows only 6 connections per origin over
// HTTP/1.1, and queues the rest). Redirects are followed. A relative URL ("/delay/2")
// resolves against the page's URL in a browser; under node it is an error.
namespace samovar::platform::fetch {

// How many fetches and file operations can be in flight at once (the I/O worker's slots); a
// start() past it fails at once.
inline constexpr int kMaxInFlight = 256;

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;       // bytes; must be empty for GET and HEAD (fetch refuses a body there)
  double timeout_s = 30;  // from the worker taking it to the body's last byte; must be > 0
  // The body's limit. Its buffer (plus 64 KiB for headers) is allocated by start(), before
  // the request is sent: many concurrent requests want a smaller limit than the default.
  std::size_t max_response_bytes = 8u << 20;
};

struct Response {
  int status = 0;                                            // 0 when `error` is set
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string error;  // no HTTP answer: refused, timed out, too large, bad URL, no worker...
};

// Hands the request to the I/O worker; returns the pseudo fd to wait on. Any thread; never
// blocks. What fails at once (every slot busy, no memory for the buffer, no worker, bad
// timeout) still gives an op, already done, whose finish() carries the error.
int start(const Request& request);
// The answer, once the pseudo fd was reported readable (or is_done); frees the operation.
// Throws std::logic_error if the op is not done yet or is not live (finished, abandoned).
Response finish(int op);
// Throws std::logic_error if the op is not live.
bool is_done(int op);
// The caller no longer wants the answer (its task was cancelled): freed when it arrives (the
// worker cannot stop a fetch midway: it holds its slot until done or timed out). Ignores
// ops that are not live, so that it is safe in destructors.
void abandon(int op);
// Every function here may be called from any thread; a loop waits on an op by watch_fd
// (its poller's arm), on its own thread.

}  // namespace samovar::platform::fetch
