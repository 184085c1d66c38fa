// `ganbench sample`: a finished synthesis cell's generator turned into a dataset other tools read (nnU-Net v2,
// the Medical Segmentation Decathlon with a MONAI datalist, NIfTI, PNG or .npy), every case marked synthetic,
// with a provenance record of the model and its validation metrics, behind a memorization gate.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <c10/core/Device.h>

namespace ganbench {

constexpr double kNearCopyGate = 0.10;  // default gate: 2 x the 0.05 near-copy fraction of fresh draws

struct SampleExportOptions {
  std::filesystem::path run_dir;  // the sweep's run folder
  std::string cell;               // a finished synthesis cell's id
  int64_t n = 0;                  // cases to write
  std::filesystem::path out;      // the dataset folder (nnunet: named DatasetXXX_Name)
  std::string format = "nnunet";  // nnunet | msd | nifti | png | npy
  uint64_t seed = 0;              // batch b's latents come from mix_seed(seed, b)
  std::optional<double> truncation;  // StyleGAN2's psi; architectures without a mapping network refuse it
  int64_t batch = 16;                // cases per generator call (part of the seeding: recorded)
  int64_t checkpoint = -1;           // a checkpoint step; -1 = the final one
  int bits = 16;                     // png: 8 or 16 bits per image channel
  bool resume = false;               // complete an interrupted export of the same command
  bool allow_near_copies = false;    // override the memorization gate (recorded in the provenance)
  double near_copy_limit = kNearCopyGate;  // the gate: the largest near-copy fraction in any space
  std::optional<double> dedupe;  // drop samples whose nearest training image is closer (pixel-space L2)
  c10::Device device = c10::kCPU;
  // Called once the export is checked and the model loaded, before the first file is written (tests set a
  // file-size limit here: the results database stays outside it).
  std::function<void()> before_write;
};

struct SampleExportResult {
  int64_t written = 0;  // cases written by this call
  int64_t skipped = 0;  // complete cases found (--resume)
  int64_t dropped = 0;  // samples dropped by --dedupe-against-train
  std::filesystem::path provenance;
};

// The layouts, as `--format` names them.
const std::vector<std::string>& sample_formats();

// Writes the export. Throws std::runtime_error naming the problem, before any case is written, for: an unknown
// cell, one that is not done or not a synthesis cell, a missing checkpoint, one whose SHA-256 differs from the
// stored one, a gate refusal (no audit, or a near-copy fraction above the limit), a folder that holds other
// files or another export, a format the modality cannot take (RGB in one-channel NIfTI layouts, volumes as
// PNG). Every file is written atomically; a failed write (a full disk) stops the export with the case named,
// and --resume completes it.
SampleExportResult sample_export(const SampleExportOptions& opts);

}  // namespace ganbench
