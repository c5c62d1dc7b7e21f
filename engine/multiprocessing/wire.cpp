#include "engine/multiprocessing/wire.hpp"

namespace samovar::multiprocessing::wire {

namespace detail {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_bytes(std::string& out, std::string_view bytes) {
  if (bytes.size() > UINT32_MAX) throw BadMessage("a message field is larger than 4 GiB");
  put_u32(out, static_cast<std::uint32_t>(bytes.size()));
  out.append(bytes);
}

std::string_view ValueReader::bytes(std::size_t n) {
  if (left() < n) throw BadMessage("a value is cut short");
  const std::string_view out = bytes_.substr(pos_, n);
  pos_ += n;
  return out;
}

std::uint8_t ValueReader::u8() {
  return static_cast<std::uint8_t>(bytes(1)[0]);
}

std::uint32_t ValueReader::u32() {
  const std::string_view b = bytes(4);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return v;
}

std::uint64_t ValueReader::u64() {
  const std::string_view b = bytes(8);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return v;
}

void ValueReader::end() const {
  if (left() != 0) throw BadMessage("a value has trailing bytes");
}

}  // namespace detail

namespace {

using detail::put_bytes;

constexpr char kMagic[] = {'S', 'M', 'P'};
enum class Kind : std::uint8_t { call = 1, outcome_ok = 2, outcome_error = 3 };

std::string header(Kind kind) {
  std::string out(kMagic, sizeof kMagic);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(kind));
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  Kind kind() {
    if (bytes_.size() < 5 || bytes_.substr(0, 3) != std::string_view(kMagic, 3))
      throw BadMessage("not a samovar process message");
    if (static_cast<std::uint8_t>(bytes_[3]) != kVersion)
      throw BadMessage("process message version " +
                       std::to_string(static_cast<std::uint8_t>(bytes_[3])) +
                       ", this build reads version " + std::to_string(kVersion));
    pos_ = 5;
    return static_cast<Kind>(bytes_[4]);
  }

  std::string bytes() {
    if (bytes_.size() - pos_ < 4) throw BadMessage("a process message is cut short");
    std::uint32_t n = 0;
    for (int i = 0; i < 4; ++i)
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += 4;
    if (bytes_.size() - pos_ < n) throw BadMessage("a process message is cut short");
    std::string out(bytes_.substr(pos_, n));
    pos_ += n;
    return out;
  }

  void end() const {
    if (pos_ != bytes_.size()) throw BadMessage("a process message has trailing bytes");
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode(const Call& call) {
  std::string out = header(Kind::call);
  put_bytes(out, call.function);
  put_bytes(out, call.argument);
  return out;
}

std::string encode(const Outcome& outcome) {
  std::string out = header(outcome.ok ? Kind::outcome_ok : Kind::outcome_error);
  put_bytes(out, outcome.value);
  if (!outcome.ok) put_bytes(out, outcome.error_type);
  return out;
}

Call decode_call(std::string_view bytes) {
  Reader r(bytes);
  if (r.kind() != Kind::call) throw BadMessage("expected a call");
  Call call{r.bytes(), r.bytes()};
  r.end();
  return call;
}

Outcome decode_outcome(std::string_view bytes) {
  Reader r(bytes);
  const Kind kind = r.kind();
  if (kind != Kind::outcome_ok && kind != Kind::outcome_error)
    throw BadMessage("expected an outcome");
  Outcome outcome;
  outcome.ok = kind == Kind::outcome_ok;
  outcome.value = r.bytes();
  if (!outcome.ok) outcome.error_type = r.bytes();
  r.end();
  return outcome;
}

}  // namespace samovar::multiprocessing::wire
