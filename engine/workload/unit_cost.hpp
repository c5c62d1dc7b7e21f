#pragma once
#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

// What a `cpu` step's unit costs on this machine, timed as benchmarks time small work: in short
// pieces, each timed in several rounds, its fastest timing kept. Anything else on the machine
// (another process, a page fault, a core shared with a build) only ever makes a timing slower,
// so the fastest is the nearest to the work's own cost; a short piece is often timed between
// two interruptions, and rounds spread over time outlast a busy spell. A unit costs the sum of
// its pieces' fastest timings: a floor, as compare's ideal is.
namespace samovar::workload {

struct UnitCost {
  double seconds = 0;  // one unit: the sum of its pieces' fastest timings
  int pieces = 0;      // a unit cut into this many pieces
  int rounds = 0;      // each piece timed this many times
};

// Rounds go on until the timings add up to `min_s` (a busy spell shorter than that is
// outlasted), at least `min` rounds, and `settled` rounds in a row lowered the sum by less than
// `settle` of it; or until they add up to `budget_s`, or `max` rounds (a timer that never moves).
struct Rounds {
  int min = 5, settled = 3, max = 1000;
  double settle = 0.01, min_s = 0.1, budget_s = 0.5;
};

// `time_piece(i)` does piece i of a unit once and gives its seconds; every round times each
// piece in turn.
template <class TimePiece>
UnitCost fastest_pieces(int pieces, TimePiece&& time_piece, const Rounds& r = {}) {
  std::vector<double> fastest(static_cast<std::size_t>(pieces),
                              std::numeric_limits<double>::infinity());
  UnitCost cost{std::numeric_limits<double>::infinity(), pieces, 0};
  double spent = 0;
  int still = 0;
  while (cost.rounds < r.max) {
    for (int i = 0; i < pieces; ++i) {
      const double t = time_piece(i);
      spent += t;
      fastest[static_cast<std::size_t>(i)] = std::min(fastest[static_cast<std::size_t>(i)], t);
    }
    ++cost.rounds;
    const double sum = std::accumulate(fastest.begin(), fastest.end(), 0.0);
    still = sum < cost.seconds * (1 - r.settle) ? 0 : still + 1;
    cost.seconds = sum;
    if ((cost.rounds >= r.min && still >= r.settled && spent >= r.min_s) || spent >= r.budget_s)
      break;
  }
  return cost;
}

// Times this machine's cpu unit: one unit whole to warm up (V8 optimises a WASM function only
// after some calls), whose time sets the pieces (up to 10) so that each lasts 100 ticks of a
// timer of `timer_resolution_s` at least; then fastest_pieces. Throws std::logic_error if a
// round does not count a unit's primes.
UnitCost measure_unit_cost(double timer_resolution_s, const Rounds& rounds = {});

}  // namespace samovar::workload
