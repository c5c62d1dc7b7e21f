// multiprocessing::wire on its own: the call and outcome messages, and the typed values that
// are a function's argument and result.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/multiprocessing/wire.hpp"

namespace wire = samovar::multiprocessing::wire;

namespace {

struct Cup {
  std::int32_t number = 0;
  std::string name;
  bool served = false;
  static constexpr auto fields = std::tuple(&Cup::number, &Cup::name, &Cup::served);
  bool operator==(const Cup&) const = default;
};

struct Order {
  std::int64_t table = 0;
  std::uint64_t rounds = 0;
  std::vector<Cup> cups;
  std::optional<std::uint32_t> paid_with;
  static constexpr auto fields =
      std::tuple(&Order::table, &Order::rounds, &Order::cups, &Order::paid_with);
  bool operator==(const Order&) const = default;
};

}  // namespace

TEST_CASE("wire: a call and an outcome round-trip, and another version is refused", "[wire]") {
  const std::string argument("a\0b", 3);
  const wire::Call call = wire::decode_call(wire::encode(wire::Call{"echo", argument}));
  CHECK(call.function == "echo");
  CHECK(call.argument == argument);
  const wire::Outcome failed =
      wire::decode_outcome(wire::encode(wire::Outcome{false, "no milk", "ValueError"}));
  CHECK_FALSE(failed.ok);
  CHECK(failed.value == "no milk");
  CHECK(failed.error_type == "ValueError");
  std::string other = wire::encode(wire::Call{"echo", ""});
  other[3] = static_cast<char>(wire::kVersion + 1);
  CHECK_THROWS_AS(wire::decode_call(other), wire::BadMessage);
  CHECK_THROWS_AS(wire::decode_outcome(wire::encode(call)), wire::BadMessage);
}

TEST_CASE("wire: typed values round-trip: integers, bools, strings, vectors, structs", "[wire]") {
  CHECK(wire::decode_value<std::int64_t>(wire::encode_value<std::int64_t>(-5)) == -5);
  CHECK(wire::encode_value<std::int64_t>(-1) == std::string(8, '\xff'));  // 8 bytes, LE
  CHECK(wire::encode_value<std::int32_t>(258) == std::string("\x02\x01\0\0\0\0\0\0", 8));
  constexpr auto big = std::numeric_limits<std::uint64_t>::max();
  CHECK(wire::decode_value<std::uint64_t>(wire::encode_value(big)) == big);
  CHECK(wire::decode_value<bool>(wire::encode_value(true)));
  const std::string bytes("\0\1\2 tea", 7);
  CHECK(wire::decode_value<std::string>(wire::encode_value(bytes)) == bytes);
  CHECK(
      wire::decode_value<std::vector<std::int64_t>>(wire::encode_value(std::vector<std::int64_t>{}))
          .empty());
  const Order order{7, big, {{1, "masala", true}, {-2, "", false}}, 12};
  CHECK(wire::decode_value<Order>(wire::encode_value(order)) == order);
  const Order unpaid{7, 0, {}, std::nullopt};
  CHECK(wire::decode_value<Order>(wire::encode_value(unpaid)) == unpaid);
  CHECK(wire::encode_value(std::optional<std::int64_t>()) == std::string(1, '\0'));
  const std::vector<bool> flags{true, false, true};  // items are proxies, decoded one by one
  CHECK(wire::decode_value<std::vector<bool>>(wire::encode_value(flags)) == flags);
  CHECK_THROWS_WITH(wire::decode_value<std::vector<bool>>(std::string("\1\0\0\0\2", 5)),
                    "a bool of value 2");
}

TEST_CASE("wire: bytes that are not the value asked for are refused", "[wire]") {
  const std::string order = wire::encode_value(Order{1, 2, {{3, "ginger", true}}, 5});
  CHECK_THROWS_WITH(wire::decode_value<Order>(order.substr(0, order.size() - 1)),
                    "a value is cut short");
  CHECK_THROWS_WITH(wire::decode_value<Order>(order + "x"), "a value has trailing bytes");
  CHECK_THROWS_WITH(wire::decode_value<std::int32_t>(wire::encode_value<std::int64_t>(1LL << 40)),
                    "the integer 1099511627776 is out of its field's range");
  CHECK_THROWS_AS(wire::decode_value<std::uint32_t>(wire::encode_value<std::int64_t>(-1)),
                  wire::BadMessage);
  CHECK_THROWS_WITH(wire::decode_value<bool>(std::string(1, '\2')), "a bool of value 2");
  // A length past the message's end is refused before anything is made of it.
  CHECK_THROWS_WITH(wire::decode_value<std::vector<Cup>>(std::string("\xff\xff\xff\xff", 4)),
                    "a vector longer than its message");
  CHECK_THROWS_AS(wire::decode_value<std::string>(std::string("\x05\0\0\0abc", 7)),
                  wire::BadMessage);
}
