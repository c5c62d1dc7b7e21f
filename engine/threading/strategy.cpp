#include "engine/threading/strategy.hpp"

#include <algorithm>
#include <map>

namespace samovar::threading {

namespace {

class RandomWalk final : public Strategy {
 public:
  explicit RandomWalk(std::uint64_t seed) : random_(seed) {}
  void added(int) override {}
  int choose(const std::vector<int>& enabled, int, std::int64_t) override {
    return enabled[static_cast<std::size_t>(random_.below(enabled.size()))];
  }

 private:
  Random random_;
};

class Pct final : public Strategy {
 public:
  Pct(int depth, std::int64_t steps, std::uint64_t seed) : random_(seed), depth_(depth) {
    for (int i = 1; i < depth; ++i)
      change_points_.push_back(
          1 + static_cast<std::int64_t>(random_.below(static_cast<std::uint64_t>(steps))));
  }
  void added(int unit) override {
    // Above every priority a change point gives; ties (1 in 2^62) go to the lower number.
    priority_[unit] =
        static_cast<std::int64_t>(depth_) + static_cast<std::int64_t>(random_.next() >> 2);
  }
  int choose(const std::vector<int>& enabled, int running, std::int64_t step) override {
    for (std::size_t i = 0; i < change_points_.size(); ++i)
      if (change_points_[i] == step) priority_[running] = depth_ - 1 - static_cast<int>(i);
    return *std::max_element(enabled.begin(), enabled.end(), [&](int a, int b) {
      return priority_[a] != priority_[b] ? priority_[a] < priority_[b] : a > b;
    });
  }

 private:
  Random random_;
  const int depth_;
  std::vector<std::int64_t> change_points_;
  std::map<int, std::int64_t> priority_;
};

}  // namespace

std::unique_ptr<Strategy> make_strategy(const std::string& name, int depth, std::int64_t steps,
                                        std::uint64_t seed) {
  if (name == "pct") return std::make_unique<Pct>(depth, steps, seed);
  return std::make_unique<RandomWalk>(seed);
}

}  // namespace samovar::threading
