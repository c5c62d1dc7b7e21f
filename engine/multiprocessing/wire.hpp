#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

// What crosses between a pool and its worker processes, as bytes: a call (a function's name
// and its argument) and its outcome (the result, or the exception's type and message). Small,
// versioned, little-endian; a reader refuses a version it does not know.
namespace samovar::multiprocessing::wire {

constexpr std::uint8_t kVersion = 1;

struct Call {
  std::string function;
  std::string argument;
};

struct Outcome {
  bool ok = true;
  std::string value;       // the result, or the exception's message
  std::string error_type;  // set when !ok: "ValueError", "RuntimeError", ...
};

// Bytes that are not a message of this version.
class BadMessage : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string encode(const Call& call);
std::string encode(const Outcome& outcome);
Call decode_call(std::string_view bytes);
Outcome decode_outcome(std::string_view bytes);

// A function's argument or its result, typed on both sides, as the bytes of a Call's argument
// or an Outcome's value (functions.hpp). Both ends are the same build, so the bytes carry no
// names and no types: the reader knows what it reads. An integer is 8 bytes, little-endian two's
// complement; a bool one byte, 0 or 1; a string its length (4 bytes) then its bytes; a vector
// its length (4 bytes) then its items; an optional a bool, then its value if it has one (None
// is false); a struct its fields, in the order it lists them:
//   struct Order {
//     std::int64_t cup;
//     std::string name;
//     static constexpr auto fields = std::tuple(&Order::cup, &Order::name);
//   };
// decode_value throws BadMessage for bytes cut short or left over, a bool that is neither 0
// nor 1, or an integer out of its type's range.
template <class T>
std::string encode_value(const T& value);
template <class T>
T decode_value(std::string_view bytes);

namespace detail {

template <class T>
concept Record = requires {
  std::tuple_size<std::remove_cvref_t<decltype(T::fields)>>::value;
};

template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

void put_u32(std::string& out, std::uint32_t v);
void put_u64(std::string& out, std::uint64_t v);
void put_bytes(std::string& out, std::string_view bytes);  // its length, then the bytes

class ValueReader {
 public:
  explicit ValueReader(std::string_view bytes) : bytes_(bytes) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::string_view bytes(std::size_t n);
  std::size_t left() const noexcept { return bytes_.size() - pos_; }
  void end() const;

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

template <class T>
void put(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    out.push_back(value ? '\1' : '\0');
  } else if constexpr (std::is_integral_v<T>) {
    put_u64(out, static_cast<std::uint64_t>(value));  // a negative one sign-extended
  } else if constexpr (std::is_same_v<T, std::string>) {
    put_bytes(out, value);
  } else if constexpr (IsVector<T>::value) {
    if (value.size() > std::numeric_limits<std::uint32_t>::max())
      throw BadMessage("a vector of more than 2^32 items");
    put_u32(out, static_cast<std::uint32_t>(value.size()));
    // Named, so that vector<bool>'s proxy items (libc++'s, in WASM) are put as bools.
    for (const auto& item : value) put<typename T::value_type>(out, item);
  } else if constexpr (IsOptional<T>::value) {
    put(out, value.has_value());
    if (value) put(out, *value);
  } else {
    static_assert(Record<T>,
                  "wire: an integer, bool, string, vector, optional, or a struct with `fields`");
    static_assert(std::tuple_size_v<std::remove_cvref_t<decltype(T::fields)>> > 0,
                  "wire: a struct of no fields would encode as no bytes");
    std::apply([&](auto... field) { (put(out, value.*field), ...); }, T::fields);
  }
}

template <class T>
void get(ValueReader& in, T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    const std::uint8_t b = in.u8();
    if (b > 1) throw BadMessage("a bool of value " + std::to_string(b));
    value = b == 1;
  } else if constexpr (std::is_integral_v<T>) {
    const std::uint64_t bits = in.u64();
    if constexpr (std::is_signed_v<T>) {
      const auto v = static_cast<std::int64_t>(bits);
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
        throw BadMessage("the integer " + std::to_string(v) + " is out of its field's range");
      value = static_cast<T>(v);
    } else {
      if (bits > std::numeric_limits<T>::max())
        throw BadMessage("the integer " + std::to_string(bits) + " is out of its field's range");
      value = static_cast<T>(bits);
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    value = std::string(in.bytes(in.u32()));
  } else if constexpr (IsVector<T>::value) {
    const std::uint32_t n = in.u32();
    if (n > in.left())
      throw BadMessage("a vector longer than its message");  // items take >= 1 byte
    value.clear();
    value.resize(n);
    if constexpr (std::is_same_v<typename T::value_type, bool>) {
      for (std::size_t i = 0; i < n; ++i) {  // vector<bool>'s items are proxies, not bools
        bool item = false;
        get(in, item);
        value[i] = item;
      }
    } else {
      for (auto& item : value) get(in, item);
    }
  } else if constexpr (IsOptional<T>::value) {
    bool has = false;
    get(in, has);
    value.reset();
    if (has) get(in, value.emplace());
  } else {
    std::apply([&](auto... field) { (get(in, value.*field), ...); }, T::fields);
  }
}

}  // namespace detail

template <class T>
std::string encode_value(const T& value) {
  std::string out;
  detail::put(out, value);
  return out;
}

template <class T>
T decode_value(std::string_view bytes) {
  detail::ValueReader in(bytes);
  T value{};
  detail::get(in, value);
  in.end();
  return value;
}

}  // namespace samovar::multiprocessing::wire
