#include "native/commands.hpp"

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include "engine/samovar.hpp"

namespace samovar::cli {

using nlohmann::json;

int list(bool as_json) {
  std::cout << (as_json ? catalog_json().dump(2) + "\n" : catalog_text());
  return 0;
}

// A value given on the command line (`--set k=v`, `--scale v`): read as JSON when it parses
// (3, 0.5, true, "x"), else as a string, so the engine's validation names the field when
// the type is wrong. web/node-run.mjs reads values by the same rule.
static json cli_value(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error&) {
    return text;
  }
}

int run(const RunArgs& args) {
  json request{
      {"schema_version", kSchemaVersion}, {"scenario", args.scenario}, {"params", json::object()}};
  if (!args.model.empty()) request["model"] = args.model;
  if (args.scale) request["scale"] = cli_value(*args.scale);
  if (args.seed) request["seed"] = cli_value(*args.seed);
  if (args.deadline_s) request["deadline_s"] = cli_value(*args.deadline_s);
  if (args.trace_off) request["trace"] = "off";
  for (const auto& s : args.sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "error: --set " << s << ": expected name=value\n";
      return 2;
    }
    request["params"][s.substr(0, eq)] = cli_value(s.substr(eq + 1));
  }

  const json report = run_json(request);
  const int code = exit_code(report);
  if (code == 2) {
    std::cerr << render_text(report);
    return code;
  }
  if (!args.trace_file.empty()) write_atomically(args.trace_file, chrome_trace(report).dump());
  if (args.json)
    std::cout << report.dump(2) << "\n";
  else
    std::cout << render_text(report);
  return code;
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string temporary = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw std::runtime_error("cannot write " + temporary);
    }
  }
  std::filesystem::rename(temporary, target);
}

}  // namespace samovar::cli
