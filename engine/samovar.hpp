#pragma once
// The engine's one door: everything a surface (the CLI, `samovar serve`, the WASM bindings)
// needs, and nothing else of the engine is included by one. Data flows one way: a request in,
// a report out; the surfaces only translate.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/asyncio/event_loop.hpp"
#include "engine/asyncio/run_in_executor.hpp"
#include "engine/concurrent/thread_pool_executor.hpp"
#include "engine/contract/bad_request.hpp"
#include "engine/contract/json_input.hpp"
#include "engine/contract/report.hpp"
#include "engine/contract/request.hpp"
#include "engine/net/delay_server.hpp"
#include "engine/net/http_server.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar {

using contract::BadRequest;
using contract::kSchemaVersion;
using contract::Report;
using contract::Request;
// Text from a command line, with bytes that are not UTF-8 replaced, as node reads argv.
using contract::valid_utf8;

// The scenarios, their models and params: `samovar list --json` and the page's forms.
nlohmann::json catalog_json();
// The same as text: `samovar list`.
std::string catalog_text();

// A request object checked against the catalog; throws BadRequest naming the field.
Request parse_request(const nlohmann::json& request);

struct RunOptions {
  // Called for each kept output line as it is printed, on the printing thread.
  trace::Recorder::LineSink on_line;
  // A surface sets it, from any thread, to stop the run (its client went away, the user
  // pressed cancel): the run ends at its next wait or checkpoint, its report's error code
  // "cancelled". Null: the run cannot be cancelled.
  std::shared_ptr<std::atomic<bool>> cancel;
};

// The one entry to a run, on every target: a validated request in, its report out.
// A run that fails (deadline, fault) still returns a report, with `error` set.
Report run(const Request& request, const RunOptions& options = {});

// The same as a JSON object (a surface's own request object) or text (from the network or
// JS): bad input gives the bad_request answer (exit code 2) instead of throwing.
nlohmann::json run_json(const nlohmann::json& request, const RunOptions& options = {});
nlohmann::json run_json_text(const std::string& request_text, const RunOptions& options = {});

struct ExploreOptions {
  int runs = 100;
  // After each schedule, on the exploring thread: schedules done, of how many, how many wrong.
  std::function<void(int done, int runs, int wrong)> on_progress;
  std::shared_ptr<std::atomic<bool>> cancel;
};
// `samovar explore`: runs `runs` explored schedules of a request (its "schedule" is set to
// "explore"), with seeds seed, seed + 1, ...; counts how many deadlocked, lost updates, failed a
// check that should hold, or failed; and replays the first that went wrong with the request's
// trace level (its report, and its schedule as turns). Bad input: the bad_request answer.
nlohmann::json explore_json(const nlohmann::json& request, const ExploreOptions& options);
// The summary as `samovar explore` prints it, with the command that replays the first wrong one.
std::string explore_text(const nlohmann::json& summary);

// A report in the surfaces' forms: JSON, the CLI's text, its exit code, a Chrome trace.
using contract::exit_code;
using contract::render_text;
using contract::to_json;
nlohmann::json chrome_trace(const nlohmann::json& report);

// Where this build runs: cores, OS, timer resolution (what a reader needs to judge a figure).
nlohmann::json machine_json();

// Serving (natively, `samovar serve`): the HTTP/1.1 server runs on an asyncio event loop
// (net::HttpServer, net::delay_response for /delay/<s>), and a run, which blocks its thread for
// its whole length, goes to a concurrent::ThreadPoolExecutor through asyncio::run_in_executor.

// Natively, a ProcessPoolExecutor's worker is this executable started again: main() asks
// is_worker_process() first and returns worker_main(). Always false in WASM.
bool is_worker_process();
int worker_main();

}  // namespace samovar
