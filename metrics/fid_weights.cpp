#include "metrics/fid_weights.h"

#include <cstdlib>
#include <fstream>
#include <regex>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/process.h"
#include "common/pth.h"
#include "common/runtime.h"
#include "metrics/feature_extractor.h"
#include "metrics/inception.h"

namespace ganbench {
namespace fs = std::filesystem;

fs::path cached_fid_weights_path() {
  const fs::path base = user_cache_dir();
  return base.empty() ? base : base / "fid_inception.safetensors";
}

namespace {

fs::path provenance_path(const fs::path& weights) {
  fs::path p = weights;
  return p.replace_extension(".json");
}

// The "source" and "sha256" the import wrote beside the cached weights, as one phrase.
std::string cached_origin(const fs::path& weights) {
  std::ifstream in(provenance_path(weights));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::smatch src, sha;
  std::regex_search(text, src, std::regex("\"source\": \"([^\"]*)\""));
  std::regex_search(text, sha, std::regex("\"sha256\": \"([0-9a-f]{64})\""));
  if (src.empty() || sha.empty()) return fmt::format("the cache ({})", weights.string());
  const bool official = sha[1].str().rfind(kFidWeightsSha256Prefix, 0) == 0;
  return fmt::format("the cache ({}), imported from {} (sha256 {}{})", weights.string(), src[1].str(),
                     sha[1].str().substr(0, 16),
                     official ? ", pytorch-fid's released file" : "; NOT pytorch-fid's released file");
}

}  // namespace

FidWeightsChoice resolve_fid_weights(const fs::path& configured) {
  FidWeightsChoice c{configured, "the path given"};
  if (c.path.empty())
    if (const char* env = std::getenv("GANBENCH_FID_WEIGHTS"); env && *env)
      c = {env, "$GANBENCH_FID_WEIGHTS"};
  std::error_code ec;
  if (c.path.empty()) {
    const fs::path cached = cached_fid_weights_path();
    if (!cached.empty() && fs::is_regular_file(cached, ec)) return {cached, cached_origin(cached)};
    throw ExtractorUnavailable(
        "FID unavailable: no Inception weights; run `ganbench weights fetch` (or `ganbench weights import "
        "pt_inception-2015-12-05-6726825d.pth` with pytorch-fid's file), or pass --weights FILE, "
        "eval.inception_weights or GANBENCH_FID_WEIGHTS");
  }
  if (!fs::is_regular_file(c.path, ec))
    throw ExtractorUnavailable(
        fmt::format("FID unavailable: Inception weights file {} not found", c.path.string()));
  return c;
}

std::string hub_hash_prefix(const std::string& file_name) {
  static const std::regex re("-([a-f0-9]+)\\.");  // torch.hub's HASH_REGEX
  std::smatch m;
  return std::regex_search(file_name, m, re) ? m[1].str() : "";
}

ImportedWeights import_fid_weights(const fs::path& pth, const fs::path& out) {
  const std::string bytes = read_file(pth);
  ImportedWeights r;
  r.sha256 = sha256_hex(bytes);
  const std::string prefix = hub_hash_prefix(pth.filename().string());
  if (!prefix.empty() && r.sha256.rfind(prefix, 0) != 0)
    throw std::runtime_error(
        fmt::format("{}: SHA-256 {} does not start with the {} in its name: a corrupt or "
                    "different file",
                    pth.string(), r.sha256, prefix));
  r.pytorch_fid = r.sha256.rfind(kFidWeightsSha256Prefix, 0) == 0;
  auto tensors = parse_pth(bytes, pth.string());
  for (auto it = tensors.begin(); it != tensors.end();)  // BN counters are not weights
    it = it->first.find("num_batches_tracked") != std::string::npos ? tensors.erase(it) : std::next(it);
  FidInceptionV3 model;
  load_fid_weights(model, tensors, pth.string());  // every key and shape, or a clear error
  std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>> f32;
  for (const auto& [k, t] : tensors) f32[k] = {t.shape, t.to_floats()};
  fs::create_directories(out.parent_path().empty() ? fs::path(".") : out.parent_path());
  write_safetensors(out, f32);
  write_file_atomic(provenance_path(out),
                    fmt::format("{{\"source\": \"{}\", \"sha256\": \"{}\", \"tensors\": {}}}\n",
                                pth.filename().string(), r.sha256, f32.size()));
  r.safetensors = out;
  return r;
}

ImportedWeights fetch_fid_weights(const std::string& url, const fs::path& out) {
  std::string name = url.substr(url.find_last_of('/') + 1);
  name = name.substr(0, name.find_first_of("?#"));
  if (name.empty()) throw std::runtime_error(fmt::format("{}: the URL names no file", url));
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  fs::create_directories(dir);
  const fs::path part = dir / (name + ".part");
  int rc = run_program({"curl", "--fail", "--location", "--silent", "--show-error", "--retry", "2",
                        "--output", part.string(), url});
  if (rc == -1) rc = run_program({"wget", "--quiet", "--tries=3", "--output-document", part.string(), url});
  if (rc != 0) {
    std::error_code ec;
    fs::remove(part, ec);
    throw std::runtime_error(rc == -1 ? "ganbench weights fetch needs curl or wget (apt-get install curl)"
                                      : fmt::format("downloading {} failed (exit {})", url, rc));
  }
  const fs::path pth = dir / name;
  fs::rename(part, pth);
  try {
    ImportedWeights r = import_fid_weights(pth, out);
    fs::remove(pth);
    return r;
  } catch (...) {
    std::error_code ec;
    fs::remove(pth, ec);
    throw;
  }
}

}  // namespace ganbench
