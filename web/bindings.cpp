// The WASM module's surface: the page and the node runner call these, and get lines and
// reports back as JSON text. Runs happen on one runner pthread, never on the caller's
// thread (the browser's main thread must not block); results reach JS on the main thread.
#include <emscripten/em_asm.h>
#include <emscripten/emscripten.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
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
  void start(int job, std::string request) {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    jobs_.push_back({job, std::move(request)});
    ready_.notify_one();
  }

 private:
  struct Job {
    int id;
    std::string request;
  };

  [[noreturn]] void loop() {
    for (;;) {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return !jobs_.empty(); });
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      samovar::RunOptions options;
      options.on_line = [id = job.id](const samovar::trace::Line& line, const std::string& who) {
        post("samovarLine", id, samovar::to_json(line, who).dump());
      };
      post("samovarDone", job.id, samovar::run_json_text(job.request, options).dump());
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  std::thread thread_;  // lives as long as the module
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
