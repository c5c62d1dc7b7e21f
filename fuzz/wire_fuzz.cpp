// The process wire format (engine/multiprocessing/wire.*): what a worker process reads from
// its parent and the parent from it. Arbitrary bytes must decode or throw wire::BadMessage,
// nothing else; and what decodes is canonical: encoded again, it is the same bytes.
//
// The input is tried whole as a call and as an outcome; and, after its first byte (which
// picks the type), as a wire value of one of the types calls really carry (the scenarios'
// process functions' arguments and results) or of a shape that nests every kind.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/multiprocessing/wire.hpp"
#include "engine/scenarios/process_functions.hpp"
#include "fuzz/check.hpp"

namespace {

namespace wire = samovar::multiprocessing::wire;
namespace pf = samovar::scenarios::process_functions;

// Every kind in one: signed and unsigned of each size, bool, string, vector, optional, record.
struct Inner {
  std::int8_t small;
  std::uint16_t word;
  std::optional<std::string> note;
  static constexpr auto fields = std::tuple(&Inner::small, &Inner::word, &Inner::note);
};
struct Nested {
  std::int32_t id;
  std::vector<Inner> items;
  std::vector<std::vector<std::optional<bool>>> flags;  // (std::vector<bool> has no bool&)
  std::optional<std::uint64_t> big;
  static constexpr auto fields =
      std::tuple(&Nested::id, &Nested::items, &Nested::flags, &Nested::big);
};

template <class T>
void value_round_trip(std::string_view bytes) {
  T value{};
  try {
    value = wire::decode_value<T>(bytes);
  } catch (const wire::BadMessage&) {
    return;
  }
  if (wire::encode_value(value) != bytes)
    samovar::fuzz::broken("a value that decodes encodes to the same bytes");
}

void call_round_trip(std::string_view bytes) {
  wire::Call call;
  try {
    call = wire::decode_call(bytes);
  } catch (const wire::BadMessage&) {
    return;
  }
  if (wire::encode(call) != bytes)
    samovar::fuzz::broken("a call that decodes encodes to the same bytes");
}

void outcome_round_trip(std::string_view bytes) {
  wire::Outcome outcome;
  try {
    outcome = wire::decode_outcome(bytes);
  } catch (const wire::BadMessage&) {
    return;
  }
  if (wire::encode(outcome) != bytes)
    samovar::fuzz::broken("an outcome that decodes encodes to the same bytes");
}

// The value types, picked by the input's first byte.
using RoundTrip = void (*)(std::string_view);
constexpr RoundTrip kValueTypes[] = {
    value_round_trip<std::int64_t>,
    value_round_trip<std::int32_t>,
    value_round_trip<std::uint8_t>,
    value_round_trip<std::uint64_t>,
    value_round_trip<bool>,
    value_round_trip<std::string>,
    value_round_trip<std::vector<std::string>>,
    value_round_trip<std::optional<std::int64_t>>,
    value_round_trip<Nested>,
    value_round_trip<pf::IncrementValue>,
    value_round_trip<pf::Produce>,
    value_round_trip<std::vector<pf::Produced>>,
    value_round_trip<pf::Consume>,
    value_round_trip<std::vector<pf::Consumed>>,
    value_round_trip<pf::Encrypt>,
    value_round_trip<pf::Encrypted>,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  call_round_trip(bytes);
  outcome_round_trip(bytes);
  if (bytes.empty()) return 0;
  kValueTypes[static_cast<unsigned char>(bytes[0]) % std::size(kValueTypes)](bytes.substr(1));
  return 0;
}
