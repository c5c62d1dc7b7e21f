#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/asyncio/files.hpp"
#include "engine/asyncio/gather.hpp"
#include "engine/asyncio/sleep.hpp"
#include "tests/engine/support.hpp"

using namespace samovar;
using asyncio::Task;

TEST_CASE(
    "many small files written, fsynced and read back concurrently, and the folder goes with its "
    "scope",
    "[files]") {
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
  CHECK_THROWS_WITH(platform::files::read(folder + "/order-1.txt"),
                    Catch::StartsWith("cannot open " + folder));
}

TEST_CASE("a missing file is an error that names it, raised in the awaiting task", "[files]") {
  testing::LoopFixture f;
  auto main = [&]() -> Task<std::string> {
    asyncio::TemporaryDirectory tmp;
    co_return co_await asyncio::read_file(tmp.path() + "/no-such-file");
  };
  CHECK_THROWS_WITH(f.run(main()), Catch::Contains("no-such-file"));
}

// The blocking calls themselves, on this thread (a pthread in WASM: the tests' main is proxied).
TEST_CASE("files hold bytes, not text: every byte value, and more than one read buffer's worth",
          "[files]") {
  const std::string folder = platform::files::make_temp_dir("samovar-test-");
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte += static_cast<char>(i);
  std::string big;  // 1 MiB: past the 64 KiB a WASM read offers first
  for (std::size_t i = 0; big.size() < (1u << 20); ++i)
    big += every_byte.substr(i % 256) + std::to_string(i);
  big.resize(1u << 20);
  platform::files::write(folder + "/bytes", every_byte, false);
  platform::files::write(folder + "/big", big, true);
  platform::files::write(folder + "/empty", "", true);
  CHECK(platform::files::read(folder + "/bytes") == every_byte);
  CHECK(platform::files::read(folder + "/big") == big);
  CHECK(platform::files::read(folder + "/empty").empty());
  platform::files::write(folder + "/big", "shorter", false);  // replaces, does not overlay
  CHECK(platform::files::read(folder + "/big") == "shorter");
  platform::files::remove_tree(folder);
  platform::files::remove_tree(folder);  // already gone: no error
  CHECK_THROWS_WITH(platform::files::read(folder + "/bytes"),
                    Catch::StartsWith("cannot open " + folder));
}

TEST_CASE("a file in a missing folder cannot be opened, for writing or reading", "[files]") {
  const std::string folder = platform::files::make_temp_dir("samovar-test-");
  const std::string path = folder + "/no-such-folder/file.txt";
  CHECK_THROWS_AS(platform::files::write(path, "x", false), std::runtime_error);
  CHECK_THROWS_WITH(platform::files::write(path, "x", true),
                    Catch::StartsWith("cannot open " + path + ": "));
  CHECK_THROWS_WITH(platform::files::read(path), Catch::StartsWith("cannot open " + path + ": "));
  platform::files::remove_tree(folder);
}
