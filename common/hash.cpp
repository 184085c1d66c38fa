#include "common/hash.h"

#include <stdexcept>

#include <fmt/format.h>

namespace ganbench {

uint64_t fnv1a64(std::string_view bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex64(uint64_t v) { return fmt::format("{:016x}", v); }

uint64_t mix_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::vector<int64_t> sample_rows(int64_t n, int64_t count, uint64_t seed) {
  if (count < 0 || count > n)
    throw std::invalid_argument(fmt::format("sample_rows: {} of {} rows", count, n));
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[i] = i;
  for (int64_t i = 0; i < count; ++i) {  // partial Fisher-Yates: the first `count` places are the sample
    const int64_t j =
        i + static_cast<int64_t>(mix_seed(seed, static_cast<uint64_t>(i)) % static_cast<uint64_t>(n - i));
    std::swap(idx[i], idx[j]);
  }
  idx.resize(static_cast<size_t>(count));
  return idx;
}

}  // namespace ganbench
