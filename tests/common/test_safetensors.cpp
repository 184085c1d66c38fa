#include <doctest/doctest.h>

#include <cstring>

#include "common/safetensors.h"
#include "tests/test_util.h"

using namespace ganbench;
using ganbench::test::TempDir;

namespace {
std::string with_header(const std::string& json, const std::string& data) {
  const uint64_t n = json.size();
  return std::string(reinterpret_cast<const char*>(&n), 8) + json + data;
}
std::string parse_error(const std::string& file) {
  try {
    parse_safetensors(file, "w.safetensors");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_SUITE("common") {
  TEST_CASE("safetensors: reads a file written by the Python reference writer") {
    const auto t = read_safetensors(ganbench::test::fixtures() / "safetensors" / "tiny.safetensors");
    REQUIRE(t.size() == 2);
    CHECK(t.at("a.weight").shape == std::vector<int64_t>{2, 3});
    CHECK(t.at("a.weight").to_floats() == std::vector<float>{0, 0.5f, 1, 1.5f, 2, 2.5f});
    CHECK(t.at("b").to_floats() == std::vector<float>{1.5f, -2.0f});
  }

  TEST_CASE("safetensors: write/read round trip; F16, BF16 and F64 convert to float") {
    TempDir tmp;
    write_safetensors(tmp / "w.safetensors", {{"x", {{2, 2}, {1, -2, 3.5f, 0}}}, {"y \"q\"", {{1}, {7}}}});
    const auto t = read_safetensors(tmp / "w.safetensors");
    CHECK(t.at("x").to_floats() == std::vector<float>{1, -2, 3.5f, 0});
    CHECK(t.at("y \"q\"").to_floats() == std::vector<float>{7});
    // 1.0, -2.0, 0.5 in half precision; 1.0 and -2.5 in bfloat16; 0.25 as double.
    const uint16_t f16[3] = {0x3c00, 0xc000, 0x3800}, bf16[2] = {0x3f80, 0xc020};
    const double f64 = 0.25;
    std::string data(reinterpret_cast<const char*>(f16), 6);
    data += std::string(reinterpret_cast<const char*>(bf16), 4);
    data += std::string(reinterpret_cast<const char*>(&f64), 8);
    const auto m = parse_safetensors(
        with_header(
            R"({"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},)"
            R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]},)"
            R"("d":{"dtype":"F64","shape":[],"data_offsets":[10,18]},"__metadata__":{"format":"pt"}})",
            data),
        "mem");
    CHECK(m.at("h").to_floats() == std::vector<float>{1.0f, -2.0f, 0.5f});
    CHECK(m.at("b").to_floats() == std::vector<float>{1.0f, -2.5f});
    CHECK(m.at("d").to_floats() == std::vector<float>{0.25f});
  }

  TEST_CASE("safetensors: malformed files are errors, never out-of-bounds reads") {
    {  // deep nesting is refused before the JSON parser recurses
      std::string h = std::string(100000, '[');
      h = "{\"a\":" + h;
      std::string f(8, '\0');
      const uint64_t n = h.size();
      std::memcpy(f.data(), &n, 8);
      CHECK_THROWS_WITH(parse_safetensors(f + h, "deep"), doctest::Contains("nests deeper than 16"));
    }
    const std::string ok = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    CHECK(parse_error(with_header(ok, std::string(8, '\0'))).empty());
    CHECK(parse_error("abc").find("shorter than the 8-byte header") != std::string::npos);
    // Header length larger than the file.
    std::string big = with_header(ok, std::string(8, '\0'));
    const uint64_t huge = 1ull << 40;
    std::memcpy(big.data(), &huge, 8);
    CHECK(parse_error(big).find("does not fit the file") != std::string::npos);
    // Data cut short: offsets point past the end.
    CHECK(parse_error(with_header(ok, std::string(4, '\0'))).find("lie outside") != std::string::npos);
    // Size disagrees with shape x dtype.
    CHECK(parse_error(
              with_header(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')))
              .find("needs 12") != std::string::npos);
    CHECK(parse_error(
              with_header(R"({"x":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0')))
              .find("unknown safetensors dtype 'Q7'") != std::string::npos);
    CHECK(parse_error(with_header(R"({"x":{"dtype":"F32","shape":[2]}})", std::string(8, '\0')))
              .find("needs dtype, shape and two data_offsets") != std::string::npos);
    CHECK(parse_error(with_header(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                  R"("y":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})",
                                  std::string(8, '\0')))
              .find("overlap") != std::string::npos);
    CHECK(parse_error(with_header("{\"x\": [unclosed", "")).find("not valid JSON") != std::string::npos);
    CHECK(parse_error(with_header("[1,2]", "")).find("not a JSON object") != std::string::npos);
    const auto i = parse_safetensors(
        with_header(R"({"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0')),
        "mem");
    CHECK_THROWS_WITH(i.at("i").to_floats(), doctest::Contains("not floating point"));
  }
}
