#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "engine/contract/report.hpp"
#include "engine/contract/request.hpp"
#include "engine/trace/recorder.hpp"

namespace samovar {

struct RunOptions {
  // Called for each kept output line as it is printed, on the printing thread.
  trace::Recorder::LineSink on_line;
};

// The one entry to the engine, on every target: a validated request in, its report out.
// A run that fails (deadline, fault) still returns a report, with `error` set.
contract::Report run(const contract::Request& request, const RunOptions& options = {});

// The same from and to JSON text, as the surfaces speak it: bad input gives the
// bad_request answer (exit code 2) instead of throwing.
nlohmann::json run_json(const std::string& request_text, const RunOptions& options = {});

}  // namespace samovar
