// The request parser of `samovar serve`: the RequestReader its connections read with
// (engine/net/detail/request_reader.hpp), fed from bytes instead of a socket.
//
// The input's first byte sets the read size (how the socket hands the bytes over, 1 to 64 at
// a time) and the body limit (16 B to 1 MiB); the rest is what the client sent, pipelined
// requests included. Beyond not crashing: no step may leave the reader where it was (the
// server would spin on the same bytes, never awaiting: the whole loop hangs), a complete
// request has a method and a target, and its body keeps to the limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/net/detail/request_reader.hpp"
#include "fuzz/check.hpp"

namespace {
constexpr std::size_t kBodyLimits[] = {16, 256, 4096, std::size_t{1} << 20};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t read_size = (data[0] & 0x3f) + 1;
  const std::size_t max_body = kBodyLimits[data[0] >> 6];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t offset = 0;  // what the "socket" has handed over so far

  // HttpServer::connection, with sock::read taking the next read_size bytes of the input and
  // the end of the input as the peer closing.
  samovar::net::detail::RequestReader reader(max_body);
  bool open = true;
  while (open) {
    reader.next();
    while (!reader.complete() && reader.error_status() == 0) {
      std::size_t used = 0;  // of at least one byte: pending ones, or a read's
      if (reader.has_pending()) {
        used = reader.parse_pending();
      } else {
        if (offset == input.size()) {
          open = false;
          break;
        }
        const std::string_view chunk = input.substr(offset, read_size);
        offset += chunk.size();
        used = reader.parse(chunk);
      }
      // Nothing taken, nothing finished, no error: the server's next turn would find the same
      // bytes in the same state, and spin on them.
      if (used == 0 && !reader.complete() && reader.error_status() == 0)
        samovar::fuzz::broken("each turn of the reader takes bytes, ends the request, or fails");
    }
    if (!open) break;
    if (reader.error_status() == 0) {
      const auto request = reader.take_request();
      if (request.method.empty() || request.target.empty())
        samovar::fuzz::broken("a complete request has a method and a target");
      if (request.body.size() > max_body) samovar::fuzz::broken("a body within the limit");
    }
    // The server answers, then keeps the connection only for a good request that asks to.
    open = reader.error_status() == 0 && reader.keep_alive();
  }
  return 0;
}
