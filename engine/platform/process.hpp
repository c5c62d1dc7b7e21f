#pragma once
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

// Worker processes, for ProcessPoolExecutor: separate address spaces that take a request as
// bytes and answer with bytes; what the bytes mean is the engine's business
// (engine/multiprocessing/wire.hpp). Natively a worker is a real process: samovar's own
// executable started again in worker mode (a fresh exec, not a fork of a process that already
// runs threads). In WASM it is a process worker: a JS worker started with the module, holding
// its own instance of the module with its own memory; the bytes cross through a mailbox.
namespace samovar::platform::process {

// The worker is gone (it crashed, was killed, or could not start): what it was doing is lost.
class WorkerDied : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Worker {
 public:
  virtual ~Worker() = default;  // ends the worker and reaps it: no process outlives its Worker
  // One request at a time: send() hands it over, receive() blocks until its answer. They may be
  // called from two threads (a pool's submitter sends, the worker's manager receives), as long
  // as receive() starts after send() returned. Both throw WorkerDied if the worker is gone or
  // goes; a send that failed so makes the receive() after it throw too.
  virtual void send(std::string_view request) = 0;
  virtual std::string receive() = 0;
  std::string call(std::string_view request) {
    send(request);
    return receive();
  }
  // Natively the worker's pid; in WASM the process worker's index.
  virtual long id() const noexcept = 0;
  // Ends the worker at once, as a crash would: a call under way and every later one throw
  // WorkerDied. For tests and for shutdown(cancel). Thread-safe.
  virtual void kill() noexcept = 0;
};

// Starts a worker, ready to answer; throws WorkerDied if it cannot.
std::unique_ptr<Worker> start_worker();

// How many workers can run at once on this target (WASM: the process workers started with
// the module); a pool asks for no more.
std::size_t max_workers();

// Workers started and not yet ended and reaped (natively: this process's child processes,
// whoever started them): after every pool is gone, 0.
std::size_t live_workers();

// What a worker answers a request with: the request's bytes in, the answer's bytes out. It never
// throws: what the bytes mean, failures included, is the business of the layer that sets it.
using RequestHandler = std::string (*)(std::string_view request) noexcept;

// Hands the platform what this process answers requests with when it is a worker: natively
// serve() calls it; in WASM the module's export samovar_process_call does, in a process worker's
// own instance of the module, which runs no main(). So it is set while the module initialises,
// in every process and instance alike (engine/multiprocessing/functions.cpp does it from a
// static initialiser), before any request can come. Thread-safe.
void set_request_handler(RequestHandler handler) noexcept;

// Natively: whether this process was started by start_worker(). Its main() must then call
// serve() before anything else. Always false in WASM.
bool in_worker();
// Natively, the worker's loop: answers each request with the handler set above until its parent
// goes; returns the process's exit code (1 at once if no handler was set: the parent sees a
// worker that did not start). In WASM it throws std::logic_error.
int serve();

}  // namespace samovar::platform::process
