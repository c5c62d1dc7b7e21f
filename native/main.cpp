#include <CLI/CLI.hpp>

#include <iostream>

#include "engine/samovar.hpp"
#include "native/commands.hpp"

int main(int argc, char** argv) {
  using namespace samovar;
  // A ProcessPoolExecutor's worker is this executable started again: it serves, nothing else.
  if (is_worker_process()) return worker_main();
  CLI::App app{"samovar: run the Python concurrency guide's examples for real, and measure them"};
  app.require_subcommand(1);

  bool list_json = false;
  auto* list = app.add_subcommand("list", "List the scenarios, their models and params");
  list->add_flag("--json", list_json, "Print the catalog as JSON (what the page reads)");

  cli::RunArgs run_args;
  auto* run =
      app.add_subcommand("run", "Run one scenario and print what it printed, then a summary");
  run->add_option("scenario", run_args.scenario,
                  "Scenario id (see `samovar list`); workload when --spec is given");
  run->add_option("--model", run_args.model, "sequential, asyncio, threading or multiprocessing");
  run->add_option("--set", run_args.sets, "A param, as name=value (repeatable)");
  run->add_option("--scale", run_args.scale,
                  "Multiplies every duration of the guide (default 0.1)");
  run->add_option("--seed", run_args.seed, "Seed for anything random (default 1)");
  run->add_option("--deadline", run_args.deadline_s,
                  "Seconds before the run is stopped (default 60)");
  run->add_option("--repeat", run_args.repeat,
                  "Runs of the request: wall time and metrics are their medians (default 1)");
  run->add_flag("--json", run_args.json, "Print the report as JSON");
  run->add_option("--trace", run_args.trace_file,
                  "Write the trace as Chrome Trace Event JSON (Perfetto opens it)");
  run->add_flag("--no-spans", run_args.trace_off, "Record no spans (request field trace: off)");
  run->add_option("--spec", run_args.spec_file,
                  "A workload spec (JSON file) to run: the request's spec field");
  run->add_option("--schedule", run_args.schedule,
                  "os (real threads at once) or explore (one at a time, chosen by --seed)");
  run->add_option("--strategy", run_args.strategy, "With --schedule explore: random or pct");
  run->add_option("--depth", run_args.depth, "With --strategy pct: the bug depth d, 1..10");
  run->add_option("--steps", run_args.steps,
                  "With --strategy pct: the steps its change points are drawn over");

  cli::ExploreArgs explore_args;
  auto* explore = app.add_subcommand(
      "explore", "Run a threading scenario on many explored schedules and report what went wrong");
  auto& e = explore_args.run;
  explore->add_option("scenario", e.scenario, "race, deadlock, producer-consumer or workload");
  explore->add_option("--spec", e.spec_file,
                      "A workload spec (JSON file) whose threads to explore");
  explore->add_option("--model", e.model, "threading (the only model explored)");
  explore->add_option("--set", e.sets, "A param, as name=value (repeatable)");
  explore->add_option("--scale", e.scale, "Multiplies every duration of the guide (default 0.1)");
  explore->add_option("--seed", e.seed, "The first schedule's seed; the next get seed+1, ...");
  explore->add_option("--deadline", e.deadline_s, "Seconds before one run is stopped (default 60)");
  explore->add_option("--strategy", e.strategy, "random (a random walk, the default) or pct");
  explore->add_option("--depth", e.depth, "pct: the bug depth d, 1..10 (default 2)");
  explore->add_option("--steps", e.steps,
                      "pct: the steps its change points are drawn over (default: measured)");
  explore->add_flag("--json", e.json, "Print the summary as JSON");
  explore->add_option("--runs", explore_args.runs, "Schedules to run (default 100)")
      ->check(CLI::Range(1, 1'000'000));

  cli::ServeArgs serve_args;
  serve_args.root = SAMOVAR_DEFAULT_ROOT;
  serve_args.results = SAMOVAR_DEFAULT_RESULTS;
  auto* serve = app.add_subcommand(
      "serve", "Serve the page (cross-origin isolated), native results, /delay and /api/run");
  serve->add_option("--host", serve_args.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", serve_args.port, "Port (0: any free port)")->capture_default_str();
  serve->add_option("--root", serve_args.root, "The built page's folder")->capture_default_str();
  serve
      ->add_option("--results", serve_args.results,
                   "Recorded native results (samovar bench writes them)")
      ->capture_default_str();
  serve->add_flag("--allow-any-url", serve_args.allow_any_url,
                  "Let /api/run fetch any params.url (http-get); by default only this "
                  "server's own /delay/<s>, so that a page cannot use it to reach others");

  cli::BenchArgs bench_args;
  bench_args.out = SAMOVAR_DEFAULT_RESULTS;
  bench_args.python_dir = SAMOVAR_PYTHON_PROGRAMS;
  auto* bench = app.add_subcommand(
      "bench", "Run the catalog natively and in CPython, and record the results the page compares");
  bench->add_flag("--quick", bench_args.quick, "The short set (a few seconds)");
  bench->add_option("--out", bench_args.out, "Where to write the results JSON")
      ->capture_default_str();
  bench->add_option("--python", bench_args.python,
                    "The CPython to run bench/python's programs with (default: python3 on PATH)");
  bench->add_option("--python-programs", bench_args.python_dir, "Where those programs are")
      ->capture_default_str();
  bench
      ->add_option("--repeat", bench_args.repeat,
                   "Runs of each request, natively and in CPython (default 1 with --quick, else 3)")
      ->check(CLI::Range(1, 20));
  bench->add_option("--markdown", bench_args.markdown,
                    "Also write the results as Markdown (docs/PERFORMANCE.md)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // bad input, as the contract says
  }
  try {
    if (*list) return cli::list(list_json);
    if (*run) return cli::run(run_args);
    if (*explore) return cli::explore(explore_args);
    if (*serve) return cli::serve(serve_args);
    if (*bench) {
      if (bench_args.repeat == 0) bench_args.repeat = bench_args.quick ? 1 : 3;
      return cli::bench(bench_args);
    }
  } catch (const std::exception& e) {
    std::cerr << "samovar: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
