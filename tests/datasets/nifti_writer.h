// Test-only: writes NIfTI-1 files byte by byte (independent of the reader under test).
#pragma once

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <nifti1.h>

#include "common/atomic_file.h"

namespace ganbench::test {

struct NiftiSpec {
  int nx = 8, ny = 8, nz = 3;
  short datatype = NIFTI_TYPE_INT16;
  float slope = 0, inter = 0;  // 0 slope = no scaling
  float spacing[3] = {1.5f, 1.5f, 5.0f};
  float srow[3][4] = {{-1.5f, 0, 0, 10}, {0, -1.5f, 0, 20}, {0, 0, 5, -30}};  // LPS-stored axial, sform
};

template <typename T>
std::string nifti_bytes(const NiftiSpec& s, const std::vector<T>& voxels) {
  nifti_1_header h;
  std::memset(&h, 0, sizeof h);
  h.sizeof_hdr = 348;
  h.dim[0] = 3, h.dim[1] = s.nx, h.dim[2] = s.ny, h.dim[3] = s.nz, h.dim[4] = 1;
  for (int k = 5; k < 8; ++k) h.dim[k] = 1;
  h.datatype = s.datatype;
  h.bitpix = static_cast<short>(8 * sizeof(T));
  h.pixdim[0] = 1;
  for (int k = 0; k < 3; ++k) h.pixdim[k + 1] = s.spacing[k];
  h.vox_offset = 352;
  h.scl_slope = s.slope, h.scl_inter = s.inter;
  h.sform_code = 1;
  for (int k = 0; k < 4; ++k)
    h.srow_x[k] = s.srow[0][k], h.srow_y[k] = s.srow[1][k], h.srow_z[k] = s.srow[2][k];
  std::memcpy(h.magic, "n+1", 4);
  std::string out(reinterpret_cast<const char*>(&h), sizeof h);
  out.append(4, '\0');  // no extensions
  out.append(reinterpret_cast<const char*>(voxels.data()), voxels.size() * sizeof(T));
  return out;
}

inline std::string gzip(const std::string& raw) {
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // +16: gzip wrapper
  std::string out(deflateBound(&zs, raw.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

template <typename T>
void write_nifti(const std::filesystem::path& p, const NiftiSpec& s, const std::vector<T>& voxels) {
  std::filesystem::create_directories(p.parent_path());
  const std::string raw = nifti_bytes(s, voxels);
  const bool gz = p.extension() == ".gz";
  write_file_atomic(p, gz ? gzip(raw) : raw);
}

}  // namespace ganbench::test
