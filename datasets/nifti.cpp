#include "datasets/nifti.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>
#include <nifti2_io.h>
#include <zlib.h>

#include "common/atomic_file.h"

namespace ganbench {
namespace {

template <typename T>
void convert(const void* src, size_t n, float slope, float inter, std::vector<float>& out) {
  const T* p = static_cast<const T*>(src);
  out.resize(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<double>(p[i]) * slope + inter);
}

struct NiftiDeleter {
  void operator()(nifti_image* nim) const { nifti_image_free(nim); }
};

}  // namespace

bool has_nifti_suffix(const std::filesystem::path& path) {
  const std::string n = path.filename().string();
  auto ends = [&](const std::string& e) { return n.size() >= e.size() && n.compare(n.size() - e.size(), e.size(), e) == 0; };
  return ends(".nii") || ends(".nii.gz");
}

namespace {
// `nim` (header and data) as one NIfTI-1 file's bytes (.nii.gz: gzip), written with write_file_atomic: no
// half-written file, and a failed write (a full disk) is an error naming `out`. libnifti's own writer
// reports a short write only on stderr, so the bytes are built here and written by ganbench's writer.
void write_image_atomic(nifti_image* nim, const std::filesystem::path& out) {
  if (!has_nifti_suffix(out)) throw std::invalid_argument(fmt::format("{}: not a .nii or .nii.gz name", out.string()));
  nifti_1_header h;
  if (nifti_convert_nim2n1hdr(nim, &h) != 0)
    throw std::runtime_error(fmt::format("{}: the image does not fit a NIfTI-1 header", out.string()));
  std::memcpy(h.magic, "n+1\0", 4);  // one file: header, 4 extension bytes (none), voxels
  h.vox_offset = 352;
  const size_t payload = static_cast<size_t>(nim->nvox) * static_cast<size_t>(nim->nbyper);
  std::string raw(352 + payload, '\0');
  std::memcpy(raw.data(), &h, sizeof h);
  std::memcpy(raw.data() + 352, nim->data, payload);
  const std::string n = out.filename().string();
  if (n.size() < 3 || n.compare(n.size() - 3, 3, ".gz") != 0) {
    write_file_atomic(out, raw);
    return;
  }
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)  // 16: gzip
    throw std::bad_alloc();
  std::string gz(deflateBound(&z, static_cast<uLong>(raw.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(raw.data());
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = static_cast<uInt>(gz.size());
  const int rc = deflate(&z, Z_FINISH);
  gz.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error(fmt::format("{}: gzip compression failed", out.string()));
  write_file_atomic(out, gz);
}

}  // namespace

Volume read_nifti(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error(fmt::format("{}: no such file", path.string()));
  static std::once_flag quiet;
  std::call_once(quiet, [] { nifti_set_debug_level(0); });  // errors are reported by us, with the path
  // The header first, then the voxels into the same image: a few hundred bytes may claim gigabytes of
  // voxels, which libnifti2 would allocate before finding the file short (fuzz_nifti's first find). The
  // payload must fit in the file: in a .gz, within deflate's largest expansion (1032:1). A negative voxel
  // offset (its second find) would make room.
  std::unique_ptr<nifti_image, NiftiDeleter> nim(nifti_image_read(path.c_str(), 0));
  if (nim) {
    const auto file_bytes = static_cast<double>(std::filesystem::file_size(path, ec));
    const double payload = static_cast<double>(nim->nvox) * nim->nbyper;
    const bool gz = path.extension() == ".gz";
    const double room = gz ? file_bytes * 1032.0 : file_bytes - static_cast<double>(nim->iname_offset);
    if (nim->nvox < 0 || nim->nbyper <= 0 || nim->iname_offset < 0 || payload > room)
      throw std::runtime_error(fmt::format("{}: the header claims {:.0f} bytes of voxels, more than the {} holds",
                                           path.string(), payload, gz ? "compressed file can" : "file"));
  }
  if (!nim || nifti_image_load(nim.get()) != 0 || !nim->data)
    throw std::runtime_error(fmt::format(
        "{}: cannot read as NIfTI (not a NIfTI-1/2 file, or truncated or corrupt; a .gz must be complete)",
        path.string()));
  if (nim->ndim > 3 && nim->nt * nim->nu * nim->nv * nim->nw > 1)
    throw std::runtime_error(fmt::format(
        "{}: {}-D series with {} frames; give one 3-D frame per file (ACDC: patientNNN_frameNN.nii.gz)",
        path.string(), nim->ndim, nim->nt * nim->nu * nim->nv * nim->nw));
  Volume v;
  v.path = path;
  v.nx = nim->nx, v.ny = std::max<int64_t>(1, nim->ny), v.nz = std::max<int64_t>(1, nim->nz);
  v.spacing = {std::fabs(nim->dx), std::fabs(nim->dy), std::fabs(nim->dz)};
  v.datatype = nifti_datatype_to_string(nim->datatype);
  if (v.datatype.rfind("NIFTI_TYPE_", 0) == 0) v.datatype = v.datatype.substr(11);
  const size_t n = static_cast<size_t>(v.nx * v.ny * v.nz);
  if (static_cast<size_t>(nim->nvox) < n)
    throw std::runtime_error(fmt::format("{}: header gives fewer voxels than its dimensions", path.string()));
  // NIfTI: a slope of 0 means "no scaling".
  const bool scaled = nim->scl_slope != 0.0 && std::isfinite(nim->scl_slope) && std::isfinite(nim->scl_inter);
  const float slope = scaled ? static_cast<float>(nim->scl_slope) : 1.0f;
  const float inter = scaled ? static_cast<float>(nim->scl_inter) : 0.0f;
  switch (nim->datatype) {
    case NIFTI_TYPE_UINT8:
      convert<uint8_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_INT8:
      convert<int8_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_INT16:
      convert<int16_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_UINT16:
      convert<uint16_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_INT32:
      convert<int32_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_UINT32:
      convert<uint32_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_INT64:
      convert<int64_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_UINT64:
      convert<uint64_t>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_FLOAT32:
      convert<float>(nim->data, n, slope, inter, v.data);
      break;
    case NIFTI_TYPE_FLOAT64:
      convert<double>(nim->data, n, slope, inter, v.data);
      break;
    default:
      throw std::runtime_error(
          fmt::format("{}: unsupported NIfTI datatype {} (supported: integer types, FLOAT32, FLOAT64)",
                      path.string(), v.datatype));
  }
  for (float x : v.data)
    if (!std::isfinite(x))
      throw std::runtime_error(fmt::format("{}: contains NaN or Inf voxels", path.string()));
  const auto& m = nim->sform_code > 0 ? nim->sto_xyz : nim->qto_xyz;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) v.affine[r * 4 + c] = m.m[r][c];
  return v;
}

void check_same_geometry(const Volume& a, const Volume& b, double tol_mm) {
  const auto where = fmt::format("{} and {}", a.path.string(), b.path.string());
  if (a.nx != b.nx || a.ny != b.ny || a.nz != b.nz)
    throw std::runtime_error(
        fmt::format("{}: grids differ ({}x{}x{} vs {}x{}x{})", where, a.nx, a.ny, a.nz, b.nx, b.ny, b.nz));
  for (int k = 0; k < 3; ++k)
    if (std::fabs(a.spacing[k] - b.spacing[k]) > 1e-3 * std::max(1.0, a.spacing[k]))
      throw std::runtime_error(fmt::format("{}: voxel sizes differ on axis {} ({} vs {} mm)", where, k,
                                           a.spacing[k], b.spacing[k]));
  for (int k = 0; k < 12; ++k)
    if (std::fabs(a.affine[k] - b.affine[k]) > tol_mm)
      throw std::runtime_error(
          fmt::format("{}: affines differ (entry {}: {} vs {})", where, k, a.affine[k], b.affine[k]));
}

namespace {
// Where slice_view's pixel (r, c) of a slice lives in the voxel grid: the orientation, once per volume.
struct SliceMap {
  int64_t rows = 0, cols = 0;
  bool transpose = false, flip_rows = false, flip_cols = false;
  int64_t voxel(const Volume& v, int64_t r, int64_t c, int64_t z) const {
    const int64_t rr = flip_rows ? rows - 1 - r : r, cc = flip_cols ? cols - 1 - c : c;
    const int64_t x = transpose ? rr : cc, y = transpose ? cc : rr;
    return (z * v.ny + y) * v.nx + x;
  }
};

SliceMap slice_map(const Volume& v, int64_t z) {
  if (z < 0 || z >= v.nz)
    throw std::out_of_range(fmt::format("{}: slice {} of {}", v.path.string(), z, v.nz));
  // Which world axis (0 = x/R, 1 = y/A, 2 = z/S) each in-plane voxel axis mostly follows, and its sign.
  auto dominant = [&](int col) {
    int best = 0;
    for (int r = 1; r < 3; ++r)
      if (std::fabs(v.affine[r * 4 + col]) > std::fabs(v.affine[best * 4 + col])) best = r;
    return best;
  };
  const int wi = dominant(0), wj = dominant(1);
  SliceMap m;
  if ((wi == 0 && wj == 1) || (wi == 1 && wj == 0)) {
    m.transpose = wi == 1;  // columns must follow world x
    const int col_axis = m.transpose ? 1 : 0, row_axis = m.transpose ? 0 : 1;
    m.flip_cols = v.affine[0 * 4 + col_axis] > 0;  // columns run towards patient left (-x in RAS)
    m.flip_rows = v.affine[1 * 4 + row_axis] > 0;  // rows run anterior to posterior (-y in RAS)
  }
  m.rows = m.transpose ? v.nx : v.ny;
  m.cols = m.transpose ? v.ny : v.nx;
  return m;
}
}  // namespace

SliceView slice_view(const Volume& v, int64_t z) {
  const SliceMap m = slice_map(v, z);
  SliceView s;
  s.rows = m.rows;
  s.cols = m.cols;
  s.values.resize(static_cast<size_t>(s.rows * s.cols));
  for (int64_t r = 0; r < s.rows; ++r)
    for (int64_t c = 0; c < s.cols; ++c) s.values[r * s.cols + c] = v.data[m.voxel(v, r, c, z)];
  return s;
}

void put_slice(Volume& v, int64_t z, const SliceView& s) {
  const SliceMap m = slice_map(v, z);
  if (s.rows != m.rows || s.cols != m.cols || s.values.size() != static_cast<size_t>(m.rows * m.cols))
    throw std::invalid_argument(fmt::format("{}: slice {} must be {} x {}, got {} x {}", v.path.string(), z, m.rows,
                                            m.cols, s.rows, s.cols));
  for (int64_t r = 0; r < s.rows; ++r)
    for (int64_t c = 0; c < s.cols; ++c) v.data[m.voxel(v, r, c, z)] = s.values[r * s.cols + c];
}

void write_nifti_like(const std::filesystem::path& like, const std::filesystem::path& out,
                      const std::vector<float>& values, const std::string& descrip) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { nifti_set_debug_level(0); });
  std::unique_ptr<nifti_image, NiftiDeleter> nim(nifti_image_read(like.c_str(), 0));  // the header alone
  if (!nim) throw std::runtime_error(fmt::format("{}: cannot read as NIfTI", like.string()));
  if (static_cast<int64_t>(values.size()) != nim->nx * nim->ny * std::max<int64_t>(1, nim->nz))
    throw std::invalid_argument(fmt::format("{}: {} values for a {} x {} x {} grid", out.string(), values.size(),
                                            nim->nx, nim->ny, nim->nz));
  nim->datatype = DT_FLOAT32;
  nim->nbyper = 4;
  nim->scl_slope = 0;  // values are stored as they are
  nim->scl_inter = 0;
  nim->cal_min = nim->cal_max = 0;
  std::snprintf(nim->descrip, sizeof(nim->descrip), "%s", descrip.c_str());
  nim->data = std::malloc(values.size() * sizeof(float));
  if (!nim->data) throw std::bad_alloc();
  std::memcpy(nim->data, values.data(), values.size() * sizeof(float));
  write_image_atomic(nim.get(), out);
}

}  // namespace ganbench

namespace ganbench {

void write_nifti(const std::filesystem::path& out, const NiftiWrite& w) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { nifti_set_debug_level(0); });
  const int64_t n = w.nx * w.ny * w.nz;
  const bool labels = !w.labels.empty();
  if (w.nx <= 0 || w.ny <= 0 || w.nz <= 0 || static_cast<int64_t>(labels ? w.labels.size() : w.values.size()) != n ||
      (labels && !w.values.empty()))
    throw std::invalid_argument(fmt::format("{}: {} values for a {} x {} x {} grid", out.string(),
                                            labels ? w.labels.size() : w.values.size(), w.nx, w.ny, w.nz));
  for (double s : w.spacing)
    if (!(s > 0) || !std::isfinite(s)) throw std::invalid_argument(fmt::format("{}: voxel size {} mm", out.string(), s));
  const int64_t dims[8] = {3, w.nx, w.ny, w.nz, 1, 1, 1, 1};
  std::unique_ptr<nifti_image, NiftiDeleter> nim(nifti_make_new_nim(dims, labels ? DT_UINT8 : DT_FLOAT32, 0));
  if (!nim) throw std::bad_alloc();
  nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;  // NIfTI-1: what every reader (ITK, nibabel, FSL) takes
  nim->dx = nim->pixdim[1] = w.spacing[0];
  nim->dy = nim->pixdim[2] = w.spacing[1];
  nim->dz = nim->pixdim[3] = w.spacing[2];
  nim->xyz_units = NIFTI_UNITS_MM;
  // Identity orientation: voxel (i, j, k) at (i dx, j dy, k dz) mm, in both the qform and the sform.
  nifti_dmat44 m{};
  for (int a = 0; a < 3; ++a) m.m[a][a] = w.spacing[a];
  m.m[3][3] = 1;
  nim->qform_code = nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->sto_xyz = m;
  nim->sto_ijk = nifti_dmat44_inverse(m);
  nifti_dmat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x, &nim->qoffset_y,
                          &nim->qoffset_z, nullptr, nullptr, nullptr, &nim->qfac);
  nim->qto_xyz = m;
  nim->qto_ijk = nim->sto_ijk;
  std::snprintf(nim->descrip, sizeof(nim->descrip), "%s", w.descrip.c_str());
  const size_t bytes = static_cast<size_t>(n) * (labels ? 1 : 4);
  nim->data = std::malloc(bytes);
  if (!nim->data) throw std::bad_alloc();
  std::memcpy(nim->data, labels ? static_cast<const void*>(w.labels.data()) : static_cast<const void*>(w.values.data()),
              bytes);
  write_image_atomic(nim.get(), out);
}

}  // namespace ganbench
