#include "engine/contract/report.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "engine/contract/format.hpp"

namespace samovar::contract {

using nlohmann::json;

namespace {

// The compiler names a file as it was given (an absolute path here): the report names it from
// the repository's root, as the page's copy of the sources does.
std::string repo_path(std::string_view file) {
  if (file.starts_with("engine/")) return std::string(file);
  const auto at = file.rfind("/engine/");
  return std::string(at == std::string_view::npos ? file : file.substr(at + 1));
}

}  // namespace

json to_json(const trace::Line& line, const std::string& who) {
  json j{{"t_s", line.t_s}, {"who", who}, {"text", line.text}, {"stable", line.stable}};
  if (line.src.file) j["src"] = {{"file", repo_path(line.src.file)}, {"line", line.src.line}};
  return j;
}

json to_json(const platform::Machine& m) {
  return {{"cores", m.cores},
          {"os", m.os},
          {"browser", m.browser ? json(*m.browser) : json(nullptr)},
          {"cross_origin_isolated",
           m.cross_origin_isolated ? json(*m.cross_origin_isolated) : json(nullptr)},
          {"timer_resolution_s", m.timer_resolution_s}};
}

json to_json(const Report& r) {
  json output = json::array();
  for (const auto& line : r.output) output.push_back(to_json(line, r.lanes[line.lane]));
  json spans = json::array();
  for (const auto& s : r.trace) {
    json j{{"lane", r.lanes[s.lane]},
           {"state", trace::to_string(s.state)},
           {"name", s.name},
           {"start_s", s.start_s}};
    if (!std::isnan(s.end_s)) j["end_s"] = s.end_s;
    if (s.object != trace::kNoLane) j["object"] = r.lanes[s.object];
    if (s.holder != trace::kNoLane) j["holder"] = r.lanes[s.holder];
    spans.push_back(std::move(j));
  }
  json j{{"schema_version", kSchemaVersion},
         {"scenario", r.request.scenario},
         {"model", r.request.model},
         {"params", r.request.params},
         {"scale", r.request.scale},
         {"seed", r.request.seed},
         {"trace_level", r.request.trace == trace::Level::spans ? "spans" : "off"},
         {"platform", r.platform},
         {"machine", to_json(r.machine)},
         {"repeat", r.request.repeat},
         {"schedule", r.request.schedule},
         {"wall_s", r.wall_s},
         {"walls_s", r.walls_s},
         {"output", std::move(output)},
         {"metrics", r.metrics},
         {"checks", r.checks},
         {"expected_checks", r.expected_checks},
         {"trace", std::move(spans)}};
  if (r.trace_stopped_s) j["trace_stopped_s"] = *r.trace_stopped_s;
  if (r.trace_lanes_untraced > 0) j["trace_lanes_untraced"] = r.trace_lanes_untraced;
  if (!r.request.spec.is_null()) j["spec"] = r.request.spec;
  if (r.table) j["table"] = to_json(*r.table);
  if (!r.sweep.empty() || !r.sweep_limit.empty()) {
    json points = json::array();
    for (const auto& p : r.sweep)
      points.push_back({{"unit", p.unit},
                        {"n", p.n},
                        {"wall_s", p.wall_s},
                        {"us_per_unit", p.us_per_unit},
                        {"bytes_per_unit", p.bytes_per_unit}});
    j["sweep"] = {{"points", std::move(points)}, {"memory", r.sweep_memory}};
    if (!r.sweep_limit.empty()) j["sweep"]["limit"] = r.sweep_limit;
  }
  if (!r.metric_ranges.empty()) {
    json ranges = json::object();
    for (const auto& [name, range] : r.metric_ranges) ranges[name] = {range.first, range.second};
    j["metric_ranges"] = std::move(ranges);
  }
  if (r.explored) {
    json turns = json::array();
    for (const auto& [who, steps] : r.explored->turns) turns.push_back({who, steps});
    j["explore"] = {{"strategy", r.request.explore.strategy},
                    {"depth", r.request.explore.depth},
                    {"steps", r.request.explore.steps},
                    {"steps_taken", r.explored->steps_taken},
                    {"switches", r.explored->switches},
                    {"all_blocked", r.explored->all_blocked},
                    {"turns", std::move(turns)}};
  }
  if (r.error) j["error"] = {{"code", r.error->code}, {"message", r.error->message}};
  return j;
}

json to_json(const Table& table) {
  const auto figure = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json rows = json::array();
  for (const auto& row : table.rows) {
    json cells = json::array();
    for (const auto& c : row.cells) {
      json cell{{"measured_s", figure(c.measured_s)},
                {"ideal_s", figure(c.ideal_s)},
                {"guide_s", figure(c.guide_s)}};
      if (!c.note.empty()) cell["note"] = c.note;
      cells.push_back(std::move(cell));
    }
    rows.push_back({{"name", row.name}, {"cells", std::move(cells)}});
  }
  return {{"columns", table.columns}, {"rows", std::move(rows)}};
}

json bad_request_json(const std::string& field, const std::string& message) {
  return {{"schema_version", kSchemaVersion},
          {"error", {{"code", "bad_request"}, {"field", field}, {"message", message}}}};
}

int exit_code(const json& report) {
  if (!report.contains("error")) return 0;
  return report["error"].value("code", "") == "bad_request" ? 2 : 1;
}

namespace {
// A metric as the summary shows it: whole numbers whole, others to four significant digits.
std::string figure(double v) {
  if (std::abs(v) < 1e15 && v == std::round(v)) return fixed(v, 0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Right-aligned in `width` columns.
std::string padded(std::string text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}
}  // namespace

std::string render_text(const json& report) {
  if (exit_code(report) == 2)
    return "error: " + report["error"]["message"].get<std::string>() + "\n";
  std::size_t who_width = 4;
  for (const auto& line : report["output"])
    who_width = std::max(who_width, line["who"].get<std::string>().size());
  std::string out;
  for (const auto& line : report["output"]) {
    const std::string who = line["who"].get<std::string>();
    out += padded(fixed(line["t_s"].get<double>(), 4), 9) + "s  " + who +
           std::string(who_width - who.size() + 2, ' ') + line["text"].get<std::string>() + "\n";
  }
  out += "-- " + report["scenario"].get<std::string>() + " (" + report["model"].get<std::string>() +
         ", " + report["platform"].get<std::string>() + "): wall " +
         fixed(report["wall_s"].get<double>(), 4) + " s";
  const json walls = report.value("walls_s", json::array());
  if (walls.size() > 1) {
    const auto [least, most] = std::minmax_element(walls.begin(), walls.end());
    out += " (median of " + std::to_string(walls.size()) + " runs, " +
           fixed(least->get<double>(), 4) + "–" + fixed(most->get<double>(), 4) + " s)";
  }
  const double dropped = report["metrics"].value("lines_dropped", 0.0);
  if (dropped > 0) out += "; " + fixed(dropped, 0) + " more lines not kept";
  out += "\n";
  std::string figures;
  for (const auto& [name, value] : report["metrics"].items())
    if (name != "lines_dropped" && name != "spans_dropped")
      figures += (figures.empty() ? "" : ", ") + name + " " + figure(value.get<double>());
  if (!figures.empty()) out += "   metrics: " + figures + "\n";
  // A check passes when it shows what this variant should, whichever way that is.
  const json expected = report.value("expected_checks", json::object());
  for (const auto& [name, value] : report["checks"].items()) {
    const bool seen = value.get<bool>();
    const std::string finding = name + ": " + (seen ? "yes" : "no");
    if (!expected.contains(name))
      out += "   " + finding + "\n";
    else if (expected[name].get<bool>() == seen)
      out += "   \u2713 " + finding + ", as this variant should\n";
    else
      out += "   \u2717 " + finding + ", not what this variant should show\n";
  }
  if (report.contains("error"))
    out += "error: " + report["error"]["message"].get<std::string>() + "\n";
  return out;
}

}  // namespace samovar::contract
