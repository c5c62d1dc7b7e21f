#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/contract/format.hpp"
#include "engine/platform/files.hpp"
#include "engine/platform/machine.hpp"
#include "engine/platform/process.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/scenarios/stopwatch.hpp"
#include "engine/workload/run.hpp"
#include "engine/workload/unit_cost.hpp"

namespace samovar::scenarios {

namespace {

using workload::Kind;
using workload::Model;

struct Column {
  const char* key;  // in metric names
  const char* title;
  Model model;
};
constexpr Column kColumns[] = {{"sequential", "Sequential", Model::sequential},
                               {"asyncio", "Asyncio", Model::asyncio},
                               {"threading", "Threading (GIL)", Model::threading},
                               {"threading_gil_off", "Threading, GIL off", Model::threading_free},
                               {"multiprocessing", "Multiprocessing", Model::multiprocessing}};

// One row of the guide's Table 4 (8.1), as a spec; `guide` is what the table says for
// sequential, asyncio, threading and multiprocessing (it has no free-threaded column). The
// guide names the workloads only: the tasks and their sizes are samovar's choice.
struct Row {
  const char* key;
  const char* title;
  double guide[4];
  workload::Spec spec;
};

workload::Step step(Kind kind) {
  workload::Step s;
  s.kind = kind;
  return s;
}

std::vector<Row> rows(long long work, long long bytes) {
  workload::Step http = step(Kind::http);
  http.seconds = 2;
  workload::Step half_http = http;
  half_http.seconds = 1;
  workload::Step cpu = step(Kind::cpu);
  cpu.units = work;
  workload::Step half_cpu = cpu;
  half_cpu.units = std::max<long long>(1, work / 2);
  workload::Step file = step(Kind::file);
  file.bytes = bytes;
  const auto tasks = [](int n, std::vector<workload::Step> steps) {
    workload::Spec spec;
    for (int i = 0; i < n; ++i) spec.tasks.push_back({"task " + std::to_string(i + 1), steps});
    return spec;
  };
  return {{"http", "3 HTTP requests (2s each)", {6, 2, 2, 2}, tasks(3, {http})},
          {"file", "File I/O operations", {10, 3, 4, 3}, tasks(4, {file, file, file})},
          {"cpu", "CPU-intensive calculation", {8, 8, 8, 2}, tasks(4, {cpu})},
          {"mixed", "Mixed I/O + CPU", {15, 10, 12, 6}, tasks(4, {half_http, half_cpu, file})}};
}

// What one step costs on this machine: the ideal is a floor. A cpu unit is timed in short
// pieces over rounds, each piece's fastest kept (workload/unit_cost.hpp), so that a busy spell
// of the machine does not inflate it; a file step is the fastest of three round trips.
struct Costs {
  workload::UnitCost unit;
  double file_s;  // a file step's write, fsync and read
};

Costs measure_costs(long long bytes, double timer_resolution_s) {
  const workload::UnitCost unit = workload::measure_unit_cost(timer_resolution_s);
  std::vector<double> files;
  const std::string dir = platform::files::make_temp_dir("samovar-compare-");
  const std::string data(static_cast<std::size_t>(bytes), 'x');
  for (int i = 0; i < 3; ++i) {
    const Stopwatch w;
    platform::files::write(dir + "/probe", data, true);
    (void)platform::files::read(dir + "/probe");
    files.push_back(w.seconds());
  }
  platform::files::remove_tree(dir);
  return {unit, *std::min_element(files.begin(), files.end())};
}

// The ideal wall time of a spec under a model on this machine: each task's waits (http's
// delay, a file's measured round trip) overlap under every model but sequential; what holds a
// thread does not (a file step counts as a wait, as if the device took requests at once; one
// disk may queue fsyncs): under asyncio block and cpu hold the one loop, under the GIL cpu takes
// turns, and free threads or processes share the cores (no more than there are workers). So
// ideal = max(longest task, the work that cannot overlap / the cores it may use). Start-up
// (threads, processes) and the scheduler's costs are left out: it is a floor, not a forecast.
double ideal(const workload::Spec& spec, Model model, const Costs& costs, double scale,
             std::size_t cores) {
  double total = 0, longest = 0, cpu = 0, held = 0;
  for (const auto& task : spec.tasks) {
    double t = 0;
    for (const auto& s : task.steps) {
      switch (s.kind) {
        case Kind::sleep:
        case Kind::http:
          t += s.seconds * scale;
          break;
        case Kind::block:
          t += s.seconds * scale;
          held += s.seconds * scale;
          break;
        case Kind::file:
          t += costs.file_s;
          break;
        case Kind::cpu:
          t += static_cast<double>(s.units) * costs.unit.seconds;
          cpu += static_cast<double>(s.units) * costs.unit.seconds;
          break;
        default:
          break;
      }
    }
    total += t;
    longest = std::max(longest, t);
  }
  const std::size_t tasks = spec.tasks.size();
  switch (model) {
    case Model::sequential:
      return total;
    case Model::asyncio:
      return std::max(longest, cpu + held);
    case Model::threading:
      return std::max(longest, cpu);
    case Model::threading_free:
      return std::max(longest, cpu / static_cast<double>(std::min(cores, tasks)));
    case Model::multiprocessing: {
      const std::size_t workers = std::min(tasks, platform::process::max_workers());
      return std::max(longest, cpu / static_cast<double>(std::min(cores, workers)));
    }
  }
  return total;
}

// Where the measured order of the guide's four columns agrees with the guide's: for each pair
// the guide orders (a < b), the measurement must too; for a pair it calls equal, the two must
// be within 25% of each other. Pairs with a column not measured are left out.
std::vector<std::string> disagreements(const Row& row,
                                       const std::vector<std::optional<double>>& m) {
  const int guide_column[4] = {0, 1, 2, 4};  // the guide's columns among kColumns
  std::vector<std::string> out;
  for (int a = 0; a < 4; ++a)
    for (int b = a + 1; b < 4; ++b) {
      const auto& ma = m[static_cast<std::size_t>(guide_column[a])];
      const auto& mb = m[static_cast<std::size_t>(guide_column[b])];
      if (!ma || !mb) continue;
      const double ga = row.guide[a], gb = row.guide[b];
      bool agrees;
      if (ga == gb)
        agrees = std::fabs(*ma - *mb) <= 0.25 * std::max(*ma, *mb);
      else
        agrees = (ga < gb) == (*ma < *mb);
      if (!agrees)
        out.push_back(std::string(kColumns[guide_column[a]].key) + " vs " +
                      kColumns[guide_column[b]].key + " (guide " + contract::shortest(ga) +
                      " s vs " + contract::shortest(gb) + " s, measured " +
                      contract::fixed(*ma, 3) + " s vs " + contract::fixed(*mb, 3) + " s)");
    }
  return out;
}

void run(Context& ctx) {
  const std::string only_row = ctx.text("rows");
  const std::string only_column = ctx.text("models");
  const long long work = ctx.integer("work");
  const long long bytes = ctx.integer("bytes");
  const platform::Machine machine = platform::machine();
  const std::size_t cores = std::max<std::size_t>(1, machine.cores);
  const Costs costs = measure_costs(bytes, machine.timer_resolution_s);
  ctx.metric("cores", static_cast<double>(cores));
  ctx.metric("cpu_unit_s", costs.unit.seconds);
  ctx.metric("cpu_unit_rounds", costs.unit.rounds);
  ctx.metric("file_step_s", costs.file_s);
  ctx.print(
      "The guide's figures are not measurements (DESIGN.md); they are shown as \"the guide "
      "says\". Ideal: for " +
          std::to_string(cores) + " cores, a cpu unit of " +
          contract::fixed(costs.unit.seconds * 1e3, 2) + " ms (each of its " +
          std::to_string(costs.unit.pieces) + " pieces timed " + std::to_string(costs.unit.rounds) +
          " times, the fastest kept) and a file step of " + contract::fixed(costs.file_s * 1e3, 2) +
          " ms measured here.",
      false);

  contract::Table table;
  for (const auto& c : kColumns) table.columns.push_back(c.title);
  for (const auto& row : rows(work, bytes)) {
    if (only_row != "all" && only_row != row.key) continue;
    contract::Table::Row out{row.title, {}};
    std::vector<std::optional<double>> measured;
    for (std::size_t c = 0; c < std::size(kColumns); ++c) {
      const Column& column = kColumns[c];
      contract::Table::Cell cell;
      const std::string name = std::string(row.key) + "/" + column.key;
      const int guide_index = c < 3 ? static_cast<int>(c) : c == 4 ? 3 : -1;
      if (guide_index >= 0) {
        cell.guide_s = row.guide[guide_index];
        ctx.metric(name + "_guide_s", *cell.guide_s);
      }
      cell.ideal_s = ideal(row.spec, column.model, costs, ctx.scale(), cores);
      ctx.metric(name + "_ideal_s", *cell.ideal_s);
      std::optional<double> wall;
      if (only_column != "all" && only_column != column.key) {
        cell.note = "not run (param models)";
      } else if (const std::string why = workload::unavailable(row.spec, column.model);
                 !why.empty()) {
        cell.note = why;
      } else {
        workload::Env env{ctx.recorder(), ctx.stop(),  ctx.threading().options(),
                          ctx.scale(),    name + ": ", false};
        const auto result = workload::run(row.spec, column.model, env);
        wall = result.wall_s;
        cell.measured_s = wall;
        ctx.metric(name + "_s", *wall);
        if (result.http_failed != 0 || result.files_mismatched != 0)
          cell.note = std::to_string(result.http_failed) + " GETs failed, " +
                      std::to_string(result.files_mismatched) + " files differed";
        ctx.check(name + "_io_ok", result.http_failed == 0 && result.files_mismatched == 0, true);
      }
      measured.push_back(wall);
      out.cells.push_back(cell);
      ctx.print(std::string(row.title) + ", " + column.title + ": " +
                    (wall ? contract::fixed(*wall, 3) + " s" : "not measured (" + cell.note + ")") +
                    ", ideal " + contract::fixed(*cell.ideal_s, 3) + " s" +
                    (cell.guide_s
                         ? ", the guide says " + contract::shortest(*cell.guide_s) + " s at scale 1"
                         : ""),
                false);
    }
    const auto differ = disagreements(row, measured);
    std::string list;
    for (const auto& d : differ) list += (list.empty() ? "" : "; ") + d;
    ctx.print(
        std::string(row.title) + ": the measured order " +
            (differ.empty() ? "agrees with the guide's" : "disagrees with the guide's on " + list),
        false);
    // The guide's order is a claim to test, not a law: agreeing is what it predicts.
    ctx.check(std::string(row.key) + "/order_agrees_with_guide", differ.empty(), true);
    table.rows.push_back(std::move(out));
  }
  ctx.table(std::move(table));
}

}  // namespace

Scenario compare() {
  return {{"compare",
           "Execution time comparison (Table 4)",
           "8.1",
           "The guide's Table 4, measured: its four workloads (3 HTTP requests of 2 s, file "
           "I/O, CPU-intensive, mixed) as built-in specs, each run sequentially, with asyncio, "
           "with threads (GIL on and off) and with processes. Each cell gives the measured wall "
           "time, the ideal for this machine's cores, and what the guide says (its figures are "
           "not measurements). Its model field is not used: every model runs.",
           {"asyncio"},
           {param::choice("rows", "all", {"all", "http", "file", "cpu", "mixed"},
                          "which workloads (rows) to run"),
            param::choice("models", "all",
                          {"all", "sequential", "asyncio", "threading", "threading_gil_off",
                           "multiprocessing"},
                          "which models (columns) to run"),
            param::integer("work", 20, 1, workload::limits::kMaxUnits,
                           "cpu units per task in the CPU rows (the mixed row does half)"),
            param::integer("bytes", 256 << 10, 1, workload::limits::kMaxBytes,
                           "bytes per file step (written, fsynced, read back)")}},
          run};
}

}  // namespace samovar::scenarios
