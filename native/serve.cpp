#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <sys/resource.h>
#include <sys/stat.h>

#include "engine/samovar.hpp"
#include "native/commands.hpp"

namespace samovar::cli {

namespace fs = std::filesystem;
namespace limits = contract::limits;
namespace message = contract::message;
using net::Headers;
using net::HttpRequest;
using net::HttpResponse;

namespace {

// The page's policy: its own scripts, the WASM module compiled from them (pthreads start
// Workers from its own files, or blobs), Observable Plot's inline <style>, a data: icon.
std::string content_security_policy(bool any_url) {
  return std::string(
             "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
             "worker-src 'self' blob:; child-src 'self' blob:; ") +
         (any_url ? "connect-src 'self' http: https:; " : "connect-src 'self'; ") +
         "img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

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
      // The Code panel's sources, read as text by the page.
      {".py", "text/plain; charset=utf-8"},
      {".cpp", "text/plain; charset=utf-8"},
      {".hpp", "text/plain; charset=utf-8"},
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

// The first value of request header `name` (lower case), if sent.
std::optional<std::string_view> header(const HttpRequest& request, std::string_view name) {
  const auto values = net::values_of(request.headers, name);
  if (values.empty()) return std::nullopt;
  return values.front();
}

// What a browser keeps to ask "changed since?" on a reload, so that an unchanged 1 MB module
// is answered 304 with no body: an ETag from the bytes themselves (a file rewritten within one
// tick of the file clock keeps its time and size), and the file's Last-Modified.
struct Validators {
  std::string etag;
  std::string last_modified;
  std::time_t modified = 0;
};

constexpr const char* kHttpDate = "%a, %d %b %Y %H:%M:%S GMT";

// FNV-1a: a fingerprint, not a defence; a MB takes about a millisecond.
std::uint64_t fingerprint(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

Validators validators_of(const fs::path& path, std::string_view body) {
  char etag[48];
  std::snprintf(etag, sizeof etag, "\"%zx-%016llx\"", body.size(),
                static_cast<unsigned long long>(fingerprint(body)));
  Validators v{etag, "", 0};
  struct stat st {};
  std::tm tm{};
  char date[64];
  if (::stat(path.c_str(), &st) == 0 && gmtime_r(&st.st_mtime, &tm) &&
      std::strftime(date, sizeof date, kHttpDate, &tm) > 0) {
    v.last_modified = date;
    v.modified = st.st_mtime;
  }
  return v;
}

// If-None-Match (weak comparison, as for a GET) decides when sent; else If-Modified-Since.
bool not_modified(const HttpRequest& request, const Validators& v) {
  if (const auto tags = header(request, "if-none-match")) {
    std::string_view rest = *tags;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      std::string_view tag = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
      while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
      if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
      if (tag == "*" || tag == v.etag) return true;
    }
    return false;
  }
  if (const auto since = header(request, "if-modified-since")) {
    const std::string text(*since);
    std::tm tm{};
    const char* end = strptime(text.c_str(), kHttpDate, &tm);
    return !v.last_modified.empty() && end != nullptr && *end == '\0' && v.modified <= timegm(&tm);
  }
  return false;
}

// A file's bytes with its validators, or a 304 when the client's copy is current; no-cache:
// a browser keeps it, but asks each time. Nullopt if it cannot be read.
std::optional<HttpResponse> file_response(const HttpRequest& request, const fs::path& path,
                                          const char* type) {
  auto body = read_file(path);
  if (!body) return std::nullopt;
  const auto v = validators_of(path, *body);
  Headers headers{{"Cache-Control", "no-cache"}, {"ETag", v.etag}};
  if (!v.last_modified.empty()) headers.emplace_back("Last-Modified", v.last_modified);
  if (not_modified(request, v)) return HttpResponse{304, std::move(headers), ""};
  headers.emplace_back("Content-Type", type);
  return HttpResponse{200, std::move(headers), std::move(*body)};
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

// How deep `text` nests arrays and objects, up to `limit` + 1 (strings skipped).
std::size_t nesting(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) break;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// What the server learns once it listens: the origins it answers to as its own.
struct Served {
  std::vector<std::string> own_origins;
};

// A served run past what `samovar serve` allows (limits.hpp): BadRequest naming the field.
void check_served(const Request& request, const nlohmann::json& raw, const Served& served,
                  bool any_url) {
  const auto over = [&](const char* field, double value, double min, double max, bool integer) {
    if (value <= max) return;
    const auto given = raw.contains(field) ? raw[field].dump() : std::to_string(value);
    throw BadRequest(field, message::out_of_range(given, message::range(integer, min, max)) +
                                " (the most `samovar serve` runs)");
  };
  over("deadline_s", request.deadline_s, limits::kMinDeadlineS, limits::kServeMaxDeadlineS, false);
  over("max_lines", static_cast<double>(request.max_lines), 0, limits::kServeMaxLines, true);
  over("max_spans", static_cast<double>(request.max_spans), 0, limits::kServeMaxSpans, true);
  if (any_url) return;
  const auto own = [&](const std::string& field, const nlohmann::json& url) {
    if (!url.is_string() || url.get<std::string>().empty()) return;
    const std::string text = url.get<std::string>();
    for (const auto& origin : served.own_origins)
      if (text.rfind(origin + "/delay/", 0) == 0) return;
    throw BadRequest(field, "only this server's own /delay/<s> is fetched (" +
                                served.own_origins.front() +
                                "/delay/2, or leave url out); start `samovar serve "
                                "--allow-any-url` to fetch others");
  };
  if (request.params.contains("url")) own("params.url", request.params["url"]);
  // A workload's http steps (the spec was checked with the request: its shape is known).
  if (request.spec.is_object())
    for (std::size_t t = 0; t < request.spec["tasks"].size(); ++t) {
      const auto& steps = request.spec["tasks"][t]["steps"];
      for (std::size_t i = 0; i < steps.size(); ++i)
        if (steps[i].contains("url"))
          own("spec.tasks[" + std::to_string(t) + "].steps[" + std::to_string(i) + "].url",
              steps[i]["url"]);
    }
}

class Routes {
 public:
  Routes(const ServeArgs& args, std::shared_ptr<const Served> served)
      : root_(canonical_root(args.root)),
        results_(args.results),
        any_url_(args.allow_any_url),
        served_(std::move(served)) {}

  asyncio::Task<HttpResponse> operator()(const HttpRequest& request) {
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, target.find('?'));
    if (path.rfind("/delay/", 0) == 0)
      co_return co_await net::delay_response(std::string(path.substr(7)));
    if (path == "/api/run") co_return co_await api_run(request);
    if (request.method != "GET" && request.method != "HEAD")
      co_return text(405, "only GET and HEAD here");
    if (path == "/results/native.json") co_return results(request);
    co_return file(request, path);
  }

 private:
  asyncio::Task<HttpResponse> api_run(const HttpRequest& request) {
    if (request.method != "POST") co_return text(405, "POST a request JSON to /api/run");
    if (*runs_ >= limits::kServeMaxRunsAtOnce) {
      HttpResponse busy = text(429, "busy: " + std::to_string(limits::kServeMaxRunsAtOnce) +
                                        " native run at a time, and one is in progress; try "
                                        "again when it ends");
      busy.headers.emplace_back("Retry-After", std::to_string(limits::kServeRetryAfterS));
      co_return busy;
    }
    // Checked here, on the loop's thread: nothing runs for a bad request.
    nlohmann::json report;
    std::optional<Request> checked;
    const auto raw = nesting(request.body, 64) > 64
                         ? nlohmann::json()
                         : nlohmann::json::parse(request.body, nullptr, false);
    if (!raw.is_object()) {
      report = run_json_text(request.body);  // not a JSON object: the engine says what is wrong
    } else {
      try {
        checked = parse_request(raw);
        check_served(*checked, raw, *served_, any_url_);
      } catch (const BadRequest& e) {
        report = contract::bad_request_json(e.field(), e.what());
        checked.reset();
      }
    }
    if (checked) {
      // A run blocks its thread for its whole length: it goes to the pool, and the loop goes
      // on serving; the loop's thread resumes this task with the report. The client hanging up
      // cancels the run.
      RunOptions options;
      options.cancel = request.peer_gone;
      struct Slot {
        std::shared_ptr<int> runs;
        ~Slot() { --*runs; }
      } slot{runs_};
      ++*runs_;
      report = co_await asyncio::run_in_executor(*runs_pool_, [run_request = *checked, options] {
        return to_json(run(run_request, options));
      });
      if (request.peer_gone->load())
        std::cerr << "samovar serve: client went away; its run was cancelled\n";
    }
    co_return json_response(exit_code(report) == 2 ? 400 : 200, report);
  }

  HttpResponse results(const HttpRequest& request) const {
    auto response = file_response(request, results_, "application/json");
    if (!response)
      return json_response(404, {{"error", "no native results recorded yet: run `samovar bench`"}});
    return std::move(*response);
  }

  static fs::path canonical_root(const fs::path& root) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(root, ec);
    return ec ? fs::absolute(root, ec) : canonical;
  }

  // Errors never echo the path (a 404 is no place for a page to inject text) nor name a file
  // on disk: the filesystem's exceptions carry absolute paths, so none is let out.
  HttpResponse file(const HttpRequest& request, std::string_view raw_path) const {
    const auto decoded = decode_path(raw_path);
    if (!decoded || decoded->empty() || decoded->front() != '/') return text(400, "bad path");
    const fs::path relative = fs::path(*decoded).relative_path();
    for (const auto& part : relative)
      if (part == "..") return text(403, "paths may not leave the page's folder");
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(root_ / relative, ec);
    if (ec) return text(404, "not found");  // a name too long, a loop of links, ...
    if (fs::is_directory(resolved, ec)) resolved /= "index.html";
    const auto [root_end, ignored] =
        std::mismatch(root_.begin(), root_.end(), resolved.begin(), resolved.end());
    if (root_end != root_.end()) return text(403, "paths may not leave the page's folder");
    if (!fs::is_regular_file(resolved, ec)) return text(404, "not found");
    auto response = file_response(request, resolved, mime_type(resolved));
    if (!response) return text(404, "not found");
    return std::move(*response);
  }

  fs::path root_;
  fs::path results_;
  bool any_url_;
  std::shared_ptr<const Served> served_;
  // Shared: the server holds its handler by copy.
  std::shared_ptr<int> runs_ = std::make_shared<int>(0);
  std::shared_ptr<concurrent::ThreadPoolExecutor> runs_pool_ =
      std::make_shared<concurrent::ThreadPoolExecutor>(limits::kServeMaxRunsAtOnce);
};

// Connections kept open below the fd limit, leaving room for runs (pipes, workers).
std::size_t max_connections() {
  rlimit fds{};
  if (getrlimit(RLIMIT_NOFILE, &fds) != 0 || fds.rlim_cur == RLIM_INFINITY)
    return limits::kServeMaxConnections;
  const auto soft = static_cast<std::size_t>(fds.rlim_cur);
  const std::size_t room =
      soft > 2 * limits::kServeSpareFds ? soft - limits::kServeSpareFds : soft / 2;
  return std::min(limits::kServeMaxConnections, room);
}

}  // namespace

int serve(const ServeArgs& args) {
  if (!fs::is_directory(args.root))
    std::cerr << "samovar serve: warning: page folder " << args.root
              << " does not exist (build the wasm preset)\n";
  net::ServerOptions options;
  options.host = args.host;
  options.port = args.port;
  // Cross-origin isolation, so the page gets SharedArrayBuffer and so pthreads.
  options.common_headers = {
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Embedder-Policy", "require-corp"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy", content_security_policy(args.allow_any_url)}};
  // Only requests for this server itself: /api/run is reachable from any page the browser opens.
  options.own_host_only = true;
  options.max_connections = max_connections();
  trace::Recorder recorder(trace::Level::off, {0, 0}, platform::now());
  asyncio::EventLoop loop(recorder);
  auto served = std::make_shared<Served>();
  net::HttpServer server(options, Routes(args, served));
  served->own_origins = server.own_origins();
  std::cout << "serving http://" << args.host << ":" << server.port() << "/" << std::endl;
  loop.run_until_complete(server.serve());
  return 0;
}

}  // namespace samovar::cli
