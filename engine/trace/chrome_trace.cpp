#include "engine/trace/chrome_trace.hpp"

#include <map>
#include <string>

namespace samovar::trace {

using nlohmann::json;

namespace {

const json& array_at(const json& object, const char* key) {
  static const json empty = json::array();
  const auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : empty;
}

bool number_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number();
}

std::string text_at(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

json chrome_trace(const json& report) {
  if (!report.is_object()) return chrome_trace(json::object());
  json events = json::array();
  std::map<std::string, int> tids;
  auto tid = [&](const std::string& lane) {
    auto [it, added] = tids.emplace(lane, static_cast<int>(tids.size()) + 1);
    if (added)
      events.push_back({{"ph", "M"},
                        {"name", "thread_name"},
                        {"pid", 1},
                        {"tid", it->second},
                        {"args", {{"name", lane}}}});
    return it->second;
  };
  // A report may come from a file the user opened in the page: what is not a well-formed
  // span or line is left out rather than read (a missing key of a const json is undefined).
  for (const auto& span : array_at(report, "trace")) {
    if (!span.is_object() || !number_at(span, "start_s")) continue;
    const double start_us = span["start_s"].get<double>() * 1e6;
    json e{{"name", span.value("name", json())},
           {"cat", span.value("state", json())},
           {"pid", 1},
           {"tid", tid(text_at(span, "lane"))},
           {"ts", start_us}};
    // Perfetto shows args beside the slice: what was waited for or held, and by whom.
    for (const char* key : {"object", "holder"})
      if (span.contains(key)) e["args"][key] = span[key];
    if (number_at(span, "end_s")) {
      e["ph"] = "X";
      e["dur"] = span["end_s"].get<double>() * 1e6 - start_us;
    } else {
      e["ph"] = "i";
      e["s"] = "t";
    }
    events.push_back(std::move(e));
  }
  for (const auto& line : array_at(report, "output")) {
    if (!line.is_object() || !number_at(line, "t_s")) continue;
    events.push_back({{"ph", "i"},
                      {"s", "t"},
                      {"name", line.value("text", json())},
                      {"cat", "print"},
                      {"pid", 1},
                      {"tid", tid(text_at(line, "who"))},
                      {"ts", line["t_s"].get<double>() * 1e6}});
  }
  events.push_back(
      {{"ph", "M"},
       {"name", "process_name"},
       {"pid", 1},
       {"tid", 0},
       {"args",
        {{"name", "samovar " + text_at(report, "scenario") + " (" + text_at(report, "model") +
                      ", " + text_at(report, "platform") + ")"}}}});
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ms"},
          {"otherData",
           {{"schema_version", report.value("schema_version", json())},
            {"scenario", report.value("scenario", json())}}}};
}

}  // namespace samovar::trace
