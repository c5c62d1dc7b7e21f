#include <string>

#include "engine/contract/format.hpp"
#include "engine/scenarios/catalog.hpp"
#include "engine/scenarios/context.hpp"
#include "engine/workload/run.hpp"

namespace samovar::scenarios {

namespace {

workload::Model model_of(const std::string& model, bool gil) {
  if (model == "sequential") return workload::Model::sequential;
  if (model == "threading")
    return gil ? workload::Model::threading : workload::Model::threading_free;
  if (model == "multiprocessing") return workload::Model::multiprocessing;
  return workload::Model::asyncio;
}

void run(Context& ctx) {
  const workload::Spec spec = workload::parse(ctx.spec());
  const auto model = model_of(ctx.model(), ctx.flag("gil"));
  workload::Env env{ctx.recorder(), ctx.stop(), ctx.threading_options(), ctx.scale(), "", true};
  const workload::Outcome out = workload::run(spec, model, env);

  auto& r = ctx.recorder();
  ctx.metric("tasks", static_cast<double>(spec.tasks.size()));
  ctx.metric("model_wall_s", out.wall_s);
  ctx.metric("primes", static_cast<double>(out.primes));
  ctx.metric("files_mismatched", static_cast<double>(out.files_mismatched));
  ctx.metric("http_failed", static_cast<double>(out.http_failed));
  // How many steps of a kind were under way at once: the model's concurrency, as it happened.
  for (const auto kind : {workload::Kind::sleep, workload::Kind::block, workload::Kind::cpu,
                          workload::Kind::http, workload::Kind::file}) {
    const std::string name = std::string("workload ") + workload::to_string(kind);
    ctx.metric(std::string("peak_") + workload::to_string(kind),
               static_cast<double>(r.peak_overlap(name)));
  }
  bool exact = true;
  long long lost = 0;
  for (const auto& [name, value] : out.counters) {
    const long long made = out.increments.count(name) ? out.increments.at(name) : 0;
    lost += made - value;
    ctx.metric("counter/" + name, static_cast<double>(value));
    ctx.metric("increments/" + name, static_cast<double>(made));
    ctx.print(name + ": " + std::to_string(value) + " (" + std::to_string(made) + " increments)",
              value == made);
    exact = exact && value == made;
  }
  if (!out.counters.empty()) ctx.metric("lost", static_cast<double>(lost));
  // Exact is what to expect unless an unlocked increment runs beside others on threads or in
  // processes, where updates may be lost (as in the race scenario).
  bool racy = false;
  for (const auto& task : spec.tasks)
    for (const auto& step : task.steps)
      racy = racy || (step.kind == workload::Kind::incr && !step.locked);
  const bool preemptive = ctx.model() == "threading" || ctx.model() == "multiprocessing";
  if (!out.counters.empty()) ctx.check("counters_exact", exact, !(racy && preemptive));
  ctx.check("io_ok", out.files_mismatched == 0 && out.http_failed == 0, true);
  if (model == workload::Model::threading)
    ctx.check("one_gil_holder_at_a_time", r.peak_overlap("GIL held") <= 1, true);
  ctx.print(std::string("Ran ") + std::to_string(spec.tasks.size()) + " tasks (" +
                workload::to_string(model) + ") in " + contract::fixed(out.wall_s, 3) + " s",
            false);
}

}  // namespace

Scenario workload() {
  Scenario s{
      {"workload",
       "A workload you write",
       "8.1",
       "Runs the request's `spec` (JSON: tasks made of sleep, block, cpu, http, file, "
       "lock/unlock, incr and print steps) under the model asked for: sequential, "
       "asyncio (block and cpu hold the loop), threading (GIL on or off) or "
       "multiprocessing (counters are each process's own unless shared).",
       {"asyncio", "sequential", "threading", "multiprocessing"},
       {param::flag("gil", true, "model CPython's GIL (threading)").only_with({"threading"})},
       {},
       nullptr,
       {},
       {"threading"}},
      run};
  s.spec.spec_rule = [](const nlohmann::json& spec) { workload::parse(spec); };
  return s;
}

}  // namespace samovar::scenarios
