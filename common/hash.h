// Stable content hashes: FNV-1a 64-bit for config hashes and cache keys, SHA-256 for downloaded files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ganbench {

uint64_t fnv1a64(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ull);
std::string hex64(uint64_t v);  // 16 lowercase hex digits
// SHA-256 (FIPS 180-4) of `bytes`, as 64 lowercase hex digits; torch.hub names weight files by its prefix.
std::string sha256_hex(std::string_view bytes);
// The same of a file, read in 1 MiB blocks; throws naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
// Mixes (seed, index) into an independent 64-bit stream seed (splitmix64).
uint64_t mix_seed(uint64_t seed, uint64_t index);
// `count` distinct indices of [0, n), in a seeded random order (partial Fisher-Yates on mix_seed; the same on
// every platform). Throws std::invalid_argument unless 0 <= count <= n.
std::vector<int64_t> sample_rows(int64_t n, int64_t count, uint64_t seed);

}  // namespace ganbench
