#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/multiprocessing/wire.hpp"

// The functions a worker process can run: a call names one and passes its argument as bytes,
// as pickle names a module-level function. Each runs in the worker's own address space.
//
// multiprocessing/ keeps the registry and a few functions of its own (echo, raise, crash: the
// process machinery's, for tests and benchmarks); whoever has work for a process defines it
// beside the code that submits it, as a Function at namespace scope in a .cpp file:
//   const multiprocessing::Function<Brew, Cup> brew{"brew", [](const Brew& b) { ... }};
// Defining it registers it. Its initialiser runs in every process of the binary (the parent,
// and natively each worker: the same executable started again) and in every WASM instance of
// the module (a process worker's instance runs its initialisers, though no main()), before any
// call can come. A static library's object file that nothing names is left out of the link,
// initialisers and all; but the callers name the Function (pool.submit(brew.name(), ...)), so
// the file that defines it is linked into every binary that can call it, and registers it in
// all of that binary's processes alike.
namespace samovar::multiprocessing {

// A function as the registry keeps it: the argument's bytes in, the result's out. An exception
// is raised again in the parent, as its Python type (std::invalid_argument a ValueError,
// std::out_of_range a LookupError, anything else a RuntimeError) and message.
using BytesFunction = std::function<std::string(std::string_view argument)>;

// Adds `fn` to this process's registry under `name`; a name taken twice is a programming
// error: std::logic_error. Thread-safe.
void register_bytes_function(std::string name, BytesFunction fn);

// The same for a typed function: its argument and result cross as wire values (wire.hpp), so
// no function reads its bytes by hand.
template <class Args, class Result>
void register_function(std::string name, Result (*fn)(const Args&)) {
  register_bytes_function(std::move(name), [fn](std::string_view argument) {
    return wire::encode_value(fn(wire::decode_value<Args>(argument)));
  });
}

// A registered function, as its callers name it: constructing one registers it (see above).
// Its name and argument() are what ProcessPoolExecutor::submit takes; result() reads what the
// call answered; calling it runs it here, in this process.
template <class Args, class Result>
class Function {
 public:
  using Body = Result (*)(const Args&);
  Function(std::string name, Body body) : name_(std::move(name)), body_(body) {
    register_function(name_, body_);
  }
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  const std::string& name() const noexcept { return name_; }
  std::string argument(const Args& args) const { return wire::encode_value(args); }
  Result result(std::string_view answer) const { return wire::decode_value<Result>(answer); }
  Result operator()(const Args& args) const { return body_(args); }

 private:
  std::string name_;
  Body body_;
};

// Runs the function registered as `name` here, on argument bytes; throws std::out_of_range
// for a name it does not know.
std::string call_function(std::string_view name, std::string_view argument);

// What a worker process does with one request (wire.hpp): runs the named function on its
// argument and encodes the result or the exception. Never throws. functions.cpp hands it to
// the platform (platform::process::set_request_handler) as the process, or the WASM instance,
// starts: natively serve() calls it, in WASM the export samovar_process_call.
std::string handle_request(std::string_view request) noexcept;

}  // namespace samovar::multiprocessing
