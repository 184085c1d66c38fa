// Helpers shared by the test suites.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <Eigen/Core>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/npy.h"

namespace ganbench::test {

// A fresh folder under the system temp dir, removed at scope end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ganbench-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

 private:
  std::filesystem::path path_;
};

inline std::filesystem::path fixtures() { return GANBENCH_FIXTURES; }

// The fixtures' formula generator (tests/fixtures/README.md): n doubles in [0, 1) for a key.
inline std::vector<double> formula_uniform(const std::string& key, size_t n) {
  const uint64_t h = fnv1a64(key);
  std::vector<double> u(n);
  for (size_t i = 0; i < n; ++i) u[i] = static_cast<double>(mix_seed(h, i) >> 11) * 0x1.0p-53;
  return u;
}

// A 2-D .npy file as a double matrix.
inline Eigen::MatrixXd load_matrix(const std::filesystem::path& path) {
  const NpyArray a = read_npy(path);
  if (a.shape.size() != 2) throw std::runtime_error(path.string() + ": expected a 2-D array");
  const auto v = a.to_doubles();
  return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      v.data(), a.shape[0], a.shape[1]);
}

// A top-level number from a fixture's expected.json (flat objects only).
inline double json_number(const std::filesystem::path& path, const std::string& key) {
  const std::string json = read_file(path);
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\":\\s*([-0-9.eE+]+)")))
    throw std::runtime_error(path.string() + ": no number for key " + key);
  return std::stod(m[1]);
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace ganbench::test
