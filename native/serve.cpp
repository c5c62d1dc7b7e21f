#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "engine/samovar.hpp"
#include "native/commands.hpp"

namespace samovar::cli {

namespace fs = std::filesystem;
using net::HttpRequest;
using net::HttpResponse;

namespace {

constexpr int kMaxRunsAtOnce = 2;

const char* mime_type(const fs::path& path) {
  static const std::pair<const char*, const char*> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"}};
  const std::string ext = path.extension().string();
  for (const auto& [e, type] : types)
    if (ext == e) return type;
  return "application/octet-stream";
}

HttpResponse text(int status, const std::string& body) {
  return {status, {{"Content-Type", "text/plain; charset=utf-8"}}, body + "\n"};
}

HttpResponse json_response(int status, const nlohmann::json& body) {
  return {
      status, {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}}, body.dump()};
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

// Percent-decodes a URL path; nullopt for a bad escape or a NUL byte.
std::optional<std::string> decode_path(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    int v = 0;
    if (i + 2 >= raw.size() ||
        std::from_chars(raw.data() + i + 1, raw.data() + i + 3, v, 16).ec != std::errc())
      return std::nullopt;
    if (v == 0) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

class Routes {
 public:
  explicit Routes(const ServeArgs& args)
      : root_(fs::weakly_canonical(args.root)), results_(args.results) {}

  asyncio::Task<HttpResponse> operator()(const HttpRequest& request) {
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (path.rfind("/delay/", 0) == 0)
      co_return co_await net::delay_response(std::string(path.substr(7)));
    if (path == "/api/run") co_return co_await api_run(request);
    if (request.method != "GET" && request.method != "HEAD")
      co_return text(405, "only GET and HEAD here");
    if (path == "/results/native.json") co_return results();
    co_return file(path);
  }

 private:
  asyncio::Task<HttpResponse> api_run(const HttpRequest& request) {
    if (request.method != "POST") co_return text(405, "POST a request JSON to /api/run");
    if (runs_ >= kMaxRunsAtOnce)
      co_return text(503, "busy: " + std::to_string(kMaxRunsAtOnce) + " runs already in progress");
    ++runs_;
    // A run blocks its thread for its whole length: it goes to the pool, and the loop goes on
    // serving; the loop's thread resumes this task with the report.
    const nlohmann::json report =
        co_await asyncio::run_in_executor(*runs_pool_, [&] { return run_json_text(request.body); });
    --runs_;
    co_return json_response(exit_code(report) == 2 ? 400 : 200, report);
  }

  HttpResponse results() const {
    auto body = read_file(results_);
    if (!body)
      return json_response(404, {{"error", "no native results recorded yet: run `samovar bench`"}});
    return {200,
            {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}},
            std::move(*body)};
  }

  HttpResponse file(std::string_view raw_path) const {
    const auto decoded = decode_path(raw_path);
    if (!decoded || decoded->empty() || decoded->front() != '/') return text(400, "bad path");
    const fs::path relative = fs::path(*decoded).relative_path();
    for (const auto& part : relative)
      if (part == "..") return text(403, "paths may not leave the page's folder");
    fs::path resolved = fs::weakly_canonical(root_ / relative);
    if (fs::is_directory(resolved)) resolved /= "index.html";
    const auto [root_end, ignored] =
        std::mismatch(root_.begin(), root_.end(), resolved.begin(), resolved.end());
    if (root_end != root_.end()) return text(403, "paths may not leave the page's folder");
    if (!fs::is_regular_file(resolved)) return text(404, "not found: " + *decoded);
    auto body = read_file(resolved);
    if (!body) return text(404, "not found: " + *decoded);
    return {200,
            {{"Content-Type", mime_type(resolved)}, {"Cache-Control", "no-cache"}},
            std::move(*body)};
  }

  fs::path root_;
  fs::path results_;
  int runs_ = 0;
  // Shared: the server holds its handler by copy.
  std::shared_ptr<concurrent::ThreadPoolExecutor> runs_pool_ =
      std::make_shared<concurrent::ThreadPoolExecutor>(kMaxRunsAtOnce);
};

}  // namespace

int serve(const ServeArgs& args) {
  if (!fs::is_directory(args.root))
    std::cerr << "samovar serve: warning: page folder " << args.root
              << " does not exist (build the wasm preset)\n";
  net::ServerOptions options;
  options.host = args.host;
  options.port = args.port;
  // Cross-origin isolation, so the page gets SharedArrayBuffer and so pthreads.
  options.common_headers = {{"Cross-Origin-Opener-Policy", "same-origin"},
                            {"Cross-Origin-Embedder-Policy", "require-corp"},
                            {"Cross-Origin-Resource-Policy", "same-origin"}};
  trace::Recorder recorder(trace::Level::off, {0, 0}, platform::now());
  asyncio::EventLoop loop(recorder);
  net::HttpServer server(options, Routes(args));
  std::cout << "serving http://" << args.host << ":" << server.port() << "/" << std::endl;
  loop.run_until_complete(server.serve());
  return 0;
}

}  // namespace samovar::cli
