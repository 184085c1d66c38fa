// `ganbench translate`: a trained translation cell applied to a user's files, with the preprocessing its
// training data had (the source modality's CT window or MRI percentiles, the square pad and resize to the
// cell's image size), and the result written back in the input's format and geometry.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <c10/core/Device.h>

namespace ganbench {

struct TranslateFilesOptions {
  std::filesystem::path run_dir;  // the sweep's run folder
  std::string cell;               // a translation cell's id
  std::filesystem::path input;    // a file, or a folder of them (.nii, .nii.gz, .png, .tif, .npy)
  std::filesystem::path output;   // a file for a file, a folder for a folder
  c10::Device device = c10::kCPU;
};

// Translates every input file and returns the files written. NIfTI: each slice along the third voxel axis,
// oriented as the loaders orient it, back into the input's grid and header (float32; HU for a CT target,
// [0, 1] otherwise). PNG/TIFF: the input's size and bit depth. .npy ([H, W] or [C, H, W] in [0, 1]): float32.
// Throws naming the file for an unknown cell, a cell that is not a finished translation cell, or a file of
// the wrong channel count or format; each output is written atomically.
std::vector<std::filesystem::path> translate_files(const TranslateFilesOptions& opts);

}  // namespace ganbench
