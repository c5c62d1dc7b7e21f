#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

// Non-blocking TCP sockets, for the native HTTP server and client (native builds only).
namespace samovar::platform::socket {

struct IoResult {
  enum Kind { kDone, kWouldBlock, kClosed, kError } kind;
  std::size_t bytes = 0;
  int error = 0;  // kError: the errno (a refused connect shows up here on first use)
};

// Throws std::system_error naming the address when it cannot listen.
int listen_tcp(const std::string& host, std::uint16_t port, int backlog = 1024);
std::uint16_t local_port(int fd);
// Returns -1 when no connection is waiting.
int accept(int listening_fd);
// Starts a non-blocking connect to host:port (an IPv4 address or a name, resolved at once).
// Wait for the fd to be writable, then connect_error() says how it went. Throws if the
// name does not resolve.
int connect_tcp(const std::string& host, std::uint16_t port);
// 0 once connected, else the errno of the failed connect (ECONNREFUSED, ...).
int connect_error(int fd);
std::string error_text(int error);
IoResult read(int fd, char* buffer, std::size_t size);
IoResult write(int fd, const char* data, std::size_t size);
void close(int fd);

}  // namespace samovar::platform::socket
