// Issue 16: output lines stream as they happen. A scenario prints each line when the guide's
// program (or, for samovar's own measurements, a benchmark script) would, not all at its end;
// RunOptions::on_line hands each one on as it is printed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/samovar.hpp"

using namespace samovar;
using nlohmann::json;

namespace {

struct Streamed {
  json report;
  std::vector<std::string> lines;  // as on_line delivered them
};

Streamed run_streamed(const json& request) {
  Streamed out;
  RunOptions options;
  options.on_line = [&out](const trace::Line& line, const std::string&) {
    out.lines.push_back(line.text);
  };
  out.report = run_json(request, options);
  return out;
}

// When the last span named `name` began: the last round's work of that kind.
double last_start(const json& report, const std::string& name) {
  double latest = -1;
  for (const auto& span : report["trace"])
    if (span["name"] == name) latest = std::max(latest, span["start_s"].get<double>());
  return latest;
}

void check_delivered(const Streamed& s) {
  REQUIRE_FALSE(s.report.contains("error"));
  std::vector<std::string> kept;
  for (const auto& line : s.report["output"]) kept.push_back(line["text"]);
  CHECK(s.lines == kept);  // every kept line went out through on_line, in order
}

}  // namespace

TEST_CASE("gil prints each measurement as it is taken, before the last round runs",
          "[scenario][gil][stream]") {
  const auto s =
      run_streamed({{"scenario", "gil"}, {"params", {{"work", 100'000}, {"rounds", 2}}}});
  INFO(s.report.dump().substr(0, 3000));
  check_delivered(s);
  const auto& output = s.report["output"];
  REQUIRE(output.size() == 1 + 4 * 2 + 4);
  CHECK(output[0]["text"] == "Each task counts the primes below 100000: 9592");
  CHECK(output[1]["text"].get<std::string>().rfind("Round 1 of 2: sequential, 2 tasks in ", 0) ==
        0);
  // Round 1's lines were printed before round 2 began (its sequential phase).
  const double round_2 = last_start(s.report, "sequential");
  REQUIRE(round_2 > 0);
  for (int i = 0; i <= 4; ++i) CHECK(output[i]["t_s"].get<double>() <= round_2);
}

TEST_CASE("encrypt prints its result when the pool returns it, before the later rounds",
          "[scenario][encrypt][stream][process]") {
  const auto s = run_streamed(
      {{"scenario", "encrypt"}, {"params", {{"items", 2}, {"work", 100'000}, {"rounds", 3}}}});
  INFO(s.report.dump().substr(0, 3000));
  check_delivered(s);
  const auto& output = s.report["output"];
  REQUIRE(output.size() == 1);
  CHECK(output[0]["text"] == "    4321_drac_tiderc");
  // The last round's calls into the pool began after the line was printed.
  double last_call = -1;
  for (const auto& span : s.report["trace"])
    if (span["lane"] == "task 1") last_call = std::max(last_call, span["start_s"].get<double>());
  CHECK(output[0]["t_s"].get<double>() < last_call);
}
