// NIfTI-1 / NIfTI-2 volumes (.nii, .nii.gz) through libnifti2, as float arrays with scaling applied.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ganbench {

struct Volume {
  std::vector<float> data;          // nx*ny*nz values, x fastest; scl_slope/scl_inter applied
  int64_t nx = 0, ny = 0, nz = 0;   // grid size (a 2-D image has nz = 1)
  std::array<double, 3> spacing{};  // voxel size per axis, mm
  std::array<double, 16> affine{};  // voxel -> world (RAS+, mm), row-major; sform, else qform
  std::string datatype;             // NIfTI datatype name, e.g. "INT16"
  std::filesystem::path path;
  float at(int64_t x, int64_t y, int64_t z) const { return data[(z * ny + y) * nx + x]; }
};

// True for a file name ending in .nii or .nii.gz.
bool has_nifti_suffix(const std::filesystem::path& path);

// Throws std::runtime_error naming `path` for a missing, truncated or corrupt file, a 4-D series
// with more than one frame, or a datatype other than (u)int8/16/32/64 and float32/64.
Volume read_nifti(const std::filesystem::path& path);

// Throws naming both files unless grid size, voxel size (1e-3 relative) and affine (`tol_mm`) agree.
void check_same_geometry(const Volume& image, const Volume& label, double tol_mm = 0.01);

// An in-plane view of slice z: `rows` x `cols` values, oriented by the affine so that, for an
// axis-aligned axial volume, anterior is up and patient right is on the image left (radiological).
// Oblique or non-axial volumes keep the stored order (x across, y down).
struct SliceView {
  int64_t rows = 0, cols = 0;
  std::vector<float> values;
};
SliceView slice_view(const Volume& v, int64_t z);
// The inverse: writes `s` (as slice_view returns it) back into slice z of `v`. Throws on a size mismatch.
void put_slice(Volume& v, int64_t z, const SliceView& s);

// `values` (x fastest, `like`'s grid) as a float32 NIfTI with `like`'s header (geometry, affine, units) and
// `descrip` (at most 79 characters kept), written atomically to `out` (.nii or .nii.gz).
void write_nifti_like(const std::filesystem::path& like, const std::filesystem::path& out,
                      const std::vector<float>& values, const std::string& descrip);

// A new volume: float32 `values` or uint8 `labels` (one of the two; x fastest), `spacing` mm per axis, an
// identity orientation (voxel (i, j, k) at (i dx, j dy, k dz) mm in both the qform and the sform, code 1),
// NIfTI-1, `descrip` (at most 79 characters kept). Written atomically to `out` (.nii or .nii.gz); throws naming
// it for a size mismatch or a failed write (a full disk).
struct NiftiWrite {
  int64_t nx = 0, ny = 0, nz = 1;
  std::array<double, 3> spacing{1, 1, 1};
  std::vector<float> values;
  std::vector<uint8_t> labels;
  std::string descrip;
};
void write_nifti(const std::filesystem::path& out, const NiftiWrite& w);

}  // namespace ganbench
