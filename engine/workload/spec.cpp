#include "engine/workload/spec.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/contract/bad_request.hpp"
#include "engine/contract/request.hpp"
#include "engine/net/http_client.hpp"

namespace samovar::workload {

using contract::BadRequest;
using nlohmann::json;
namespace message = contract::message;

const char* to_string(Kind kind) noexcept {
  switch (kind) {
    case Kind::sleep:
      return "sleep";
    case Kind::block:
      return "block";
    case Kind::cpu:
      return "cpu";
    case Kind::http:
      return "http";
    case Kind::file:
      return "file";
    case Kind::lock:
      return "lock";
    case Kind::unlock:
      return "unlock";
    case Kind::incr:
      return "incr";
    case Kind::print:
      return "print";
  }
  return "print";
}

namespace {

constexpr Kind kKinds[] = {Kind::sleep, Kind::block,  Kind::cpu,  Kind::http, Kind::file,
                           Kind::lock,  Kind::unlock, Kind::incr, Kind::print};

void only(const std::string& path, const json& object, const std::vector<std::string>& fields) {
  if (!object.is_object())
    throw BadRequest(path, message::wrong_type("an object", contract::describe(object)));
  for (const auto& [key, value] : object.items())
    if (std::find(fields.begin(), fields.end(), key) == fields.end())
      throw BadRequest(path + "." + key, message::unknown_field(message::list(fields)));
}

const json* field(const json& object, const std::string& path, const std::string& name,
                  bool required) {
  if (object.contains(name)) return &object[name];
  if (required) throw BadRequest(path + "." + name, message::missing());
  return nullptr;
}

double number(const json& v, const std::string& path, double min, double max, bool integer) {
  const bool whole = v.is_number_integer() ||
                     (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()));
  if (!v.is_number() || (integer && !whole))
    throw BadRequest(path,
                     message::wrong_type(message::range(integer, min, max), contract::describe(v)));
  const double d = v.get<double>();
  if (!(d >= min && d <= max))
    throw BadRequest(path, message::out_of_range(v.dump(), message::range(integer, min, max)));
  return d;
}

std::string text(const json& v, const std::string& path, bool allow_empty) {
  if (!v.is_string() || (!allow_empty && v.get<std::string>().empty()))
    throw BadRequest(path, message::wrong_type("a non-empty string", contract::describe(v)));
  const auto s = v.get<std::string>();
  if (s.size() > limits::kMaxText)
    throw BadRequest(path, message::too_long(s.size(), limits::kMaxText));
  for (std::size_t i = 0; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) < 0x20 || s[i] == 0x7f)
      throw BadRequest(path, message::control_character(i));
  return s;
}

std::string name_in(const json& v, const std::string& path, const std::vector<std::string>& names,
                    const char* what) {
  const std::string s = text(v, path, false);
  if (std::find(names.begin(), names.end(), s) == names.end())
    throw BadRequest(path, message::not_one_of(
                               v.dump(), names.empty() ? std::string("(no ") + what + " declared)"
                                                       : message::list(names)));
  return s;
}

template <class F>
void each(const json& v, const std::string& path, std::size_t max, F f) {
  if (!v.is_array()) throw BadRequest(path, message::wrong_type("an array", contract::describe(v)));
  if (v.size() > max)
    throw BadRequest(path, std::to_string(v.size()) + " items is too many; allowed: at most " +
                               std::to_string(max));
  for (std::size_t i = 0; i < v.size(); ++i) f(v[i], path + "[" + std::to_string(i) + "]");
}

Step step(const json& j, const std::string& path, const std::vector<std::string>& counters,
          const std::vector<std::string>& locks, std::set<std::string>& held) {
  if (!j.is_object())
    throw BadRequest(path, message::wrong_type("an object", contract::describe(j)));
  std::vector<std::string> kinds;
  for (Kind k : kKinds) kinds.push_back(to_string(k));
  const json* kind = field(j, path, "step", true);
  Step s;
  const std::string name = kind->is_string() ? kind->get<std::string>() : "";
  const auto found = std::find(kinds.begin(), kinds.end(), name);
  if (found == kinds.end())
    throw BadRequest(path + ".step", message::not_one_of(kind->dump(), message::list(kinds)));
  s.kind = kKinds[found - kinds.begin()];
  const auto seconds = [&](bool required, double fallback) {
    const json* v = field(j, path, "seconds", required);
    return v ? number(*v, path + ".seconds", 0, limits::kMaxSeconds, false) : fallback;
  };
  switch (s.kind) {
    case Kind::sleep:
    case Kind::block:
      only(path, j, {"step", "seconds"});
      s.seconds = seconds(true, 0);
      break;
    case Kind::cpu:
      only(path, j, {"step", "units"});
      s.units = static_cast<long long>(
          number(*field(j, path, "units", true), path + ".units", 1, limits::kMaxUnits, true));
      break;
    case Kind::http:
      only(path, j, {"step", "seconds", "url"});
      s.seconds = seconds(false, 2);
      if (const json* v = field(j, path, "url", false)) {
        s.url = text(*v, path + ".url", true);
        if (!s.url.empty()) try {  // by the client's own parser, as http-get's url param is
            net::parse_url(s.url);
          } catch (const net::ClientError& e) {
            throw BadRequest(path + ".url", e.what());
          }
      }
      break;
    case Kind::file:
      only(path, j, {"step", "bytes"});
      s.bytes = 1 << 20;
      if (const json* v = field(j, path, "bytes", false))
        s.bytes = static_cast<long long>(number(*v, path + ".bytes", 1, limits::kMaxBytes, true));
      break;
    case Kind::lock:
    case Kind::unlock: {
      only(path, j, {"step", "name"});
      s.name = name_in(*field(j, path, "name", true), path + ".name", locks, "locks");
      const bool taking = s.kind == Kind::lock;
      if (taking ? !held.insert(s.name).second : held.erase(s.name) == 0)
        throw BadRequest(path, taking ? "takes lock \"" + s.name + "\" it already holds"
                                      : "releases lock \"" + s.name + "\" it does not hold");
      break;
    }
    case Kind::incr:
      only(path, j, {"step", "counter", "times", "locked"});
      s.name = name_in(*field(j, path, "counter", true), path + ".counter", counters, "counters");
      if (const json* v = field(j, path, "times", false))
        s.times = static_cast<long long>(number(*v, path + ".times", 1, limits::kMaxTimes, true));
      if (const json* v = field(j, path, "locked", false)) {
        if (!v->is_boolean())
          throw BadRequest(path + ".locked",
                           message::wrong_type("true or false", contract::describe(*v)));
        s.locked = v->get<bool>();
      }
      break;
    case Kind::print:
      only(path, j, {"step", "text"});
      s.text = text(*field(j, path, "text", true), path + ".text", true);
      break;
  }
  return s;
}

}  // namespace

Spec parse(const json& j, const std::string& root) {
  only(root, j, {"version", "tasks", "counters", "locks"});
  const json* version = field(j, root, "version", true);
  if (!version->is_number_integer() || version->get<long long>() != kSpecVersion)
    throw BadRequest(root + ".version",
                     message::unsupported_version(version->dump(), kSpecVersion));
  Spec spec;
  std::vector<std::string> counters, locks;
  if (const json* v = field(j, root, "counters", false))
    each(*v, root + ".counters", limits::kMaxNames, [&](const json& c, const std::string& path) {
      only(path, c, {"name", "shared"});
      Counter counter;
      counter.name = text(*field(c, path, "name", true), path + ".name", false);
      if (const json* shared = field(c, path, "shared", false)) {
        if (!shared->is_boolean())
          throw BadRequest(path + ".shared",
                           message::wrong_type("true or false", contract::describe(*shared)));
        counter.shared = shared->get<bool>();
      }
      if (std::find(counters.begin(), counters.end(), counter.name) != counters.end())
        throw BadRequest(path + ".name", "\"" + counter.name + "\" is declared twice");
      counters.push_back(counter.name);
      spec.counters.push_back(counter);
    });
  if (const json* v = field(j, root, "locks", false))
    each(*v, root + ".locks", limits::kMaxNames, [&](const json& l, const std::string& path) {
      const std::string name = text(l, path, false);
      if (std::find(locks.begin(), locks.end(), name) != locks.end())
        throw BadRequest(path, "\"" + name + "\" is declared twice");
      locks.push_back(name);
    });
  spec.locks = locks;
  const json* tasks = field(j, root, "tasks", true);
  each(*tasks, root + ".tasks", limits::kMaxTasks, [&](const json& t, const std::string& path) {
    only(path, t, {"name", "steps"});
    Task task;
    task.name = "task " + std::to_string(spec.tasks.size() + 1);
    if (const json* name = field(t, path, "name", false))
      task.name = text(*name, path + ".name", false);
    std::set<std::string> held;
    each(*field(t, path, "steps", true), path + ".steps", limits::kMaxSteps,
         [&](const json& s, const std::string& at) {
           task.steps.push_back(step(s, at, counters, locks, held));
         });
    if (!held.empty())
      throw BadRequest(path + ".steps", "ends holding lock \"" + *held.begin() +
                                            "\"; allowed: every lock released by the task's end");
    spec.tasks.push_back(std::move(task));
  });
  if (spec.tasks.empty())
    throw BadRequest(root + ".tasks",
                     "is empty; allowed: 1.." + std::to_string(limits::kMaxTasks) + " tasks");
  return spec;
}

json to_json(const Spec& spec) {
  json tasks = json::array();
  for (const auto& task : spec.tasks) {
    json steps = json::array();
    for (const auto& s : task.steps) {
      json j{{"step", to_string(s.kind)}};
      switch (s.kind) {
        case Kind::sleep:
        case Kind::block:
          j["seconds"] = s.seconds;
          break;
        case Kind::cpu:
          j["units"] = s.units;
          break;
        case Kind::http:
          j["seconds"] = s.seconds;
          if (!s.url.empty()) j["url"] = s.url;
          break;
        case Kind::file:
          j["bytes"] = s.bytes;
          break;
        case Kind::lock:
        case Kind::unlock:
          j["name"] = s.name;
          break;
        case Kind::incr:
          j["counter"] = s.name;
          j["times"] = s.times;
          j["locked"] = s.locked;
          break;
        case Kind::print:
          j["text"] = s.text;
          break;
      }
      steps.push_back(j);
    }
    tasks.push_back({{"name", task.name}, {"steps", steps}});
  }
  json counters = json::array();
  for (const auto& c : spec.counters) counters.push_back({{"name", c.name}, {"shared", c.shared}});
  return {
      {"version", kSpecVersion}, {"tasks", tasks}, {"counters", counters}, {"locks", spec.locks}};
}

}  // namespace samovar::workload
