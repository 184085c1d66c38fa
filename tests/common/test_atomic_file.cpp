#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <unistd.h>
#include <csignal>

#include <fmt/format.h>

#include "common/atomic_file.h"
#include "tests/test_util.h"

using namespace ganbench;
namespace fs = std::filesystem;

namespace {
size_t count_files(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}
}  // namespace

TEST_SUITE("common") {
  TEST_CASE("atomic write creates, replaces and leaves no temp files") {
    test::TempDir dir;
    write_file_atomic(dir / "sub/x.txt", "one");
    CHECK(read_file(dir / "sub/x.txt") == "one");
    write_file_atomic(dir / "sub/x.txt", "two");
    CHECK(read_file(dir / "sub/x.txt") == "two");
    CHECK(count_files(dir / "sub") == 1);
  }

  TEST_CASE("a failing writer leaves the old file intact") {
    test::TempDir dir;
    write_file_atomic(dir / "ckpt.pt", "good checkpoint");
    CHECK_THROWS(replace_file_atomic(dir / "ckpt.pt", [](const fs::path& tmp) {
      write_file_atomic(tmp, "half");
      throw std::runtime_error("crash mid-write");
    }));
    CHECK(read_file(dir / "ckpt.pt") == "good checkpoint");
    CHECK(count_files(dir.path()) == 1);
  }

  TEST_CASE("a write that runs out of space is an error naming the file, and loses nothing") {
    // RLIMIT_FSIZE makes write() fail part-way (EFBIG), as a full disk (ENOSPC) does.
    test::TempDir dir;
    write_file_atomic(dir / "r.bin", "old");
    rlimit old{};
    ::getrlimit(RLIMIT_FSIZE, &old);
    auto prev = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    std::string err;
    try {
      write_file_atomic(dir / "r.bin", std::string(1 << 20, 'x'));
    } catch (const std::exception& e) {
      err = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, prev);
    CHECK(test::contains(err, "r.bin"));
    CHECK(test::contains(err, "write"));
    CHECK(read_file(dir / "r.bin") == "old");
    CHECK(count_files(dir.path()) == 1);
  }

  TEST_CASE("an unwritable folder is an error naming the path") {
    if (::geteuid() == 0) {  // root ignores permissions; use a path under a regular file instead
      test::TempDir dir;
      write_file_atomic(dir / "file", "x");
      CHECK_THROWS_WITH(write_file_atomic(dir / "file/inner.txt", "y"), doctest::Contains("file"));
      return;
    }
    test::TempDir dir;
    fs::create_directories(dir / "ro");
    ::chmod((dir / "ro").c_str(), 0555);
    CHECK_THROWS_WITH(write_file_atomic(dir / "ro/x.txt", "y"), doctest::Contains("ro/x.txt"));
  }

  TEST_CASE("folder lock: a second holder is refused at once, naming the folder and the holder's PID") {
    ganbench::test::TempDir dir;
    {
      FolderLock first(dir.path());
      CHECK(read_file(dir / ".lock") == std::to_string(::getpid()));
      const std::string want =
          fmt::format("{} is in use by another ganbench process (PID {})", dir.path().string(), ::getpid());
      CHECK_THROWS_WITH(FolderLock(dir.path()), doctest::Contains(want.c_str()));
    }
    CHECK_NOTHROW(FolderLock(dir.path()));  // released with its holder
  }

  TEST_CASE("stale temp files of killed writes are found and removed; nothing else is") {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "cells/a");
    const std::vector<std::string> temps = {".results.csv.tmp.123.0", "cells/a/.step_00000005.pt.tmp.99.17"};
    const std::vector<std::string> kept = {".lock", "x.tmp.1.2", ".b.tmp.12", ".c.tmp.1.2x", "cells/a/config.yaml"};
    for (const auto& f : temps) write_file_atomic(dir / f, "partial");
    for (const auto& f : kept) write_file_atomic(dir / f, "kept");
    for (const auto& f : temps) CHECK(is_temp_file(dir / f));
    for (const auto& f : kept) CHECK(!is_temp_file(dir / f));
    CHECK(remove_stale_temp_files(dir.path()).size() == temps.size());
    for (const auto& f : temps) CHECK(!std::filesystem::exists(dir / f));
    for (const auto& f : kept) CHECK(std::filesystem::exists(dir / f));
  }

  TEST_CASE("a writer's error names the target file, not the temp file") {
    test::TempDir dir;
    const auto target = dir / "step_00000005.pt";
    std::string what;
    try {
      replace_file_atomic(target, [](const std::filesystem::path& tmp) {
        throw std::runtime_error("cannot write " + tmp.string() + ": No space left on device");
      });
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what == "cannot write " + target.string() + ": No space left on device");
    CHECK(remove_stale_temp_files(dir.path()).empty());  // and the temp file is gone
  }

  TEST_CASE("MappedFile gives a file's bytes; an empty file is read; a missing one names its path") {
    test::TempDir dir;
    std::string big(1 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
    write_file_atomic(dir / "big.bin", big);
    CHECK(MappedFile(dir / "big.bin").bytes() == big);
    write_file_atomic(dir / "empty.bin", "");
    CHECK(MappedFile(dir / "empty.bin").bytes().empty());
    const auto missing = dir / "missing.npz";
    std::string what;
    try {
      MappedFile m(missing);
    } catch (const std::runtime_error& e) {
      what = e.what();
    }
    CHECK(what.find(missing.string()) != std::string::npos);
  }
}
