// Peak memory and time to generate one image with the multi-scale patch GAN (Uzunova et al. 2019) and with
// a single-scale generator, at several output sizes. Each measurement runs in its own forked process and
// reports that process's peak resident set (getrusage ru_maxrss), so sizes do not share allocator state.
// Run: build/bench/bench_multiscale_memory [--sizes 256,512,1024] [--threads N]
//      build/bench/bench_multiscale_memory --volumes [--sizes 32,64,128,256]   (multiscale3d against dcgan3d)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <torch/torch.h>

#include "architectures/dcgan.h"
#include "architectures/dcgan_nets.h"
#include "architectures/multiscale.h"
#include "architectures/registry.h"
#include "bench/fork_measure.h"
#include "common/runtime.h"

using namespace ganbench;

namespace {
constexpr int kLevel0 = 64;        // multi-scale level-0 side, px; each level doubles it
constexpr int kPatch = 64;         // patch side at levels >= 1, px
constexpr int kBaseChannels = 64;  // DCGAN-shaped generators (level 0 and single-scale)
const ModalitySpec kSpec{"bench", "", 1, 0, {"bg", "a", "b", "c"}};  // 1 image channel, 4 labels
constexpr int kLevel0Volume = 16;         // multiscale3d level-0 side, voxels
constexpr int kPatchVolume = 32;          // multiscale3d patch side at levels >= 1, voxels
constexpr int kPatchChannelsVolume = 8;   // multiscale3d patch generator channels (CPU-sized)

// One volume from multiscale3d or dcgan3d at its 3-D defaults (narrower than in 2-D), written to .npy files in
// a temp folder by sample_to_files: multiscale3d streams its levels through files there, dcgan3d generates the
// volume in memory.
double generate_volume(const std::string& kind, int size) {
  register_builtin_architectures();
  ArchContext ctx;
  ctx.modality = kSpec.at_size(size, 3);
  const bool whole = kind == "multiscale3d-whole";  // the step before patch-first: the whole joint at full size
  if (kind == "multiscale3d" || whole) {
    int levels = 1;
    while ((kLevel0Volume << (levels - 1)) < size) ++levels;
    ctx.options = {{"levels", levels}, {"patch", kPatchVolume}, {"patch_channels", kPatchChannelsVolume}};
    multiscale_whole_volume_step(whole);
  }
  auto model = create_architecture(whole ? "multiscale3d" : kind, ctx);
  char tmpl[] = "/tmp/ganbench-bench-XXXXXX";
  if (!mkdtemp(tmpl)) std::abort();
  const std::filesystem::path dir(tmpl);
  const auto t0 = std::chrono::steady_clock::now();
  model->sample_to_files(0, dir / "volume");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto bytes = std::filesystem::file_size(dir / "volume_images.npy");
  std::filesystem::remove_all(dir);
  if (bytes < static_cast<uintmax_t>(size) * size * size * sizeof(float)) std::abort();
  return secs;
}

constexpr int kTrainBatch = 2;  // volumes per training step in --train

// One training step of multiscale3d or dcgan3d on random volumes (batch kTrainBatch): the step's peak memory,
// the real batch included.
double train_volume(const std::string& kind, int size) {
  register_builtin_architectures();
  ArchContext ctx;
  ctx.modality = kSpec.at_size(size, 3);
  ctx.batch_size = kTrainBatch;
  const bool whole = kind == "multiscale3d-whole";  // the step before patch-first: the whole joint at full size
  if (kind == "multiscale3d" || whole) {
    int levels = 1;
    while ((kLevel0Volume << (levels - 1)) < size) ++levels;
    ctx.options = {{"levels", levels}, {"patch", kPatchVolume}, {"patch_channels", kPatchChannelsVolume}};
    multiscale_whole_volume_step(whole);
  }
  auto model = create_architecture(whole ? "multiscale3d" : kind, ctx);
  const Batch batch{torch::rand({kTrainBatch, 1, size, size, size}),
                    torch::randint(4, {kTrainBatch, size, size, size}, torch::kInt64)};
  const auto t0 = std::chrono::steady_clock::now();
  model->train_step(batch);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double generate(const std::string& kind, int size) {
  if (kind == "train:multiscale3d") return train_volume("multiscale3d", size);
  if (kind == "train:dcgan3d") return train_volume("dcgan3d", size);
  if (kind == "train:multiscale3d-whole") return train_volume("multiscale3d-whole", size);
  ModalitySpec spec = kSpec;
  spec.size = size;
  if (kind == "multiscale3d" || kind == "dcgan3d") return generate_volume(kind, size);
  if (kind == "multiscale") {
    register_builtin_architectures();
    ArchContext ctx;
    ctx.modality = spec;
    int levels = 1;
    while ((kLevel0 << (levels - 1)) < size) ++levels;
    ctx.options = {{"levels", levels}, {"patch", kPatch}, {"base_channels", kBaseChannels}};
    auto model = create_architecture("multiscale", ctx);
    const auto t0 = std::chrono::steady_clock::now();
    const Sample s = model->sample(1, 0);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s.images.size(2) != size) std::abort();
    return secs;
  }
  // Single scale: the same transposed-conv blocks as level 0, extended to the full size in one pass.
  DCGANGenerator g(DCGANShape{1, 4, size, 100, kBaseChannels, 512});
  g->eval();
  torch::NoGradGuard ng;
  const auto t0 = std::chrono::steady_clock::now();
  auto out = g->forward(torch::randn({1, 100}));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (out.size(2) != size) std::abort();
  return secs;
}

using bench::Result;

Result measure(const std::string& kind, int size, int threads) {
  return bench::measure_forked([&kind, &size] { return generate(kind, size); }, threads);
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes{256, 512, 1024};
  int threads = 1;
  bool volumes = false, train = false, only_patch_first = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sizes" && i + 1 < argc) {
      sizes.clear();
      std::string s = argv[++i];
      size_t pos = 0;
      while (pos < s.size()) {
        const size_t next = s.find(',', pos);
        sizes.push_back(std::stoi(s.substr(pos, next - pos)));
        pos = next == std::string::npos ? s.size() : next + 1;
      }
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::stoi(argv[++i]);
    } else if (a == "--train") {
      train = true;
    } else if (a == "--only-patch-first") {  // sizes where the whole-volume step and dcgan3d do not fit in RAM
      only_patch_first = true;
    } else if (a == "--volumes") {
      volumes = true;
      if (sizes == std::vector<int>{256, 512, 1024}) sizes = {32, 64, 128, 256};
    } else {
      fmt::print(stderr, "usage: {} [--volumes [--train [--only-patch-first]]] [--sizes 256,512,1024] [--threads N]\n", argv[0]);
      return 2;
    }
  }
  if (volumes) {
    fmt::print("{}, 1 image channel + 4 label channels; {} thread(s), BLAS {}.\n",
               train ? fmt::format("One training step on {} random volumes", kTrainBatch) : "One volume", threads,
               blas_name());
    fmt::print("multiscale3d: level 0 {}^3, patch {}^3, overlap 1/4, patch channels {}; dcgan3d: its defaults.\n\n",
               kLevel0Volume, kPatchVolume, kPatchChannelsVolume);
    if (train) {  // the patch-first step against the whole-volume one and dcgan3d
      fmt::print("The real batch alone (images float32, labels int64, as a Batch holds them) is in every peak; "
                 "'above the batch' subtracts it.\n\n");
      fmt::print("| side | batch (MiB) | multiscale3d peak RSS (MiB) | vs first | above the batch | vs first | time (s) | "
                 "whole-volume step: peak (MiB) | vs first | time (s) | dcgan3d peak (MiB) | vs first |\n");
      fmt::print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      double m0 = 0, a0 = 0, w0 = 0, d0 = 0;
      bool ok = true;
      for (int size : sizes) {
        const double batch = kTrainBatch * std::pow(size, 3) * (4 + 8) / 1048576.0;
        const Result ms = measure("train:multiscale3d", size, threads);
        Result wh, dc;
        if (!only_patch_first) {
          wh = measure("train:multiscale3d-whole", size, threads);
          dc = measure("train:dcgan3d", size, threads);
        }
        ok = ok && ms.ok && (only_patch_first || (wh.ok && dc.ok));
        if (m0 == 0) m0 = ms.peak_mib, a0 = ms.peak_mib - batch, w0 = wh.peak_mib, d0 = dc.peak_mib;
        fmt::print("| {}³ | {:.0f} | {:.0f} | {:.2f}x | {:.0f} | {:.2f}x | {:.2f} | {:.0f} | {:.2f}x | {:.2f} | {:.0f} | {:.2f}x |\n",
                   size, batch, ms.peak_mib, ms.peak_mib / m0, ms.peak_mib - batch, (ms.peak_mib - batch) / a0, ms.seconds,
                   wh.peak_mib, wh.peak_mib / w0, wh.seconds, dc.peak_mib, dc.peak_mib / d0);
        std::fflush(stdout);
      }
      return ok ? 0 : 1;
    }
    fmt::print("| side | multiscale3d peak RSS (MiB) | vs first | time (s) | dcgan3d peak RSS (MiB) | vs first | time (s) |\n");
    fmt::print("|---:|---:|---:|---:|---:|---:|---:|\n");
    double m0 = 0, d0 = 0;
    bool ok = true;
    for (int size : sizes) {
      const std::string prefix = train ? "train:" : "";
      const Result ms = measure(prefix + "multiscale3d", size, threads);
      const Result dc = measure(prefix + "dcgan3d", size, threads);
      ok = ok && ms.ok && dc.ok;
      if (m0 == 0) m0 = ms.peak_mib, d0 = dc.peak_mib;
      fmt::print("| {}³ | {} | {:.2f}x | {:.2f} | {} | {} | {} |\n", size,
                 ms.ok ? fmt::format("{:.0f}", ms.peak_mib) : "failed", ms.peak_mib / m0, ms.seconds,
                 dc.ok ? fmt::format("{:.0f}", dc.peak_mib) : "failed", dc.ok ? fmt::format("{:.2f}x", dc.peak_mib / d0) : "",
                 dc.ok ? fmt::format("{:.2f}", dc.seconds) : "");
      std::fflush(stdout);
    }
    return ok ? 0 : 1;
  }
  fmt::print("One image, 1 image channel + 4 label channels; {} thread(s), BLAS {}.\n", threads, blas_name());
  fmt::print(
      "Multi-scale: level 0 {} px, patch {} px, overlap 1/4; single-scale: DCGAN-shaped G, same blocks.\n\n",
      kLevel0, kPatch);
  fmt::print(
      "| size | multi-scale peak RSS (MiB) | vs first | time (s) | single-scale peak RSS (MiB) | vs first | "
      "time (s) |\n");
  fmt::print("|---:|---:|---:|---:|---:|---:|---:|\n");
  double ms0 = 0, ss0 = 0;
  bool all_ok = true;
  for (int size : sizes) {
    const Result ms = measure("multiscale", size, threads);
    const Result ss = measure("single", size, threads);
    all_ok = all_ok && ms.ok && ss.ok;
    if (ms0 == 0) ms0 = ms.peak_mib, ss0 = ss.peak_mib;
    fmt::print("| {}² | {:.0f} | {:.2f}x | {:.2f} | {:.0f} | {:.2f}x | {:.2f} |\n", size, ms.peak_mib,
               ms.peak_mib / ms0, ms.seconds, ss.peak_mib, ss.peak_mib / ss0, ss.seconds);
    std::fflush(stdout);
  }
  return all_ok ? 0 : 1;
}
