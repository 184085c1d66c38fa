// What the synthesis and the translation cell runners share. Not a public header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "architectures/gan_model.h"
#include "experiments/cell_runner.h"
#include "experiments/trainer.h"

namespace ganbench {

constexpr uint64_t kKidSeedSalt = 0x41D;  // KID subset draws of a cell's scoring

// The first `n` images and label maps of `s` as <stem>_images.npy and <stem>_labels.npy ([N, C, H, W] and
// [N, H, W]; volumes [N, C, D, H, W] and [N, D, H, W]).
void save_samples(const std::filesystem::path& dir, const std::string& stem, const Sample& s, int64_t n);
// The cell's checkpoint at `step` (<rel_dir>/checkpoints/...) as an artefact row, with the SHA-256 of the file
// under `run_dir`, which `ganbench sample` checks before it trusts the weights.
ArtefactRow checkpoint_artefact(const std::string& cell_id, const std::filesystem::path& run_dir,
                                const std::filesystem::path& rel_dir, int64_t step);
// A cell as it starts: its resolved config, written to <run>/cells/<id>/config.yaml, and its row (ids, config
// hash, host, device, threads) begun in the store; the peak-RSS counter reset.
struct CellStart {
  SweepConfig cfg;
  std::filesystem::path rel_dir, dir;  // cells/<id>, and the same under the run folder
  CellRecord rec;
};
CellStart start_cell(const CellEnv& env, const Cell& cell);
// The trainer's options for one cell: steps, batches, checkpoints, logging, divergence, precision, device.
TrainerOptions trainer_options(const CellEnv& env, const SweepConfig& cfg, const Cell& cell, const GanModel& model,
                               const std::filesystem::path& ckpt_dir, std::shared_ptr<DInputAugment> augment);
// A translation architecture's cell: experiments/translation_cell.cpp.
void run_translation_cell(const CellEnv& env, const Cell& cell);

}  // namespace ganbench
