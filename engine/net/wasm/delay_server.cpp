#include "engine/net/delay_server.hpp"

namespace samovar::net {

// No listening sockets in WASM: the page's own origin (samovar serve) answers /delay.
std::unique_ptr<DelayServer> start_delay_server() {
  return nullptr;
}

}  // namespace samovar::net
