#include "engine/platform/fetch.hpp"

#include <cmath>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "engine/platform/wasm/io_table.hpp"

// HTTP as requests of kind "fetch" in the I/O worker's slot table (io_table.cpp). The
// request's JSON carries method, URL, headers, timeout and limit, its body the request body;
// the worker answers with the status, the response headers' JSON as the head, and the body.
namespace samovar::platform::fetch {
namespace {

constexpr std::size_t kHeaderRoom = 64 * 1024;  // the response headers' JSON, ahead of the body

std::string check(const Request& request) {
  if (!(request.timeout_s > 0) || !std::isfinite(request.timeout_s))
    return "timeout_s must be a positive number of seconds, not " +
           std::to_string(request.timeout_s);
  if (request.max_response_bytes > io::kMaxBytes - kHeaderRoom)
    return "max_response_bytes is above the limit of 1 GiB";
  if (request.body.size() > io::kMaxBytes - kHeaderRoom)
    return "the request body is larger than 1 GiB";
  return {};
}

std::string to_json(const Request& request) {
  auto headers = nlohmann::json::array();
  for (const auto& [name, value] : request.headers)
    headers.push_back(nlohmann::json::array({name, value}));
  const nlohmann::json j = {{"kind", "fetch"},
                            {"method", request.method},
                            {"url", request.url},
                            {"headers", std::move(headers)},
                            {"timeout_s", request.timeout_s},
                            {"max_response_bytes", request.max_response_bytes}};
  // Invalid UTF-8 in a header or URL becomes U+FFFD rather than an exception.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response response(io::Answer a) {
  Response out;
  if (!a.error.empty()) {
    out.error = std::move(a.error);
    return out;
  }
  if (a.overflow) {
    out.error = "the I/O worker wrote more than the response buffer holds";
    return out;
  }
  const auto headers = nlohmann::json::parse(a.head, nullptr, false);
  if (headers.is_discarded() || !headers.is_array()) {
    out.error = "the I/O worker sent malformed response headers";
    return out;
  }
  for (const auto& h : headers)
    if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string())
      out.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  out.status = a.status;
  out.body = std::move(a.body);
  return out;
}

}  // namespace

int start(const Request& request) {
  std::string error = check(request);
  if (!error.empty()) return io::failed(std::move(error));
  return io::submit(to_json(request), request.body, request.max_response_bytes + kHeaderRoom);
}

Response finish(int op) {
  return response(io::take(op));
}

bool is_done(int op) {
  return io::is_done(op);
}

void abandon(int op) {
  io::abandon(op);
}

namespace detail {

bool is_op(int fd) noexcept {
  return io::is_op(fd);
}
bool watch(int op, std::atomic<std::uint32_t>* word) {
  return io::watch(op, word);
}
void unwatch(int op, std::atomic<std::uint32_t>* word) noexcept {
  io::unwatch(op, word);
}
bool done(int op) noexcept {
  return io::done(op);
}

}  // namespace detail
}  // namespace samovar::platform::fetch
