// libFuzzer target: the image-folder data source (load_modality_data with format "folder"): OpenCV's
// decoders (Debian's, uninstrumented), depth and channel handling, image/mask pairing and size checks,
// label mapping, the square resize. Input: byte 0 picks the modality (cardiac grey, retina RGB) and the
// file types; bytes 1-2 split the rest into the image file and the mask file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "datasets/data_source.h"
#include "datasets/modality.h"

namespace fs = std::filesystem;

namespace {
void write(const fs::path& p, const uint8_t* data, size_t n) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kExt[] = {".png", ".tif", ".jpg", ".bmp"};
  if (size < 3) return 0;
  static const fs::path root = fs::temp_directory_path() / ("ganbench-fuzz-folder-" + std::to_string(::getpid()));
  static const bool made = (fs::create_directories(root / "images"), fs::create_directories(root / "masks"), true);
  (void)made;
  for (const char* sub : {"images", "masks"})
    for (const auto& f : fs::directory_iterator(root / sub)) fs::remove(f.path());
  const uint8_t mode = data[0];
  const size_t split = std::min<size_t>(size - 3, static_cast<size_t>(data[1]) << 8 | data[2]);
  const uint8_t* body = data + 3;
  write(root / "images" / (std::string("s01_a") + kExt[mode & 3]), body, split);
  write(root / "masks" / (std::string("s01_a") + kExt[(mode >> 2) & 3]), body + split, size - 3 - split);
  ganbench::register_builtin_modalities();
  const ganbench::ModalityEntry& m = ganbench::find_modality(mode & 16 ? "retina" : "cardiac");
  ganbench::DataConfig dc;
  auto& src = dc.sources[m.spec.name];
  src.format = "folder";
  src.path = root;
  if (mode & 32) src.subject = "^(s\\d+)_";
  try {
    const ganbench::ImageSet set = ganbench::load_modality_data(m, dc, mode & 64 ? 16 : 8);
    // The reader's contract: one image in [0, 1] with labels in [0, num_labels).
    if (set.size() != 1 || set.labels.size(0) != 1 || set.images.min().item<float>() < 0 ||
        set.images.max().item<float>() > 1 || set.labels.min().item<int64_t>() < 0 ||
        set.labels.max().item<int64_t>() >= m.spec.num_labels())
      std::abort();
    if (std::getenv("FUZZ_FOLDER_VERBOSE")) std::fprintf(stderr, "loaded %s\n", m.spec.name.c_str());
  } catch (const std::runtime_error& e) {
    if (std::getenv("FUZZ_FOLDER_VERBOSE")) std::fprintf(stderr, "refused: %s\n", e.what());
  }
  return 0;
}
