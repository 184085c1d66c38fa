#include <doctest/doctest.h>

#include <cstdlib>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/safetensors.h"
#include "metrics/feature_extractor.h"
#include "metrics/fid_weights.h"
#include "tests/metrics/formula_weights.h"
#include "tests/test_http_server.h"
#include "tests/test_util.h"

using namespace ganbench;
using ganbench::test::fixtures;
using ganbench::test::TempDir;
namespace fs = std::filesystem;

namespace {

// Sets an environment variable for a scope.
struct EnvGuard {
  std::string name, old;
  bool had;
  EnvGuard(const std::string& n, const std::string& v) : name(n) {
    const char* o = std::getenv(n.c_str());
    had = o != nullptr;
    if (had) old = o;
    ::setenv(n.c_str(), v.c_str(), 1);
  }
  ~EnvGuard() { had ? (void)::setenv(name.c_str(), old.c_str(), 1) : (void)::unsetenv(name.c_str()); }
};

// A copy of `src` in `dir`, named as torch.hub names files: STEM-<first 8 hex of its SHA-256>.pth.
fs::path hub_named_copy(const fs::path& src, const fs::path& dir, const std::string& stem) {
  const std::string bytes = read_file(src);
  const fs::path dst = dir / (stem + "-" + sha256_hex(bytes).substr(0, 8) + ".pth");
  write_file_atomic(dst, bytes);
  return dst;
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("FID weights: the torch.hub hash prefix of a file name") {
    CHECK(hub_hash_prefix("pt_inception-2015-12-05-6726825d.pth") == "6726825d");
    CHECK(hub_hash_prefix("weights.pth").empty());
    CHECK(hub_hash_prefix(fs::path(kFidWeightsUrl).filename().string()) == kFidWeightsSha256Prefix);
  }

  TEST_CASE(
      "FID weights import: a wrong hash or a file that is not the FID Inception is refused; nothing is written") {
    TempDir tmp;
    const fs::path out = tmp / "cache" / "fid_inception.safetensors";
    write_file_atomic(tmp / "pt_inception-2015-12-05-deadbeef.pth",
                      read_file(fixtures() / "pth" / "small_zip.pth"));
    CHECK_THROWS_WITH(import_fid_weights(tmp / "pt_inception-2015-12-05-deadbeef.pth", out),
                      doctest::Contains("does not start with the deadbeef in its name"));
    const fs::path named = hub_named_copy(fixtures() / "pth" / "small_zip.pth", tmp.path(), "small");
    CHECK_THROWS_WITH(import_fid_weights(named, out),
                      doctest::Contains("not pytorch-fid FID-Inception weights"));
    CHECK_THROWS_WITH(import_fid_weights(named, out), doctest::Contains("missing keys: Conv2d_1a_3x3"));
    CHECK_FALSE(fs::exists(out));
    // An earlier import survives a failed one.
    fs::create_directories(out.parent_path());
    write_file_atomic(out, "earlier");
    CHECK_THROWS(import_fid_weights(named, out));
    CHECK(read_file(out) == "earlier");
  }

  TEST_CASE("FID weights: resolution order is the path given, $GANBENCH_FID_WEIGHTS, then the import cache") {
    TempDir tmp;
    EnvGuard cache("XDG_CACHE_HOME", (tmp / "xdg").string());
    ::unsetenv("GANBENCH_FID_WEIGHTS");
    CHECK(cached_fid_weights_path() == tmp / "xdg" / "ganbench" / "fid_inception.safetensors");
    CHECK_THROWS_WITH_AS(resolve_fid_weights(""), doctest::Contains("ganbench weights fetch"),
                         ExtractorUnavailable);
    fs::create_directories(tmp / "xdg" / "ganbench");
    write_file_atomic(cached_fid_weights_path(), "x");
    write_file_atomic(tmp / "xdg" / "ganbench" / "fid_inception.json",
                      "{\"source\": \"pt_inception-2015-12-05-6726825d.pth\", \"sha256\": \"6726825d" +
                          std::string(56, '0') + "\", \"tensors\": 472}\n");
    const auto c = resolve_fid_weights("");
    CHECK(c.path == cached_fid_weights_path());
    CHECK(ganbench::test::contains(c.origin, "imported from pt_inception-2015-12-05-6726825d.pth"));
    CHECK(ganbench::test::contains(c.origin, "pytorch-fid's released file"));
    write_file_atomic(tmp / "w.safetensors", "x");
    {
      EnvGuard env("GANBENCH_FID_WEIGHTS", (tmp / "w.safetensors").string());
      CHECK(resolve_fid_weights("").path == tmp / "w.safetensors");
      CHECK(resolve_fid_weights("").origin == "$GANBENCH_FID_WEIGHTS");
      CHECK(resolve_fid_weights(tmp / "xdg" / "ganbench" / "fid_inception.safetensors").origin ==
            "the path given");
    }
    CHECK_THROWS_WITH_AS(resolve_fid_weights(tmp / "none.safetensors"),
                         doctest::Contains("none.safetensors not found"), ExtractorUnavailable);
  }

  TEST_CASE("FID weights fetch: downloads from a local HTTP server, then checks and imports") {
    TempDir tmp;
    fs::create_directories(tmp / "www");
    const fs::path named = hub_named_copy(fixtures() / "pth" / "small_zip.pth", tmp / "www", "small");
    test::HttpServer server(tmp / "www");
    const fs::path out = tmp / "cache" / "fid_inception.safetensors";
    CHECK_THROWS_WITH(fetch_fid_weights(server.url("missing-01234567.pth"), out),
                      doctest::Contains("failed"));
    // The download arrived (its hash matched its name) and then failed the Inception key check.
    CHECK_THROWS_WITH(fetch_fid_weights(server.url(named.filename().string()), out),
                      doctest::Contains("not pytorch-fid FID-Inception weights"));
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(tmp / "cache" / named.filename()));  // the download is removed
  }

  // Needs full-size .pth files that PyTorch wrote: ctest's weights_formula_pth runs
  // tools/make_pth_fixtures.py --formula DIR and this case with GANBENCH_FORMULA_PTH=DIR.
  TEST_CASE(
      "FID weights: PyTorch-written formula weights import equal to the formula, zip and legacy [python-made]") {
    const char* dir = std::getenv("GANBENCH_FORMULA_PTH");
    REQUIRE_MESSAGE(dir != nullptr, "set GANBENCH_FORMULA_PTH (ctest weights_formula_pth does)");
    const auto expected = test::formula_weights();
    TempDir tmp;
    test::HttpServer server(dir);
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".pth") continue;
      ++files;
      INFO(entry.path().string());
      for (bool fetch : {false, true}) {
        const fs::path out = tmp / (fetch ? "fetched" : "imported") /
                             entry.path().filename().replace_extension(".safetensors");
        const ImportedWeights r = fetch ? fetch_fid_weights(server.url(entry.path().filename().string()), out)
                                        : import_fid_weights(entry.path(), out);
        CHECK_FALSE(r.pytorch_fid);
        CHECK(r.sha256.rfind(hub_hash_prefix(entry.path().filename().string()), 0) == 0);
        const auto got = read_safetensors(out);
        REQUIRE(got.size() == expected.size());
        for (const auto& [key, shape_values] : expected) {
          const auto& t = got.at(key);
          CHECK(t.dtype == "F32");
          CHECK(t.shape == shape_values.first);
          CHECK(t.to_floats() == shape_values.second);  // bit for bit
        }
      }
    }
    CHECK(files == 2);
  }
}
