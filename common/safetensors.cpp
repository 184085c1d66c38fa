#include "common/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/atomic_file.h"

namespace ganbench {
namespace {

constexpr uint64_t kMaxHeader = 100ull << 20;  // bytes; the format's own limit
constexpr int kMaxDepth = 16;                  // JSON nesting; real headers use 3

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw std::runtime_error(fmt::format("{}: not a valid safetensors file: {}", what, why));
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

uint16_t read_u16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

}  // namespace

size_t safetensors_dtype_size(const std::string& d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL") return 1;
  throw std::runtime_error(fmt::format("unknown safetensors dtype '{}'", d));
}

int64_t SafeTensor::numel() const {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

std::vector<float> SafeTensor::to_floats() const {
  const auto n = static_cast<size_t>(numel());
  std::vector<float> out(n);
  const char* p = bytes.data();
  if (dtype == "F32") {
    std::memcpy(out.data(), p, n * 4);
  } else if (dtype == "F64") {
    for (size_t i = 0; i < n; ++i) {
      double d;
      std::memcpy(&d, p + 8 * i, 8);
      out[i] = static_cast<float>(d);
    }
  } else if (dtype == "BF16") {
    for (size_t i = 0; i < n; ++i) {
      const uint32_t bits = static_cast<uint32_t>(read_u16(p + 2 * i)) << 16;
      std::memcpy(&out[i], &bits, 4);
    }
  } else if (dtype == "F16") {
    for (size_t i = 0; i < n; ++i) {
      const uint16_t h = read_u16(p + 2 * i);
      const uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
      float f;
      if (exp == 0) {
        f = std::ldexp(static_cast<float>(man), -24);  // zero or subnormal
      } else if (exp == 31) {
        f = man ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
      } else {
        f = std::ldexp(static_cast<float>(man | 0x400), static_cast<int>(exp) - 25);
      }
      out[i] = sign ? -f : f;
    }
  } else {
    throw std::runtime_error(fmt::format("safetensors: tensor of dtype {} is not floating point", dtype));
  }
  return out;
}

std::map<std::string, SafeTensor> parse_safetensors(std::string_view file, const std::string& what) {
  if (file.size() < 8) bad(what, fmt::format("{} bytes, shorter than the 8-byte header length", file.size()));
  uint64_t hlen;
  std::memcpy(&hlen, file.data(), 8);
  if (hlen < 2 || hlen > kMaxHeader || hlen > file.size() - 8)
    bad(what, fmt::format("header length {} does not fit the file ({} bytes)", hlen, file.size()));
  const std::string_view header = file.substr(8, hlen);
  if (header.front() != '{') bad(what, "header is not a JSON object");
  const std::string_view data = file.substr(8 + hlen);
  // yaml-cpp parses nested collections recursively: refuse deep nesting before it can exhaust the stack.
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < header.size(); ++i) {
    const char c = header[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) bad(what, fmt::format("header nests deeper than {} levels", kMaxDepth));
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(header));  // JSON is YAML flow syntax
  } catch (const YAML::Exception& e) {
    bad(what, fmt::format("header is not valid JSON ({})", e.msg));
  }
  if (!root.IsMap()) bad(what, "header is not a JSON object");
  std::map<std::string, SafeTensor> out;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto& kv : root) {
    const auto name = kv.first.as<std::string>();
    if (name == "__metadata__") continue;
    const YAML::Node& t = kv.second;
    try {
      if (!t.IsMap() || !t["dtype"] || !t["shape"] || !t["data_offsets"] || !t["shape"].IsSequence() ||
          !t["data_offsets"].IsSequence() || t["data_offsets"].size() != 2)
        bad(what, fmt::format("tensor '{}' needs dtype, shape and two data_offsets", name));
      SafeTensor st;
      st.dtype = t["dtype"].as<std::string>();
      size_t item = 0;
      try {
        item = safetensors_dtype_size(st.dtype);
      } catch (const std::runtime_error& e) {
        bad(what, fmt::format("tensor '{}': {}", name, e.what()));
      }
      uint64_t numel = 1;
      for (const auto& s : t["shape"]) {
        const auto d = s.as<int64_t>();
        if (d < 0 || (d > 0 && numel > (1ull << 40) / static_cast<uint64_t>(d)))
          bad(what, fmt::format("tensor '{}' has an invalid shape", name));
        st.shape.push_back(d);
        numel *= static_cast<uint64_t>(d);
      }
      const auto b = t["data_offsets"][0].as<uint64_t>(), e = t["data_offsets"][1].as<uint64_t>();
      if (b > e || e > data.size())
        bad(what, fmt::format("tensor '{}' data_offsets [{}, {}] lie outside the {} data bytes", name, b, e,
                              data.size()));
      if (e - b != numel * item)
        bad(what, fmt::format("tensor '{}' has {} bytes but {} {} x {} needs {}", name, e - b, st.dtype,
                              numel, item, numel * item));
      st.bytes.assign(data.data() + b, e - b);
      spans.emplace_back(b, e);
      out.emplace(name, std::move(st));
    } catch (const YAML::Exception& ex) {
      bad(what, fmt::format("tensor '{}': {}", name, ex.msg));
    }
  }
  std::sort(spans.begin(), spans.end());
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].first < spans[i - 1].second) bad(what, "tensors overlap");
  return out;
}

std::map<std::string, SafeTensor> read_safetensors(const std::filesystem::path& path) {
  return parse_safetensors(read_file(path), path.string());
}

void write_safetensors(
    const std::filesystem::path& path,
    const std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>& tensors) {
  std::string header = "{", data;
  bool first = true;
  for (const auto& [name, t] : tensors) {
    const auto b = data.size();
    data.append(reinterpret_cast<const char*>(t.second.data()), t.second.size() * 4);
    std::string shape;
    for (size_t i = 0; i < t.first.size(); ++i) shape += (i ? "," : "") + std::to_string(t.first[i]);
    header += fmt::format("{}\"{}\":{{\"dtype\":\"F32\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
                          first ? "" : ",", json_escape(name), shape, b, data.size());
    first = false;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  const uint64_t n = header.size();
  std::string file(reinterpret_cast<const char*>(&n), 8);
  file += header;
  file += data;
  write_file_atomic(path, file);
}

}  // namespace ganbench
