#include <charconv>
#include <string>

#include "engine/net/http_client.hpp"

namespace samovar::net {

Url parse_url(const std::string& text) {
  constexpr std::string_view scheme = "http://";
  if (text.rfind("https://", 0) == 0)
    throw ClientError("bad URL " + text + ": https is not supported (no TLS here)");
  if (text.rfind(scheme, 0) != 0)
    throw ClientError("bad URL " + text + ": expected http://host[:port]/path");
  for (std::size_t i = 0; i < text.size(); ++i)  // they would go into the request line as is
    if (static_cast<unsigned char>(text[i]) <= 0x20 || text[i] == 0x7f)
      throw ClientError("bad URL: a space or control character at " + std::to_string(i) +
                        "; percent-encode it");
  const std::string_view rest = std::string_view(text).substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  Url url;
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const auto colon = authority.rfind(':');
  url.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      throw ClientError("bad URL " + text + ": port must be 1..65535");
    url.port = static_cast<std::uint16_t>(value);
  }
  if (url.host.empty()) throw ClientError("bad URL " + text + ": no host");
  return url;
}

}  // namespace samovar::net
