#include "engine/trace/chrome_trace.hpp"

#include <map>
#include <string>

namespace samovar::trace {

using nlohmann::json;

json chrome_trace(const json& report) {
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
  for (const auto& span : report["trace"]) {
    const double start_us = span["start_s"].get<double>() * 1e6;
    json e{{"name", span["name"]},
           {"cat", span["state"]},
           {"pid", 1},
           {"tid", tid(span["lane"])},
           {"ts", start_us}};
    // Perfetto shows args beside the slice: what was waited for or held, and by whom.
    for (const char* key : {"object", "holder"})
      if (span.contains(key)) e["args"][key] = span[key];
    if (span.contains("end_s")) {
      e["ph"] = "X";
      e["dur"] = span["end_s"].get<double>() * 1e6 - start_us;
    } else {
      e["ph"] = "i";
      e["s"] = "t";
    }
    events.push_back(std::move(e));
  }
  for (const auto& line : report["output"])
    events.push_back({{"ph", "i"},
                      {"s", "t"},
                      {"name", line["text"]},
                      {"cat", "print"},
                      {"pid", 1},
                      {"tid", tid(line["who"])},
                      {"ts", line["t_s"].get<double>() * 1e6}});
  events.push_back({{"ph", "M"},
                    {"name", "process_name"},
                    {"pid", 1},
                    {"tid", 0},
                    {"args",
                     {{"name", "samovar " + report["scenario"].get<std::string>() + " (" +
                                   report["model"].get<std::string>() + ", " +
                                   report["platform"].get<std::string>() + ")"}}}});
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ms"},
          {"otherData",
           {{"schema_version", report["schema_version"]}, {"scenario", report["scenario"]}}}};
}

}  // namespace samovar::trace
