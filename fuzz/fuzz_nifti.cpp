// libFuzzer target: NIfTI-1/2 volumes (.nii and .nii.gz) through read_nifti (header checks, datatype,
// dimensions, scaling, gz) and every slice_view. libnifti2 reads from a path, so each input is written to a
// per-process file; the first byte picks plain or gzip-compressed.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>

#include <zlib.h>

#include "datasets/nifti.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool gz = data[0] & 1;
  const std::string path =
      "/tmp/ganbench-fuzz-nifti-" + std::to_string(::getpid()) + (gz ? ".nii.gz" : ".nii");
  if (gz) {
    gzFile f = gzopen(path.c_str(), "wb1");
    if (!f) return 0;
    gzwrite(f, data + 1, static_cast<unsigned>(size - 1));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data) + 1, size - 1);
  }
  try {
    const ganbench::Volume v = ganbench::read_nifti(path);
    for (int64_t z = 0; z < v.nz; ++z) ganbench::slice_view(v, z);
  } catch (const std::runtime_error&) {
  }
  ::unlink(path.c_str());
  return 0;
}
