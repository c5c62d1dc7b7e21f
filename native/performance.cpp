#include "native/performance.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace samovar::cli {

using nlohmann::json;

namespace {

// A time shorter than this many ticks of its timer is not compared: its own resolution is a
// sizeable part of it.
constexpr double kTicksToCompare = 100;

std::string seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, s < 0.01 ? "%.5f" : "%.3f", s);
  return buffer;
}

std::string cell(std::string text) {
  for (std::size_t at = 0; (at = text.find('|', at)) != std::string::npos; at += 2)
    text.replace(at, 1, "\\|");
  return text;
}

// A metric's value as a reader wants it: a count whole, a measure to four digits.
std::string figure(double v, const std::string& unit) {
  char buffer[48];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  else
    std::snprintf(buffer, sizeof buffer,
                  std::fabs(v) >= 1e6 || std::fabs(v) < 1e-3 ? "%.3g" : "%.4g", v);
  return std::string(buffer) + (unit.empty() || unit == "×" ? unit : " " + unit);
}

// The scenario's headline metrics (the catalog's), native · CPython where CPython has one.
std::string headline(const json& spec, const json& native, const json* python) {
  std::string out;
  for (const auto& h : spec.value("headline", json::array())) {
    const std::string metric = h["metric"];
    const auto n = native["metrics"].find(metric);
    if (n == native["metrics"].end()) continue;
    out += (out.empty() ? "" : "; ") + h["label"].get<std::string>() + " " +
           figure(n->get<double>(), h["unit"]);
    if (python != nullptr && python->contains("metrics") && (*python)["metrics"].contains(metric))
      out += " · " + figure((*python)["metrics"][metric].get<double>(), h["unit"]);
  }
  return out.empty() ? "—" : out;
}

std::string params(const json& p) {
  std::string out;
  for (const auto& [name, value] : p.items())
    out += (out.empty() ? "" : " ") + name + "=" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

// The guide's Table 4 (8.1) as `compare` measured it: per cell measured, this machine's ideal
// and the guide's figure (its own machine, full scale).
std::string table4(const json& natives) {
  std::ostringstream md;
  for (const auto& n : natives) {
    if (!n.contains("table")) continue;
    const json& t = n["table"];
    md << "\n## The guide's Table 4 (8.1), measured by `compare`\n\n"
       << "Each cell: measured s (ideal for this machine's " << n["metrics"].value("cores", 0.0)
       << " cores; the guide's figure at full scale). Scale " << n.value("scale", 0.1)
       << ", params " << cell(params(n["params"])) << ".\n\n| workload |";
    for (const auto& c : t["columns"]) md << " " << c.get<std::string>() << " |";
    md << "\n|---|";
    for (std::size_t i = 0; i < t["columns"].size(); ++i) md << "---:|";
    md << "\n";
    for (const auto& row : t["rows"]) {
      md << "| " << cell(row["name"]) << " |";
      for (const auto& c : row["cells"]) {
        md << " " << seconds(c["measured_s"].get<double>()) << " (" << seconds(c["ideal_s"]) << "; "
           << (c["guide_s"].is_number() ? seconds(c["guide_s"]) : std::string("—")) << ") |";
      }
      md << "\n";
    }
  }
  return md.str();
}

// scale's sweeps (Table 3, 8.2): per N, time and memory per waiting unit, native beside
// CPython's sweep of the same request where one was recorded.
std::string sweeps(const json& natives, const json* pythons) {
  std::ostringstream md;
  bool first = true;
  for (std::size_t i = 0; i < natives.size(); ++i) {
    const json& n = natives[i];
    if (!n.contains("sweep")) continue;
    const json* py = nullptr;
    if (pythons != nullptr && i < pythons->size() && (*pythons)[i].contains("sweep"))
      py = &(*pythons)[i]["sweep"];
    if (first)
      md << "\n## Scale: many waiting at once (Table 3, 8.2)\n\n"
            "Each step: N units wait 0.1 s at once; time per unit is the wall time beyond the "
            "wait over N, memory per unit the growth of resident memory over N.\n";
    first = false;
    const json& points = n["sweep"]["points"];
    md << "\n### " << n["model"].get<std::string>() << ": up to "
       << n["params"].value("sweep_to", 0LL) << " "
       << (points.empty() ? std::string("units") : points[0].value("unit", "units")) << "\n\n"
       << "Memory: " << n["sweep"].value("memory", "") << ".";
    if (n["sweep"].contains("limit")) md << " Limit: " << n["sweep"]["limit"].dump() << ".";
    md << "\n\n| N | native wall s | native µs per unit | native bytes per unit |"
       << (py ? " CPython µs per unit | CPython bytes per unit |" : "") << "\n|---:|---:|---:|---:|"
       << (py ? "---:|---:|" : "") << "\n";
    for (const auto& p : points) {
      md << "| " << p["n"].get<long long>() << " | " << seconds(p["wall_s"]) << " | "
         << figure(p["us_per_unit"], "") << " | " << figure(p["bytes_per_unit"], "") << " |";
      if (py) {
        std::string us = "—", bytes = "—";
        for (const auto& q : (*py)["points"])
          if (q["n"] == p["n"]) {
            us = figure(q["us_per_unit"], "");
            bytes = figure(q["bytes_per_unit"], "");
          }
        md << " " << us << " | " << bytes << " |";
      }
      md << "\n";
    }
  }
  return md.str();
}

}  // namespace

std::string performance_markdown(const json& results, const json& catalog) {
  const json& machine = results["machine"];
  const json& cpython = results["cpython"];
  const double native_tick = machine.value("timer_resolution_s", 1e-9);
  std::ostringstream md;
  md << "# Performance\n\n"
     << "Generated by `samovar bench" << (results.value("quick", false) ? " --quick" : "")
     << " --markdown docs/PERFORMANCE.md` at " << results.value("recorded_at", "")
     << "; regenerate it rather than edit it. Each figure comes from a shared machine, with other "
        "work beside it: "
        "read the ratios as orders of magnitude, not to the digit.\n\n"
     << "## The machine\n\n"
     << "- CPU: " << machine.value("cpu", "unknown") << ", " << machine.value("cores", 0)
     << " cores\n"
     << "- OS: " << machine.value("os", "unknown") << "\n"
     << "- Timer resolution (native): " << native_tick << " s\n";
  const bool have_python = cpython.contains("results");
  if (have_python)
    md << "- CPython: " << cpython.value("version", "") << " ("
       << cpython.value("implementation", "") << ", `" << cpython.value("path", "")
       << "`), the programs of `bench/python/`; timer resolution (perf_counter) "
       << cpython.value("timer_resolution_s", 0.0) << " s\n";
  else
    md << "- CPython: missing (" << cpython.value("missing", "") << ")\n";
  md << "\n## Native and CPython, request by request\n\n"
     << "Wall time of the same request (scenario, model, params, scale "
     << "0.1 unless said), natively and in CPython, the median of " << results.value("repeat", 1)
     << (results.value("repeat", 1) == 1 ? " run" : " runs")
     << " each; the ratio is CPython's time over native's. "
     << "No ratio is given where either time is under " << kTicksToCompare
     << " ticks of its timer.\n\n"
     << "The last column gives the scenario's headline metrics (as the page shows them): "
        "native · CPython, where CPython's program measures the same.\n\n"
     << "| scenario | model | params | trace | native s | CPython s | CPython / native | "
        "headline metrics |\n"
     << "|---|---|---|---|---:|---:|---:|---|\n";
  const auto spec_of = [&](const std::string& id) {
    for (const auto& s : catalog["scenarios"])
      if (s["id"] == id) return s;
    return json::object();
  };
  const json& natives = results["results"];
  for (std::size_t i = 0; i < natives.size(); ++i) {
    const json& n = natives[i];
    const double native_s = n.value("wall_s", 0.0);
    std::string python_cell = "—", ratio = "—";
    const json* python = nullptr;
    if (have_python && i < cpython["results"].size()) {
      const json& c = cpython["results"][i];
      python = &c;
      if (c.contains("skipped")) {
        python_cell = "not run: " + c["skipped"].get<std::string>();
      } else if (c.contains("error") || !c.contains("wall_s")) {
        python_cell = "failed: " + c.value("/error/message"_json_pointer, std::string("?"));
      } else {
        const double python_s = c["wall_s"].get<double>();
        python_cell = seconds(python_s);
        const double tick = cpython.value("timer_resolution_s", 1e-9);
        if (native_s >= kTicksToCompare * native_tick && python_s >= kTicksToCompare * tick) {
          char buffer[32];
          std::snprintf(buffer, sizeof buffer, "%.2f×", python_s / native_s);
          ratio = buffer;
        }
      }
    }
    std::string scale;
    if (n.value("scale", 0.1) != 0.1) scale = " (scale " + json(n["scale"]).dump() + ")";
    md << "| " << cell(n["scenario"].get<std::string>()) << " | " << n["model"].get<std::string>()
       << " | " << cell(params(n["params"]) + scale) << " | " << n.value("trace_level", "") << " | "
       << seconds(native_s) << " | " << cell(python_cell) << " | " << ratio << " | "
       << cell(headline(spec_of(n["scenario"]), n, python)) << " |\n";
  }
  md << table4(natives) << sweeps(natives, have_python ? &cpython["results"] : nullptr);
  md << "\nThe results file (`samovar bench --out`) holds each run's metrics, checks and first "
        "output lines too; `cpython.results[i]` stands beside `results[i]`.\n";
  return md.str();
}

}  // namespace samovar::cli
