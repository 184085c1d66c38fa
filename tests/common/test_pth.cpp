#include <doctest/doctest.h>

#include <cstring>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/pth.h"
#include "common/zip.h"
#include "tests/test_util.h"

using namespace ganbench;
using ganbench::test::fixtures;

namespace {

std::vector<double> values(const SafeTensor& t) {
  std::vector<double> out;
  const size_t es = safetensors_dtype_size(t.dtype);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const char* p = t.bytes.data() + i * es;
    if (t.dtype == "I64") {
      int64_t v;
      std::memcpy(&v, p, 8);
      out.push_back(static_cast<double>(v));
    } else if (t.dtype == "F64") {
      double v;
      std::memcpy(&v, p, 8);
      out.push_back(v);
    }
  }
  if (t.dtype == "F32" || t.dtype == "F16")
    for (float f : t.to_floats()) out.push_back(f);
  return out;
}

// tools/make_pth_fixtures.py's state dict, read back.
void check_small_state(const std::map<std::string, SafeTensor>& sd) {
  REQUIRE(sd.size() == 8);
  const auto& conv = sd.at("conv.weight");
  CHECK(conv.dtype == "F32");
  CHECK(conv.shape == std::vector<int64_t>{2, 3, 2, 2});
  const auto cv = values(conv);
  for (size_t i = 0; i < cv.size(); ++i) CHECK(cv[i] == static_cast<double>(i) / 8 - 1);
  CHECK(sd.at("bn.running_var").dtype == "F64");
  CHECK(values(sd.at("bn.running_var")) == std::vector<double>{0.5, 1.5, 2.5});
  CHECK(sd.at("bn.num_batches_tracked").shape.empty());  // a 0-d tensor
  CHECK(values(sd.at("bn.num_batches_tracked")) == std::vector<double>{7});
  CHECK(sd.at("half").dtype == "F16");
  CHECK(values(sd.at("half")) == std::vector<double>{1, -2, 0.5, 65504});
  // A transposed view (strides 1, 2) comes out contiguous.
  CHECK(sd.at("transposed").shape == std::vector<int64_t>{2, 3});
  CHECK(values(sd.at("transposed")) == std::vector<double>{0, 2, 4, 1, 3, 5});
  // A slice sharing its base's storage at offset 4.
  CHECK(values(sd.at("view")) == std::vector<double>{1.0, 1.25, 1.5, 1.75});
  CHECK(values(sd.at("base")).size() == 10);
  CHECK(values(sd.at("param")) == std::vector<double>{3, -4});  // an nn.Parameter
}

}  // namespace

TEST_SUITE("common") {
  TEST_CASE("sha256: FIPS 180-4 test vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }

  TEST_CASE("sha256_file: streamed in 1 MiB blocks, the same digest as the bytes in one piece") {
    test::TempDir tmp;
    write_file_atomic(tmp.path() / "a", std::string(1000000, 'a'));
    CHECK(sha256_file(tmp.path() / "a") == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    std::string odd;  // blocks that end mid-compression-block: 2 MiB + 3 bytes
    for (size_t i = 0; i < (size_t{2} << 20) + 3; ++i) odd += static_cast<char>((i * 131) % 251);
    write_file_atomic(tmp.path() / "odd", odd);
    CHECK(sha256_file(tmp.path() / "odd") == sha256_hex(odd));
    write_file_atomic(tmp.path() / "empty", "");
    CHECK(sha256_file(tmp.path() / "empty") == sha256_hex(""));
    CHECK_THROWS_WITH(sha256_file(tmp.path() / "missing"), doctest::Contains("missing: cannot open"));
  }

  TEST_CASE(
      "pth: torch.save's zip and legacy formats read to the same tensors (fixtures from PyTorch 1.13)") {
    check_small_state(read_pth(fixtures() / "pth" / "small_zip.pth"));
    check_small_state(read_pth(fixtures() / "pth" / "small_legacy.pth"));
    // {"state_dict": ..., "epoch": 3}: the state dict inside is taken.
    check_small_state(read_pth(fixtures() / "pth" / "wrapped_zip.pth"));
  }

  TEST_CASE("pth: truncated, corrupted and hostile files are errors, never crashes or out-of-bounds reads") {
    for (const char* name : {"small_legacy.pth", "small_zip.pth"}) {
      INFO(name);
      const std::string file = read_file(fixtures() / "pth" / name);
      for (size_t n = 0; n < file.size(); n += 7)  // every 7th prefix
        CHECK_THROWS_WITH_AS(parse_pth(std::string_view(file).substr(0, n), "f"),
                             doctest::Contains("f: not a"), std::runtime_error);
      // Single-byte flips either fail cleanly or still read; none may crash (ASan/UBSan builds check reads).
      for (size_t i = 0; i < file.size(); i += 3) {
        std::string bad = file;
        bad[i] = static_cast<char>(bad[i] ^ 0x5a);
        try {
          parse_pth(bad, "f");
        } catch (const std::runtime_error&) {
        }
      }
    }
    // The zip CRC catches a flipped data byte.
    std::string z = read_file(fixtures() / "pth" / "small_zip.pth");
    const size_t at = z.find("small_zip/data.pkl") + 120;  // inside the pickle member's data
    z[at] = static_cast<char>(z[at] ^ 1);
    CHECK_THROWS_WITH(parse_pth(z, "f"), doctest::Contains("CRC"));
    // A pickle that would call os.system is refused, not run.
    using namespace std::string_literals;
    const std::string evil =
        "\x80\x02"
        "cos\nsystem\n"
        "X\x04\x00\x00\x00"
        "true"
        "\x85R."s;
    CHECK_THROWS_WITH(parse_pth(evil, "f"), doctest::Contains("unsupported global os.system"));
    const std::string magic = std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15) +
                              "\x80\x02M\xe9\x03." + "\x80\x02}." + evil;
    CHECK_THROWS_WITH(parse_pth(magic, "f"), doctest::Contains("unsupported global os.system"));
    CHECK_THROWS_WITH(parse_pth("PK\x03\x04 not really a zip", "f"),
                      doctest::Contains("not a valid zip archive"));
    CHECK_THROWS_WITH(read_pth("/nonexistent/x.pth"), doctest::Contains("/nonexistent/x.pth"));
  }

  TEST_CASE("zip: a member claiming more than deflate can expand to is refused before allocating (fuzz find)") {
    // libFuzzer's input: a 205-byte .npz whose central directory claims 3.2 GB uncompressed.
    const std::string crash = read_file(fixtures() / "zip" / "claims_3gb.npz");
    CHECK_THROWS_WITH(read_zip(crash, "f"), doctest::Contains("claims 3170493229 bytes from"));
  }

  TEST_CASE("zip: the npz reader's members; stored and deflated") {
    const auto members = read_zip(read_file(fixtures() / "pth" / "small_zip.pth"), "small_zip.pth");
    REQUIRE(members.size() == 9);
    CHECK(members[0].name == "small_zip/data.pkl");
    CHECK(members[1].data.size() == 96);  // 24 float32
  }
}
