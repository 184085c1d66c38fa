#include <doctest/doctest.h>

#include <cstdlib>

#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>

#include "common/safetensors.h"
#include "metrics/fid_folder.h"
#include "metrics/frechet.h"
#include "metrics/inception_extractor.h"
#include "tests/metrics/formula_weights.h"
#include "tests/test_util.h"

using namespace ganbench;
using ganbench::test::TempDir;
namespace fs = std::filesystem;

namespace {
void write_weights(const fs::path& p) { ganbench::test::write_formula_weights(p); }

void write_folder(const fs::path& dir, int n, int offset) {
  fs::create_directories(dir);
  cv::RNG rng(static_cast<uint64_t>(offset + 1));
  for (int i = 0; i < n; ++i) {
    cv::Mat m(24 + 4 * i, 32, CV_8UC3);  // sizes differ image to image
    rng.fill(m, cv::RNG::UNIFORM, cv::Scalar::all(offset), cv::Scalar::all(offset + 150));
    REQUIRE(cv::imwrite((dir / fmt::format("{:03d}.png", i)).string(), m));
  }
}
}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("fid folders: stats stream in batches, match a direct pass, and round-trip through .npz") {
    TempDir tmp;
    write_weights(tmp / "w.safetensors");
    write_folder(tmp / "a", 5, 0);
    write_folder(tmp / "b", 4, 90);
    cv::imwrite((tmp / "a" / "gray.pgm").string(), cv::Mat(30, 30, CV_8U, cv::Scalar(77)));
    write_file_atomic(tmp / "a" / "notes.txt", "ignored: not an image extension");
    write_file_atomic(tmp / "a" / "UPPER.PNG", "ignored: pytorch-fid's globs are lower case");
    CHECK(list_fid_images(tmp / "a").size() == 6);
    // Grey is repeated to RGB.
    const auto g = read_rgb_image(tmp / "a" / "gray.pgm");
    CHECK((g.sizes() == torch::IntArrayRef({3, 30, 30})));
    CHECK(g[2][0][0].item<float>() == doctest::Approx(77.0 / 255));

    ExtractorOptions eo;
    eo.inception_weights = tmp / "w.safetensors";
    eo.inception_dims = 192;  // a cheap tap; the pipeline is the same for 2048
    InceptionExtractor ex(eo);
    FolderStatsOptions fo;
    fo.batch_size = 2;  // several batches
    fo.progress = false;
    const FeatureStats sa = folder_stats(tmp / "a", ex, fo);
    CHECK(sa.n == 6);
    CHECK(sa.mu.size() == 192);
    // The same numbers from one direct pass over the resized images.
    std::vector<torch::Tensor> imgs;
    for (const auto& f : list_fid_images(tmp / "a"))
      imgs.push_back(torch::nn::functional::interpolate(read_rgb_image(f).unsqueeze(0),
                                                        torch::nn::functional::InterpolateFuncOptions()
                                                            .size(std::vector<int64_t>{299, 299})
                                                            .mode(torch::kBilinear)
                                                            .align_corners(false)));
    const FeatureStats direct = compute_stats(to_eigen(ex.extract(torch::cat(imgs, 0))));
    CHECK((sa.mu - direct.mu).cwiseAbs().maxCoeff() < 1e-6);
    CHECK((sa.sigma - direct.sigma).cwiseAbs().maxCoeff() < 1e-6);

    const FeatureStats sb = folder_stats(tmp / "b", ex, fo);
    const double fid = frechet_distance(sa, sb);
    CHECK(fid > 0);
    save_stats_npz(tmp / "a.npz", sa);
    CHECK(frechet_distance(load_stats_npz(tmp / "a.npz"), sb) == doctest::Approx(fid).epsilon(1e-12));
    // A cache hit returns the same statistics without recomputing.
    fo.cache_dir = tmp / "cache";
    const FeatureStats c1 = folder_stats(tmp / "a", ex, fo), c2 = folder_stats(tmp / "a", ex, fo);
    CHECK(fs::exists(tmp / "cache"));
    CHECK(frechet_distance(c2, sb) == doctest::Approx(fid).epsilon(1e-5));  // threads may reorder sums
    CHECK((c1.mu - c2.mu).cwiseAbs().maxCoeff() == 0.0);
    // An image replaced in place (same name, same size, same mtime) is seen: the cache is keyed by content.
    const auto gray = tmp / "a" / "gray.pgm";
    const auto mtime = fs::last_write_time(gray);
    const auto size = fs::file_size(gray);
    cv::imwrite(gray.string(), cv::Mat(30, 30, CV_8U, cv::Scalar(78)));
    fs::last_write_time(gray, mtime);
    REQUIRE(fs::file_size(gray) == size);
    const FeatureStats c3 = folder_stats(tmp / "a", ex, fo);
    CHECK((c3.mu - c1.mu).cwiseAbs().maxCoeff() > 0.0);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp / "cache")) ++entries;
    CHECK(entries == 2);
  }

  TEST_CASE("Inception feature caches are keyed by the weights' content: a file replaced in place is seen") {
    TempDir tmp;
    const fs::path w = tmp / "w.safetensors";
    auto weights = ganbench::test::formula_weights();
    write_safetensors(w, weights);
    const auto mtime = fs::last_write_time(w);
    ExtractorOptions eo;
    eo.inception_weights = w;
    const std::string before = InceptionExtractor(eo).cache_key();
    CHECK(InceptionExtractor(eo).cache_key() == before);  // deterministic
    weights.at("fc.bias").second[0] += 1.0f;  // same size, and the old mtime restored below
    write_safetensors(w, weights);
    fs::last_write_time(w, mtime);
    CHECK(InceptionExtractor(eo).cache_key() != before);
  }

  TEST_CASE("fid folders: bad input is one clear error") {
    TempDir tmp;
    write_weights(tmp / "w.safetensors");
    ExtractorOptions eo;
    eo.inception_weights = tmp / "w.safetensors";
    eo.inception_dims = 64;
    InceptionExtractor ex(eo);
    FolderStatsOptions fo;
    fo.progress = false;
    CHECK_THROWS_WITH(folder_stats(tmp / "missing", ex, fo), doctest::Contains("missing: folder not found"));
    fs::create_directories(tmp / "empty");
    CHECK_THROWS_WITH(folder_stats(tmp / "empty", ex, fo), doctest::Contains("no images"));
    write_folder(tmp / "one", 1, 0);
    CHECK_THROWS_WITH(folder_stats(tmp / "one", ex, fo), doctest::Contains("at least 2"));
    write_folder(tmp / "bad", 3, 0);
    write_file_atomic(tmp / "bad" / "001.png", "\\x89PNG truncated");
    CHECK_THROWS_WITH(folder_stats(tmp / "bad", ex, fo), doctest::Contains("001.png: cannot decode image"));
    fo.batch_size = 1;  // the bad file in a later batch, read by the reader thread while batch 0 runs
    CHECK_THROWS_WITH(folder_stats(tmp / "bad", ex, fo), doctest::Contains("001.png: cannot decode image"));
    fo.batch_size = 50;
    fs::remove(tmp / "bad" / "001.png");
    fs::copy_file(ganbench::test::fixtures() / "images/huge_height.bmp", tmp / "bad" / "001.bmp");
    CHECK_THROWS_WITH_AS(folder_stats(tmp / "bad", ex, fo), doctest::Contains("001.bmp: cannot decode image: "),
                         std::runtime_error);  // OpenCV's own exception, named like the rest
    // Weights: none configured (and none in the environment) is "unavailable", never random weights.
    ::unsetenv("GANBENCH_FID_WEIGHTS");
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const std::string old_xdg = xdg ? xdg : "";
    ::setenv("XDG_CACHE_HOME", (tmp / "no-cache").c_str(), 1);  // not the user's imported weights
    CHECK_THROWS_AS(resolve_fid_weights(""), ExtractorUnavailable);
    xdg ? (void)::setenv("XDG_CACHE_HOME", old_xdg.c_str(), 1) : (void)::unsetenv("XDG_CACHE_HOME");
    ::setenv("GANBENCH_FID_WEIGHTS", (tmp / "w.safetensors").c_str(), 1);
    CHECK(resolve_fid_weights("").path == tmp / "w.safetensors");
    ::unsetenv("GANBENCH_FID_WEIGHTS");
    write_file_atomic(tmp / "junk.safetensors", "not weights at all");
    eo.inception_weights = tmp / "junk.safetensors";
    CHECK_THROWS_WITH(InceptionExtractor{eo}, doctest::Contains("not a valid safetensors file"));
    eo.inception_weights = tmp / "w.safetensors";
    eo.inception_dims = 100;
    CHECK_THROWS_WITH(InceptionExtractor{eo}, doctest::Contains("64, 192, 768 or 2048"));
  }
}
