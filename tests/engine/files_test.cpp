#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/asyncio/files.hpp"
#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;

TEST_CASE("many small files written, fsynced and read back concurrently; the folder goes with its scope", "[files]") {
  testing::LoopFixture f;
  std::string folder;
  auto main = [&]() -> Task<std::size_t> {
    asyncio::TemporaryDirectory tmp;
    folder = tmp.path();
    auto write_then_read = [&](int i) -> Task<bool> {
      const std::string path = tmp.path() + "/order-" + std::to_string(i) + ".txt";
      const std::string text = "order " + std::to_string(i) + ": masala chai\n";
      co_await asyncio::write_file(path, text, /*sync=*/true);
      co_return co_await asyncio::read_file(path) == text;
    };
    std::vector<Task<bool>> all;
    for (int i = 0; i < 50; ++i) all.push_back(write_then_read(i));
    std::size_t good = 0;
    for (bool ok : co_await asyncio::gather(std::move(all))) good += ok ? 1 : 0;
    co_return good;
  };
  CHECK(f.run(main()) == 50);
  REQUIRE_FALSE(folder.empty());
  CHECK_THROWS_WITH(platform::files::read(folder + "/order-1.txt"), Catch::StartsWith("cannot open " + folder));
}

TEST_CASE("a missing file is an error that names it, raised in the awaiting task", "[files]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<std::string> {
    asyncio::TemporaryDirectory tmp;
    co_return co_await asyncio::read_file(tmp.path() + "/no-such-file");
  };
  CHECK_THROWS_WITH(f.run(main()), Catch::Contains("no-such-file"));
}
