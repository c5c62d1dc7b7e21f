// The WASM module's surface: the page and the node runner call these, and get lines and
// reports back as JSON text. Runs happen on one runner pthread, never on the caller's
// thread (the browser's main thread must not block); results reach JS on the main thread.
#include <emscripten/em_asm.h>
#include <emscripten/emscripten.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/samovar.hpp"

// EM_ASM names its arguments $0, $1.
#pragma clang diagnostic ignored "-Wdollar-in-identifier-extension"

namespace {

// JS frees it.
char* to_js(const std::string& s) {
  return strdup(s.c_str());
}

// Hands a malloc'd string to Module[callback](job, text) on the main thread, which frees it.
void post(const char* callback, int job, const std::string& text) {
  MAIN_THREAD_ASYNC_EM_ASM(
      {
        const text = UTF8ToString($2);
        _free($2);
        Module[UTF8ToString($0)]($1, text);
      },
      callback, job, to_js(text));
}

class Runner {
 public:
  // `runs` 0: one run of the request; else an exploration of that many schedules.
  void start(int job, std::string request, int runs = 0) {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    cancels_[job] = cancel;
    jobs_.push_back({job, std::move(request), std::move(cancel), runs});
    ready_.notify_one();
  }

  // A queued job still runs, already cancelled: it ends at once with its "cancelled" report, so
  // every started job gets its samovarDone. An unknown or finished job: nothing to do.
  void cancel(int job) {
    std::lock_guard lock(mutex_);
    if (const auto found = cancels_.find(job); found != cancels_.end()) found->second->store(true);
  }

 private:
  struct Job {
    int id;
    std::string request;
    std::shared_ptr<std::atomic<bool>> cancel;
    int runs = 0;
  };

  static std::string explore(const Job& job) {
    samovar::ExploreOptions options;
    options.runs = job.runs;
    options.cancel = job.cancel;
    // A message a schedule would flood the main thread with: about 100 in all.
    const int every = job.runs > 100 ? job.runs / 100 : 1;
    options.on_progress = [id = job.id, every](int done, int runs, int wrong) {
      if (done % every == 0 || done == runs)
        post("samovarExploreProgress", id,
             nlohmann::json{{"done", done}, {"runs", runs}, {"wrong", wrong}}.dump());
    };
    nlohmann::json request;
    try {
      request = nlohmann::json::parse(job.request);
    } catch (const nlohmann::json::exception&) {
      return samovar::contract::bad_request_json("request", "not JSON").dump();
    }
    return samovar::explore_json(request, options).dump();
  }

  [[noreturn]] void loop() {
    for (;;) {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return !jobs_.empty(); });
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      samovar::RunOptions options;
      options.cancel = job.cancel;
      options.on_line = [id = job.id](const samovar::trace::Line& line, const std::string& who) {
        post("samovarLine", id, samovar::to_json(line, who).dump());
      };
      const std::string report =
          job.runs > 0 ? explore(job) : samovar::run_json_text(job.request, options).dump();
      lock.lock();
      cancels_.erase(job.id);
      lock.unlock();
      post("samovarDone", job.id, report);
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  std::map<int, std::shared_ptr<std::atomic<bool>>> cancels_;  // queued and running jobs
  std::thread thread_;                                         // lives as long as the module
};

Runner& runner() {
  static Runner* r = new Runner;  // never destroyed: its thread serves the page's lifetime
  return *r;
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE char* samovar_catalog_json() {
  return to_js(samovar::catalog_json().dump());
}
EMSCRIPTEN_KEEPALIVE char* samovar_catalog_text() {
  return to_js(samovar::catalog_text());
}

// Starts a run; Module.samovarLine(job, lineJson) and then Module.samovarDone(job, reportJson)
// are called on the main thread.
EMSCRIPTEN_KEEPALIVE void samovar_start(int job, const char* request_json) {
  runner().start(job, request_json);
}

// Starts an exploration of `runs` schedules of a request (samovar explore):
// Module.samovarExploreProgress(job, {"done", "runs", "wrong"}) as it goes, then
// Module.samovarDone(job, summaryJson) on the main thread. samovar_cancel stops it.
EMSCRIPTEN_KEEPALIVE void samovar_explore_start(int job, const char* request_json, int runs) {
  runner().start(job, request_json, runs);
}

EMSCRIPTEN_KEEPALIVE char* samovar_explore_text(const char* summary_json) {
  return to_js(samovar::explore_text(nlohmann::json::parse(summary_json)));
}

// Stops a started job, queued or running: it ends at its next wait or checkpoint, and its
// samovarDone report has error code "cancelled".
EMSCRIPTEN_KEEPALIVE void samovar_cancel(int job) {
  runner().cancel(job);
}

EMSCRIPTEN_KEEPALIVE char* samovar_render_text(const char* report_json) {
  return to_js(samovar::render_text(nlohmann::json::parse(report_json)));
}

EMSCRIPTEN_KEEPALIVE char* samovar_chrome_trace(const char* report_json) {
  return to_js(samovar::chrome_trace(nlohmann::json::parse(report_json)).dump());
}

EMSCRIPTEN_KEEPALIVE int samovar_exit_code(const char* report_json) {
  return samovar::exit_code(nlohmann::json::parse(report_json));
}
}
