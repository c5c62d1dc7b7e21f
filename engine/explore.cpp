#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "engine/contract/bad_request.hpp"
#include "engine/contract/limits.hpp"
#include "engine/platform/clock.hpp"
#include "engine/samovar.hpp"

namespace samovar {

using nlohmann::json;

namespace {

// What went wrong in one explored run: every thread waited on another at once, updates were
// lost, a check that should hold did not, or the run failed.
std::vector<std::string> went_wrong(const Report& r) {
  std::vector<std::string> what;
  if (r.explored && r.explored->all_blocked) what.push_back("deadlocked");
  if (const auto lost = r.metrics.find("lost"); lost != r.metrics.end() && lost->second > 0)
    what.push_back("lost_updates");
  for (const auto& [name, held] : r.checks) {
    const auto expected = r.expected_checks.find(name);
    if (!held && expected != r.expected_checks.end() && expected->second) {
      what.push_back("failed_check");
      break;
    }
  }
  if (r.error) what.push_back("error");
  return what;
}

// "main 3, Thread-1 40, Thread-2 2, ...": who ran, in turns.
// The first 60 turns: a long one is read in the trace or stepped through on the page.
std::string schedule_text(const contract::Explored& e) {
  constexpr std::size_t kShown = 60;
  std::string text;
  for (std::size_t i = 0; i < e.turns.size() && i < kShown; ++i)
    text += (i ? ", " : "") + e.turns[i].first + " " + std::to_string(e.turns[i].second);
  if (e.turns.size() > kShown)
    text += ", ... (" + std::to_string(e.turns.size()) + " turns, " + std::to_string(e.switches) +
            " switches)";
  return text;
}

json explore_parsed(Request request, const json& given, const ExploreOptions& options) {
  request.schedule = "explore";
  const auto first_seed = request.seed;
  if (options.runs < 1 || options.runs > contract::limits::kMaxExploreRuns)
    throw BadRequest("runs", "expected integer 1.." +
                                 std::to_string(contract::limits::kMaxExploreRuns) + ", got " +
                                 std::to_string(options.runs));
  if (static_cast<double>(first_seed) + options.runs - 1 > contract::limits::kMaxSeed)
    throw BadRequest("seed", "seed + runs - 1 must be at most 4294967295");
  // PCT draws its change points over the length of a schedule: unless told, it is measured by
  // one random walk of the same request (the same for a replay, which is told it).
  if (request.explore.strategy == "pct" && !given.contains("steps")) {
    Request probe = request;
    probe.explore.strategy = "random";
    probe.trace = trace::Level::off;
    const Report r = run(probe, {{}, options.cancel});
    if (r.explored) request.explore.steps = std::max<std::int64_t>(1, r.explored->steps_taken);
  }
  Request quiet = request;  // exploring records no spans: only the first wrong run is shown
  quiet.trace = trace::Level::off;
  int done = 0, wrong = 0, deadlocked = 0, lost = 0, failed = 0, errors = 0;
  std::int64_t steps = 0, switches = 0;
  std::optional<std::int64_t> first_wrong_seed;
  int first_wrong_run = 0;
  std::vector<std::string> first_what;
  const auto begin = platform::machine_now();
  for (int i = 0; i < options.runs; ++i) {
    if (options.cancel && options.cancel->load()) break;
    quiet.seed = first_seed + i;
    const Report r = run(quiet, {{}, options.cancel});
    if (r.error && r.error->code == "cancelled") break;
    ++done;
    if (r.explored) {
      steps += r.explored->steps_taken;
      switches += r.explored->switches;
    }
    const auto what = went_wrong(r);
    if (!what.empty()) {
      ++wrong;
      if (!first_wrong_seed) {
        first_wrong_seed = quiet.seed;
        first_wrong_run = i + 1;
        first_what = what;
      }
    }
    for (const auto& w : what) {
      deadlocked += w == "deadlocked";
      lost += w == "lost_updates";
      failed += w == "failed_check";
      errors += w == "error";
    }
    if (options.on_progress) options.on_progress(done, options.runs, wrong);
  }
  const double seconds = platform::to_seconds(platform::machine_now() - begin);
  json out{{"schema_version", kSchemaVersion},
           {"request", contract::to_json(request)},
           {"runs", done},
           {"wrong", wrong},
           {"deadlocked", deadlocked},
           {"lost_updates", lost},
           {"failed_checks", failed},
           {"errors", errors},
           {"seconds", seconds},
           {"schedules_per_s", seconds > 0 ? done / seconds : 0.0},
           {"steps_taken", steps},
           {"switches", switches},
           {"us_per_step", steps > 0 ? seconds * 1e6 / static_cast<double>(steps) : 0.0},
           {"first_wrong", nullptr}};
  if (first_wrong_seed) {
    // Replayed with the request's own trace level: the run to show, and the proof that its seed
    // is its schedule.
    Request replay = request;
    replay.seed = *first_wrong_seed;
    const Report r = run(replay, {{}, options.cancel});
    out["first_wrong"] = {{"seed", *first_wrong_seed},
                          {"run", first_wrong_run},
                          {"what", first_what},
                          {"replayed_same", went_wrong(r) == first_what},
                          {"schedule", r.explored ? schedule_text(*r.explored) : ""},
                          {"report", to_json(r)}};
  }
  return out;
}

// The params that differ from the scenario's defaults, as `--set name=value` options.
std::string sets_of(const json& request) {
  std::string sets;
  const json catalog = catalog_json();
  for (const auto& scenario : catalog["scenarios"]) {
    if (scenario["id"] != request["scenario"]) continue;
    for (const auto& param : scenario["params"]) {
      const std::string name = param["name"];
      const json& value = request["params"][name];
      if (value == param["default"]) continue;
      std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
      if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>() &&
          std::fabs(value.get<double>()) < 1e15)
        shown = std::to_string(std::llround(value.get<double>()));  // hold=0, not 0.0
      sets += " --set " + name + "=" + shown;
    }
  }
  return sets;
}

// The command that runs one schedule of the summary's request again.
std::string replay_command(const json& request, std::int64_t seed) {
  std::string command = "samovar run " + request["scenario"].get<std::string>();
  command += " --model " + request["model"].get<std::string>() + sets_of(request);
  if (request["scale"] != 0.1) command += " --scale " + request["scale"].dump();
  command += " --schedule explore";
  if (request["strategy"] == "pct")
    command += " --strategy pct --depth " + request["depth"].dump() + " --steps " +
               request["steps"].dump();
  return command + " --seed " + std::to_string(seed);
}

}  // namespace

std::string explore_text(const json& summary) {
  if (summary.contains("error")) return render_text(summary);
  const json& request = summary["request"];
  const auto seed = request["seed"].get<std::int64_t>();
  const int runs = summary["runs"];
  std::ostringstream out;
  out << std::fixed << std::setprecision(1);
  out << "Explored " << runs << " schedules of " << request["scenario"].get<std::string>() << " ("
      << request["model"].get<std::string>() << sets_of(request) << "), strategy "
      << request["strategy"].get<std::string>();
  if (request["strategy"] == "pct")
    out << " depth " << request["depth"] << " over " << request["steps"] << " steps";
  out << ", seeds " << seed << ".." << seed + runs - 1 << "\n";
  out << "  " << summary["schedules_per_s"].get<double>() << " schedules/s, "
      << std::setprecision(2) << summary["us_per_step"].get<double>() << " us a step ("
      << summary["steps_taken"] << " steps, " << summary["switches"] << " switches)\n";
  out << "Went wrong: " << summary["wrong"] << " of " << runs << "\n";
  const std::pair<const char*, const char*> kinds[] = {{"deadlocked", "deadlocked"},
                                                       {"lost_updates", "lost updates"},
                                                       {"failed_checks", "failed a check"},
                                                       {"errors", "failed"}};
  for (const auto& [key, label] : kinds)
    out << "  " << std::left << std::setw(16) << label << std::right << summary[key] << "\n";
  const json& first = summary["first_wrong"];
  if (first.is_null()) {
    out << "No schedule went wrong.\n";
    return out.str();
  }
  const auto first_seed = first["seed"].get<std::int64_t>();
  std::string what;
  for (const auto& w : first["what"]) what += (what.empty() ? "" : ", ") + w.get<std::string>();
  out << "First wrong: seed " << first_seed << " (schedule " << first["run"] << " of " << runs
      << "): " << what << "\n";
  out << "  schedule (who ran, steps in a row): " << first["schedule"].get<std::string>() << "\n";
  out << "  its lines:\n";
  for (const auto& line : first["report"]["output"])
    out << "    " << line["text"].get<std::string>() << "\n";
  if (first["report"].contains("error"))
    out << "    error: " << first["report"]["error"]["message"].get<std::string>() << "\n";
  out << "  replayed: "
      << (first["replayed_same"].get<bool>() ? "went wrong the same way" : "went differently")
      << "\n";
  out << "Replay: " << replay_command(request, first_seed) << "\n";
  return out.str();
}

json explore_json(const json& request, const ExploreOptions& options) {
  try {
    if (!request.is_object()) throw BadRequest("request", "expected a JSON object");
    json given = request;
    given["schedule"] = "explore";
    return explore_parsed(parse_request(given), given, options);
  } catch (const BadRequest& e) {
    return contract::bad_request_json(e.field(), e.what());
  }
}

}  // namespace samovar
