#include <doctest/doctest.h>

#include <fstream>

#include "common/atomic_file.h"
#include "common/npy.h"
#include "tests/test_util.h"

using namespace ganbench;
using ganbench::test::TempDir;

TEST_SUITE("common") {
  TEST_CASE("npy round trip keeps dtype, shape and values") {
    TempDir dir;
    const std::vector<float> v = {0.f, 1.5f, -2.25f, 3.f, 4.f, 5.f};
    write_npy(dir / "a.npy", NpyArray::from_floats(v, {2, 3}));
    const NpyArray a = read_npy(dir / "a.npy");
    CHECK(a.dtype == "<f4");
    CHECK(a.shape == std::vector<int64_t>{2, 3});
    CHECK(a.to_floats() == v);
    // The header is padded so the data starts on a 64-byte boundary, like numpy's.
    CHECK((read_file(dir / "a.npy").size() - v.size() * 4) % 64 == 0);
  }

  TEST_CASE("npy reads the frechet fixture written by numpy") {
    const NpyArray a = read_npy(test::fixtures() / "frechet/feats_a.npy");
    CHECK(a.dtype == "<f4");
    CHECK(a.shape == std::vector<int64_t>{300, 64});
  }

  TEST_CASE("npz round trip and numpy-written npz") {
    TempDir dir;
    write_npz(dir / "s.npz", {{"mu", NpyArray::from_doubles({1.0, 2.0}, {2})},
                              {"sigma", NpyArray::from_doubles({1.0, 0.5, 0.5, 2.0}, {2, 2})}});
    auto m = read_npz(dir / "s.npz");
    REQUIRE(m.count("mu") == 1);
    CHECK(m["mu"].to_doubles() == std::vector<double>{1.0, 2.0});
    CHECK(m["sigma"].shape == std::vector<int64_t>{2, 2});
    auto f = read_npz(test::fixtures() / "frechet/stats_a.npz");
    CHECK(f["mu"].shape == std::vector<int64_t>{64});
    CHECK(f["sigma"].shape == std::vector<int64_t>{64, 64});
    CHECK(f["sigma"].dtype == "<f8");
  }

  TEST_CASE("corrupt and truncated files are clear errors") {
    TempDir dir;
    write_file_atomic(dir / "junk.npy", "not numpy at all");
    CHECK_THROWS_WITH_AS(read_npy(dir / "junk.npy"), doctest::Contains("junk.npy"), std::runtime_error);
    std::string good = encode_npy(NpyArray::from_floats({1, 2, 3, 4}, {4}));
    write_file_atomic(dir / "short.npy", good.substr(0, good.size() - 3));
    CHECK_THROWS_WITH_AS(read_npy(dir / "short.npy"), doctest::Contains("data bytes"), std::runtime_error);
    std::string z = read_file(test::fixtures() / "frechet/stats_a.npz");
    z[z.size() / 2] ^= 0x5a;  // flip bits inside a member: CRC must catch it
    write_file_atomic(dir / "bad.npz", z);
    CHECK_THROWS_AS(read_npz(dir / "bad.npz"), std::runtime_error);
    CHECK_THROWS_WITH_AS(read_npy(dir / "missing.npy"), doctest::Contains("missing.npy"), std::runtime_error);
  }

  TEST_CASE("npy: a zero dimension beside dimensions whose product overflows has 0 elements (fuzz find)") {
    const NpyArray a = read_npy(ganbench::test::fixtures() / "npy" / "zero_dim_overflow.npy");
    CHECK(a.numel() == 0);
    CHECK(a.to_doubles().empty());
    NpyArray big;
    big.dtype = "<f4";
    big.shape = {int64_t{1} << 40, int64_t{1} << 40};
    CHECK_THROWS_AS(big.numel(), std::runtime_error);
  }
}
