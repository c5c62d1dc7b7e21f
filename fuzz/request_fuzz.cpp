// The request as `samovar run --json`, the page and POST /api/run hand it in: its JSON text,
// checked against the real catalog's specs by contract::parse_request_text. Parse only:
// nothing runs. Bad input must come out as contract::BadRequest (exit code 2, a message naming
// the field), and its answer, the error report run_json_text makes of it, must be writable as
// JSON, as every surface writes it. Any other exception escapes: libFuzzer reports a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/contract/bad_request.hpp"
#include "engine/contract/report.hpp"
#include "engine/contract/request.hpp"
#include "engine/scenarios/catalog.hpp"
#include "fuzz/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace samovar;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto& specs = scenarios::specs();
  contract::Request request;
  try {
    request = contract::parse_request_text(text, specs);
  } catch (const contract::BadRequest& e) {
    const std::string answer = contract::bad_request_json(e.field(), e.what()).dump();
    return 0;
  }
  // An accepted request is a fixed point: written out (as reports and recorded results key it)
  // and read again, it is accepted, and it is the same request.
  const std::string written = contract::to_json(request).dump();
  const contract::Request again = contract::parse_request(nlohmann::json::parse(written), specs);
  if (contract::to_json(again) != contract::to_json(request))
    fuzz::broken("an accepted request, written and read again, is the same request");
  return 0;
}
