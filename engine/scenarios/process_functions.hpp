#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/multiprocessing/functions.hpp"
#include "engine/multiprocessing/shared_words.hpp"
#include "engine/platform/clock.hpp"

// What the scenarios' worker processes run. Each is defined in the scenario that submits it,
// beside the code that does, and its definition registers it (multiprocessing/functions.hpp);
// this header is their index, with the types their arguments and results cross as. A call:
//   pool.submit(increment_global.name(), increment_global.argument(1000))
// and increment_global.result(answer) reads what it answered.
namespace samovar::scenarios::process_functions {

using Word = multiprocessing::SharedWords::Word;  // a shared object's handle

// race.cpp: guide 3.4 with processes.

// chai_stock += 1, `increments` times, on the worker's own chai_stock (a plain global, as a
// module-level variable of a Python worker); answers its value after.
extern const multiprocessing::Function<std::int64_t, std::int64_t> increment_global;
// Adds to this process's own chai_stock and answers its new value (given 0: reads it).
extern const multiprocessing::Function<std::int64_t, std::int64_t> add_to_global;

struct IncrementValue {
  Word value;               // the shared multiprocessing.Value
  Word barrier;             // a Barrier the calls all wait at first, so that they count at once
  std::int64_t increments;  // chai_stock.value += 1, so many times
  bool locked;              // each under the Value's own lock
  platform::Nanos timeout;  // for the barrier, and for each lock
  static constexpr auto fields =
      std::tuple(&IncrementValue::value, &IncrementValue::barrier, &IncrementValue::increments,
                 &IncrementValue::locked, &IncrementValue::timeout);
};
// Answers the increments it made.
extern const multiprocessing::Function<IncrementValue, std::int64_t> increment_value;

// producer_consumer.cpp: guide 7.2 with processes, over a shared multiprocessing.Queue.

struct Produce {
  Word queue;
  std::int64_t producer;    // its cups are numbered from producer * items
  std::int64_t items;       // cups it brews
  platform::Nanos brew;     // before each cup
  platform::Nanos timeout;  // for each put
  static constexpr auto fields = std::tuple(&Produce::queue, &Produce::producer, &Produce::items,
                                            &Produce::brew, &Produce::timeout);
};
// A cup put on the queue, as Queue::put told it: its place among every operation on the queue,
// when, and whether the queue was full.
// brewing and putting: when its brew (a sleep) and its put began, for the process's lane.
struct Produced {
  std::int32_t order;
  platform::Nanos at;
  std::int64_t cup;
  bool waited;
  platform::Nanos brewing;
  platform::Nanos putting;
  static constexpr auto fields =
      std::tuple(&Produced::order, &Produced::at, &Produced::cup, &Produced::waited,
                 &Produced::brewing, &Produced::putting);
};
// Answers a Produced per cup, in order.
extern const multiprocessing::Function<Produce, std::vector<Produced>> produce;

struct Consume {
  Word queue;
  platform::Nanos serve;       // after each cup
  std::optional<Word> served;  // a shared Value counting the cups served, under its lock;
                               // without one, they are counted in the process's own global
  platform::Nanos timeout;     // for each get, and for the Value's lock
  static constexpr auto fields =
      std::tuple(&Consume::queue, &Consume::serve, &Consume::served, &Consume::timeout);
};
// A cup taken from the queue, as Queue::get told it; asked: when the get began (it blocks until
// a cup comes), served: when serving it (a sleep, then the count) ended.
struct Consumed {
  std::int32_t order;
  platform::Nanos at;
  std::int32_t cup;
  platform::Nanos asked;
  platform::Nanos served;
  static constexpr auto fields = std::tuple(&Consumed::order, &Consumed::at, &Consumed::cup,
                                            &Consumed::asked, &Consumed::served);
};
// Takes cups until a None (-1), serving each; answers a Consumed per cup, in order.
extern const multiprocessing::Function<Consume, std::vector<Consumed>> consume;

// encrypt.cpp: guide 4.1's encrypt, in a ProcessPoolExecutor.

struct Encrypt {
  std::string data;
  std::uint64_t rounds;  // of hashing: the "CPU-intensive operation"
  static constexpr auto fields = std::tuple(&Encrypt::data, &Encrypt::rounds);
};
// The data reversed after four spaces (what the guide's encrypt returns), and the hash the
// rounds came to, so that results can be compared.
struct Encrypted {
  std::string text;
  std::uint64_t hash;
  static constexpr auto fields = std::tuple(&Encrypted::text, &Encrypted::hash);
};
extern const multiprocessing::Function<Encrypt, Encrypted> encrypt;

// gil.cpp: the CPU-bound task of guides 3.1 and 5.

// Counts the primes below the limit by trial division.
extern const multiprocessing::Function<std::int64_t, std::int64_t> count_primes;

// scale.cpp: a process that waits, for the sweep and the pool's round trip.

// time.sleep for the given nanoseconds (0: answers at once); answers them.
extern const multiprocessing::Function<std::int64_t, std::int64_t> nap;

}  // namespace samovar::scenarios::process_functions
