#include "engine/contract/json_input.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/contract/bad_request.hpp"
#include "engine/contract/limits.hpp"

namespace samovar::contract {

using nlohmann::json;

namespace {

// The path of the value being read, as a request's fields are named: params.delay, tasks[3].
class Path {
 public:
  void enter(bool array) { frames_.push_back({array, 0, {}}); }
  void leave() {
    frames_.pop_back();
    done_value();
  }
  void key(const std::string& name) { frames_.back().key = name; }
  // A value ended: in an array the next one has the next index.
  void done_value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::size_t depth() const { return frames_.size(); }
  std::string str() const {
    std::string s;
    for (const auto& f : frames_) {
      if (f.array)
        s += "[" + std::to_string(f.index) + "]";
      else if (!f.key.empty())
        s += (s.empty() ? "" : ".") + f.key;
    }
    return s.empty() ? "request" : s;
  }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;
  };
  std::vector<Frame> frames_;
};

// A first pass that reads the text without building it, so the faults above are found with
// their path before nlohmann's own parse could throw without one.
class Screen : public nlohmann::json_sax<json> {
 public:
  std::optional<BadRequest> fault;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return enter(false); }
  bool start_array(std::size_t) override { return enter(true); }
  bool key(string_t& name) override {
    path_.key(valid_utf8(name));
    return true;
  }
  bool end_object() override { return leave(); }
  bool end_array() override { return leave(); }
  bool parse_error(std::size_t, const std::string& token, const json::exception& e) override {
    if (e.id == 406)  // out_of_range.406: a number overflows a double
      fault.emplace(path_.str(), message::number_overflow(valid_utf8(token)));
    else
      fault.emplace("request", message::not_json(valid_utf8(e.what())));
    return false;
  }

 private:
  bool value() {
    path_.done_value();
    return true;
  }
  bool enter(bool array) {
    path_.enter(array);
    if (path_.depth() <= limits::kMaxDepth) return true;
    fault.emplace(path_.str(), message::too_deep(limits::kMaxDepth));
    return false;
  }
  bool leave() {
    path_.leave();
    return true;
  }
  Path path_;
};

bool is_utf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

void check(const json& v, const std::string& path, std::size_t depth) {
  const std::string here = path.empty() ? "request" : path;
  if (v.is_string() && !is_utf8(v.get_ref<const std::string&>()))
    throw BadRequest(here, message::not_utf8());
  if (!v.is_structured()) return;
  if (depth + 1 > limits::kMaxDepth) throw BadRequest(here, message::too_deep(limits::kMaxDepth));
  std::size_t index = 0;
  for (const auto& [key, child] : v.items()) {
    const std::string at = v.is_array() ? here + "[" + std::to_string(index++) + "]"
                                        : (path.empty() ? "" : path + ".") + valid_utf8(key);
    if (v.is_object() && !is_utf8(key)) throw BadRequest(at, message::not_utf8());
    check(child, at, depth + 1);
  }
}

}  // namespace

json parse_json_text(const std::string& text) {
  if (text.size() > limits::kMaxRequestBytes)
    throw BadRequest("request", message::too_large(text.size(), limits::kMaxRequestBytes));
  Screen screen;
  if (!json::sax_parse(text, &screen) && screen.fault) throw *screen.fault;
  if (screen.fault) throw *screen.fault;
  return json::parse(text);  // cannot throw now: the screen read all of it
}

void check_json_value(const json& value) {
  check(value, "", 0);
}

std::string valid_utf8(std::string_view text) {
  // nlohmann's dump replaces what is not UTF-8 with U+FFFD; its parse gives the text back.
  return json::parse(json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace))
      .get<std::string>();
}

}  // namespace samovar::contract
