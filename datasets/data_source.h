// Where a modality's images come from: the built-in phantom or a real dataset on disk (ACDC, LiTS,
// MSD, nnU-Net v2, SynthRAD2023, or a folder of images with masks), and how they are turned into [0,1] slices.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "datasets/dataset.h"
#include "datasets/modality.h"

namespace ganbench {

struct SourceConfig {
  std::string format = "phantom";  // phantom | acdc | lits | msd | nnunet | synthrad | folder
  std::filesystem::path path;      // dataset root (real formats only)
  std::string images = "images";   // folder: subfolder with the images
  std::string masks = "masks";     // folder: subfolder with the label masks (matched by name)
  bool skip_empty = true;          // NIfTI: keep only slices whose label map has foreground
  int64_t max_subjects = 0;        // use at most this many subjects (sorted by id); 0 = all
  // folder: a regular expression with one capture group that finds the subject id in a file stem (e.g.
  // "^(\\w+)_slice\\d+"), so one patient's slices never straddle a split; "" = each file is a subject.
  std::string subject;
  // NIfTI MR: the images already hold [0, 1] intensities (as `ganbench sample` writes MR), so they are read as
  // they are, without the percentile normalisation. CT is always read in HU through the window.
  bool unit_range = false;
};

struct DataConfig {
  int64_t count = 600;         // phantom subjects (one slice, or one volume with dims 3, each)
  int64_t dims = 2;            // 2: images; 3: cube volumes of image_size^3 voxels
  double spacing_mm = 0;       // volumes from NIfTI: isotropic voxel side, mm; 0 = fit the longest side
  uint64_t seed = 1234;        // phantom geometry and the subject split; fixed across cell seeds
  double val_fraction = 0.1;   // subjects held for validation
  double test_fraction = 0.2;  // subjects held out for testing
  IntensityOptions intensity;  // CT window, MRI percentiles
  std::map<std::string, SourceConfig> sources;  // per modality; a modality not listed uses its phantom
  // A sweep axis (data scarcity): each cell trains on the first N subjects of the training split, nested
  // across N; validation, test and the scoring reference stay whole. Empty = all training subjects.
  std::vector<uint64_t> train_subjects;
  const SourceConfig& source_for(const std::string& modality) const;
};

// The folder source's subject pattern, compiled; throws std::invalid_argument unless it has exactly one
// capture group. An empty pattern gives an empty regex.
std::regex folder_subject_regex(const std::string& pattern);

// Formats a modality can be read from; "phantom" is always valid.
const std::vector<std::string>& real_formats();

// All images of `modality` at `size` px from the source `data` gives it, one subject id per image. With
// data.dims 3, volumes: the phantom's, or each NIfTI image/label pair resampled to isotropic data.spacing_mm
// (trilinear images, nearest-neighbour labels), intensities mapped as for slices, then centred in a size^3
// cube (cropped, or zero-padded), in the file's voxel order (z, y, x) = NIfTI (k, j, i).
// Throws std::runtime_error naming the file or folder for missing, empty or malformed data.
// `max_subjects` > 0 caps the number of subjects read (previews).
ImageSet load_modality_data(const ModalityEntry& modality, const DataConfig& data, int size,
                            int64_t max_subjects = 0);

// Preprocessing, exposed for tests. Slices are `rows` x `cols`, row-major.
// MRI: the `lo`/`hi` percentiles of `v` map to 0 and 1, clipped.
void normalise_percentiles(std::vector<float>& v, double lo, double hi);
// Zero-pads to a centred square, then resizes to `size`: area averaging when shrinking, bilinear
// when enlarging (images), nearest neighbour (labels).
std::vector<float> square_resize_image(const std::vector<float>& v, int rows, int cols, int channels,
                                       int size);
std::vector<uint8_t> square_resize_labels(const std::vector<uint8_t>& v, int rows, int cols, int size);

}  // namespace ganbench
