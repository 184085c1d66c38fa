// Where the FID Inception weights come from: a path given (--weights, eval.inception_weights),
// $GANBENCH_FID_WEIGHTS, or the cache that `ganbench weights import|fetch` fills from pytorch-fid's
// released .pth, read natively (common/pth.h) without Python.
#pragma once

#include <filesystem>
#include <string>

namespace ganbench {

// pytorch-fid's FID_WEIGHTS_URL (pytorch_fid/inception.py); the "-6726825d" is a SHA-256 prefix (torch.hub).
inline constexpr const char* kFidWeightsUrl =
    "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth";
inline constexpr const char* kFidWeightsSha256Prefix = "6726825d";

struct FidWeightsChoice {
  std::filesystem::path path;  // a safetensors file
  std::string origin;          // where it came from, for a log line
};

// The imported-weights cache file: $XDG_CACHE_HOME/ganbench/fid_inception.safetensors (or ~/.cache/...);
// empty when neither XDG_CACHE_HOME nor HOME is set.
std::filesystem::path cached_fid_weights_path();

// `configured` if set, else $GANBENCH_FID_WEIGHTS, else the cache when it holds imported weights. Throws
// ExtractorUnavailable with a one-line hint when none names a file, or the named file does not exist.
FidWeightsChoice resolve_fid_weights(const std::filesystem::path& configured);

// The hex SHA-256 prefix in a torch.hub file name ("name-<hex>.ext"), or "" when it has none.
std::string hub_hash_prefix(const std::string& file_name);

struct ImportedWeights {
  std::filesystem::path safetensors;
  std::string sha256;        // of the .pth
  bool pytorch_fid = false;  // the SHA-256 starts with pytorch-fid's released file's prefix
};

// Reads pytorch-fid's weights .pth (zip or legacy pickle), checks the SHA-256 prefix in its name when it
// has one, checks every key and shape against the FID InceptionV3, and writes float32 safetensors to
// `out` (atomically) with a provenance note beside it (`out` with .json). Throws std::runtime_error naming
// the file for a hash mismatch, a malformed file, or missing, extra or misshapen tensors; `out` is then
// left as it was.
ImportedWeights import_fid_weights(const std::filesystem::path& pth, const std::filesystem::path& out);

// Downloads `url` with curl (or wget) into out's folder, then imports it as above and removes the
// download. Throws std::runtime_error when no downloader is installed or the download fails.
ImportedWeights fetch_fid_weights(const std::string& url, const std::filesystem::path& out);

}  // namespace ganbench
