// Peak memory of the memorization audit's two image-space searches (raw pixels, one-hot label maps) against
// the number of generated images: the streamed searches (nearest_in_pixels, nearest_in_labels) beside the dense
// ones they replaced (every generated image flattened to double; labels one-hot through int64). Each
// measurement runs in its own forked process and reports its peak resident set (getrusage ru_maxrss); "data"
// is the random images and label maps alone, in every other peak.
// Run: build/bench/bench_audit_memory [--size 256] [--samples 1000,4000] [--train 500] [--labels 4] [--threads N]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "bench/fork_measure.h"
#include "common/runtime.h"
#include "metrics/cell_scorer.h"
#include "metrics/memorization.h"

using namespace ganbench;

namespace {
constexpr int64_t kTest = 100;  // held-out test images (their search is small beside the generated one)

struct Setup {
  int64_t size = 256, train = 500, labels = 4;
};

// Runs one mode on fresh random data; returns seconds spent in the search.
double run_mode(const std::string& mode, const Setup& s, int64_t samples) {
  torch::manual_seed(0);
  const auto train_img = torch::rand({s.train, 1, s.size, s.size});
  const auto gen_img = torch::rand({samples, 1, s.size, s.size});
  const auto train_lab = torch::randint(s.labels, {s.train, s.size, s.size}, torch::kInt64);
  const auto gen_lab = torch::randint(s.labels, {samples, s.size, s.size}, torch::kInt64);
  const auto test_img = gen_img.slice(0, 0, kTest);
  const auto test_lab = gen_lab.slice(0, 0, kTest);
  const auto t0 = std::chrono::steady_clock::now();
  MemorizationAudit a;
  if (mode == "pixels-dense") {
    a = memorization_audit(pixel_features(train_img), pixel_features(test_img), pixel_features(gen_img));
  } else if (mode == "pixels-streamed") {
    const Eigen::MatrixXd train_px = pixel_features(train_img);
    a = memorization_audit(nearest_in_pixels(test_img, train_px), nearest_in_pixels(gen_img, train_px));
  } else if (mode == "labels-dense") {
    auto flat = [&](const torch::Tensor& l) { return pixel_features(torch::one_hot(l, s.labels).to(torch::kFloat32)); };
    a = memorization_audit(flat(train_lab), flat(test_lab), flat(gen_lab));
  } else if (mode == "labels-streamed") {
    a = memorization_audit(nearest_in_labels(test_lab, train_lab, s.labels),
                           nearest_in_labels(gen_lab, train_lab, s.labels));
  } else if (mode != "data") {
    std::abort();
  }
  if (mode != "data" && a.distance.size() != static_cast<size_t>(samples)) std::abort();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

using bench::Result;

Result measure(const std::string& mode, const Setup& s, int64_t samples, int threads) {
  return bench::measure_forked([&mode, &s, &samples] { return run_mode(mode, s, samples); }, threads);
}

std::vector<int64_t> parse_list(const std::string& s) {
  std::vector<int64_t> out;
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t next = s.find(',', pos);
    out.push_back(std::stoll(s.substr(pos, next - pos)));
    pos = next == std::string::npos ? s.size() : next + 1;
  }
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  Setup s;
  std::vector<int64_t> samples{1000, 4000};
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool value = i + 1 < argc;
    if (a == "--size" && value) s.size = std::stoll(argv[++i]);
    else if (a == "--samples" && value) samples = parse_list(argv[++i]);
    else if (a == "--train" && value) s.train = std::stoll(argv[++i]);
    else if (a == "--labels" && value) s.labels = std::stoll(argv[++i]);
    else if (a == "--threads" && value) threads = std::stoi(argv[++i]);
    else {
      fmt::print(stderr, "usage: {} [--size 256] [--samples 1000,4000] [--train 500] [--labels 4] [--threads N]\n",
                 argv[0]);
      return 2;
    }
  }
  fmt::print("Memorization audit, {} px, {} training and {} test images, {} labels; {} thread(s), BLAS {}.\n\n",
             s.size, s.train, kTest, s.labels, threads, blas_name());
  fmt::print("| generated | data alone (MiB) | pixels: dense peak (MiB) | streamed (MiB) | dense / streamed above the data | "
             "labels: dense peak (MiB) | streamed (MiB) | dense / streamed above the data | time pixels dense / streamed (s) | "
             "labels dense / streamed (s) |\n");
  fmt::print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  bool ok = true;
  for (int64_t n : samples) {
    const Result data = measure("data", s, n, threads);
    const Result pd = measure("pixels-dense", s, n, threads), ps = measure("pixels-streamed", s, n, threads);
    const Result ld = measure("labels-dense", s, n, threads), ls = measure("labels-streamed", s, n, threads);
    ok = ok && data.ok && pd.ok && ps.ok && ld.ok && ls.ok;
    auto above = [&](const Result& d, const Result& st) {
      return fmt::format("{:.0f} / {:.0f}", d.peak_mib - data.peak_mib, st.peak_mib - data.peak_mib);
    };
    fmt::print("| {} | {:.0f} | {:.0f} | {:.0f} | {} | {:.0f} | {:.0f} | {} | {:.2f} / {:.2f} | {:.2f} / {:.2f} |\n", n,
               data.peak_mib, pd.peak_mib, ps.peak_mib, above(pd, ps), ld.peak_mib, ls.peak_mib, above(ld, ls),
               pd.seconds, ps.seconds, ld.seconds, ls.seconds);
  }
  if (!ok) {
    fmt::print(stderr, "a measurement failed (out of memory?)\n");
    return 1;
  }
  return 0;
}
