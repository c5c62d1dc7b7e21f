// net::parse_url, which reads the http-get scenario's `url` param (any text a request gives).
// Beyond not crashing, what the native client relies on when it uses a parsed URL
// (engine/net/native/http_client.cpp): it connects to host:port and writes the target and
// "host:port" verbatim into the request line and the Host header, so neither may hold a space
// or a control character (a CR LF there would add headers, or a second request, of the
// caller's choosing); and the URL written back from its parts parses to the same parts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/net/http_client.hpp"
#include "fuzz/check.hpp"

namespace {

bool verbatim_safe(const std::string& s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace samovar::net;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Url url;
  try {
    url = parse_url(text);
  } catch (const ClientError&) {
    return 0;
  }
  if (url.host.empty() || url.port == 0) samovar::fuzz::broken("a host and a port 1..65535");
  if (url.target.empty() || url.target.front() != '/')
    samovar::fuzz::broken("a target starting with /");
  if (url.host.find('/') != std::string::npos) samovar::fuzz::broken("no / in the host");
  if (!verbatim_safe(url.host) || !verbatim_safe(url.target))
    samovar::fuzz::broken("no space or control character in the host or target (written verbatim)");
  const Url again = parse_url("http://" + url.host + ":" + std::to_string(url.port) + url.target);
  if (again.host != url.host || again.port != url.port || again.target != url.target)
    samovar::fuzz::broken("the URL written back from its parts parses to the same parts");
  return 0;
}
