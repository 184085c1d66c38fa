#include "common/npy.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "common/atomic_file.h"
#include "common/zip.h"

namespace ganbench {
namespace {

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw std::runtime_error(fmt::format("{}: not a valid .npy/.npz file: {}", what, why));
}

size_t dtype_size(const std::string& d, const std::string& what) {
  static const std::map<std::string, size_t> sizes = {{"<f4", 4}, {"<f8", 8}, {"|u1", 1},
                                                      {"<u1", 1}, {"|i1", 1}, {"<i4", 4},
                                                      {"<i8", 8}, {"<u2", 2}, {"<i2", 2}};
  auto it = sizes.find(d);
  if (it == sizes.end()) bad(what, fmt::format("unsupported dtype '{}'", d));
  return it->second;
}

template <typename T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // the host is little-endian (x86_64, aarch64)
  return v;
}

uint16_t u16(std::string_view b, size_t off) { return load_le<uint16_t>(b.data() + off); }
uint32_t u32(std::string_view b, size_t off) { return load_le<uint32_t>(b.data() + off); }

void put16(std::string& s, uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); }
void put32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

int64_t NpyArray::numel() const {
  // A zero anywhere makes the product 0, even when the other dimensions alone would overflow (fuzz find).
  if (std::find(shape.begin(), shape.end(), int64_t{0}) != shape.end()) return 0;
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > std::numeric_limits<int64_t>::max() / d))
      throw std::runtime_error("npy: shape has no valid element count");
    n *= d;
  }
  return n;
}

size_t NpyArray::item_size() const { return dtype_size(dtype, "array"); }

namespace {
// Element i of `p` as T, for every element: the dtype is dispatched once, not per element.
template <typename T>
std::vector<double> widen(const char* p, int64_t n) {
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<double>(load_le<T>(p + sizeof(T) * i));
  return out;
}
}  // namespace

std::vector<double> NpyArray::to_doubles() const {
  const int64_t n = numel();
  const char* p = data.data();
  if (dtype == "<f4") return widen<float>(p, n);
  if (dtype == "<f8") return widen<double>(p, n);
  if (dtype == "|u1" || dtype == "<u1") return widen<uint8_t>(p, n);
  if (dtype == "|i1") return widen<int8_t>(p, n);
  if (dtype == "<i2") return widen<int16_t>(p, n);
  if (dtype == "<u2") return widen<uint16_t>(p, n);
  if (dtype == "<i4") return widen<int32_t>(p, n);
  if (dtype == "<i8") return widen<int64_t>(p, n);
  throw std::runtime_error(fmt::format("npy: unsupported dtype '{}'", dtype));
}

std::vector<float> NpyArray::to_floats() const {
  auto d = to_doubles();
  return std::vector<float>(d.begin(), d.end());
}

namespace {
template <typename T>
NpyArray make_array(const char* dtype, const std::vector<T>& v, std::vector<int64_t> shape) {
  NpyArray a{dtype, std::move(shape), {}};
  if (a.numel() != static_cast<int64_t>(v.size()))
    throw std::invalid_argument("npy: shape does not match data");
  a.data.resize(v.size() * sizeof(T));
  std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}
}  // namespace

NpyArray NpyArray::from_floats(const std::vector<float>& v, std::vector<int64_t> shape) {
  return make_array("<f4", v, std::move(shape));
}

NpyArray NpyArray::from_doubles(const std::vector<double>& v, std::vector<int64_t> shape) {
  return make_array("<f8", v, std::move(shape));
}

NpyArray NpyArray::from_bytes(const std::vector<uint8_t>& v, std::vector<int64_t> shape) {
  return make_array("|u1", v, std::move(shape));
}

NpyView parse_npy_view(std::string_view b, const std::string& what) {
  if (b.size() < 10 || b.substr(0, 6) != "\x93NUMPY") bad(what, "missing the \\x93NUMPY magic");
  const int major = static_cast<unsigned char>(b[6]);
  size_t header_len, header_off;
  if (major == 1) {
    header_len = u16(b, 8);
    header_off = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) bad(what, "truncated header");
    header_len = u32(b, 8);
    header_off = 12;
  } else {
    bad(what, fmt::format("unsupported format version {}", major));
  }
  if (header_len > b.size() - header_off) bad(what, "header runs past the end of the file");
  const std::string_view header = b.substr(header_off, header_len);

  // The header is a Python dict literal; it is read by hand (no std::regex: its recursion can exhaust the
  // stack on long hostile headers).
  auto value_of = [&](std::string_view key) -> std::string_view {
    const size_t k = header.find(key);
    if (k == std::string_view::npos) return {};
    size_t p = header.find(':', k + key.size());
    if (p == std::string_view::npos) return {};
    ++p;
    while (p < header.size() && (header[p] == ' ' || header[p] == '\t')) ++p;
    return header.substr(p);
  };
  NpyView a;
  const std::string_view descr = value_of("'descr'");
  const size_t close = descr.size() > 1 && descr[0] == '\'' ? descr.find('\'', 1) : std::string_view::npos;
  if (close == std::string_view::npos) bad(what, "header has no 'descr'");
  a.dtype = std::string(descr.substr(1, close - 1));
  if (a.dtype == "<u1") a.dtype = "|u1";
  const size_t item = dtype_size(a.dtype, what);
  if (value_of("'fortran_order'").substr(0, 4) == "True") bad(what, "Fortran-order arrays are not supported");
  const std::string_view shape = value_of("'shape'");
  const size_t rparen = shape.find(')');
  if (shape.empty() || shape[0] != '(' || rparen == std::string_view::npos)
    bad(what, "header has no 'shape'");
  const size_t off = header_off + header_len;
  const uint64_t available = (b.size() - off) / item;  // elements the data could hold
  uint64_t numel = 1;
  for (size_t p = 1; p < rparen;) {
    if (shape[p] < '0' || shape[p] > '9') {
      if (shape[p] != ',' && shape[p] != ' ' && shape[p] != 'L') bad(what, "malformed 'shape'");
      ++p;
      continue;
    }
    uint64_t d = 0;
    for (; p < rparen && shape[p] >= '0' && shape[p] <= '9'; ++p) {
      d = d * 10 + static_cast<uint64_t>(shape[p] - '0');
      if (d > (uint64_t{1} << 40)) bad(what, "a dimension is too large");
    }
    a.shape.push_back(static_cast<int64_t>(d));
    if (d != 0 && numel > available / d + 1)
      numel = available + 1;  // more than the data holds; stop growing
    else
      numel *= d;
  }
  const uint64_t need = numel * item;

  if (b.size() - off != need)
    bad(what, fmt::format("expected {} data bytes for shape and dtype, found {}", need, b.size() - off));
  a.data = b.substr(off);
  return a;
}

NpyArray NpyView::to_array() const { return NpyArray{dtype, shape, std::vector<char>(data.begin(), data.end())}; }

NpyArray parse_npy(std::string_view b, const std::string& what) { return parse_npy_view(b, what).to_array(); }

std::string npy_header(const std::string& dtype, const std::vector<int64_t>& dims) {
  std::string shape;
  for (size_t i = 0; i < dims.size(); ++i) shape += fmt::format("{},", dims[i]);
  if (dims.size() > 1) shape.pop_back();  // (3,) for 1-D, (3,4) otherwise
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", dtype, shape);
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  put16(out, static_cast<uint16_t>(header.size()));
  out += header;
  return out;
}

std::string encode_npy(const NpyArray& a) {
  std::string out = npy_header(a.dtype, a.shape);
  out.append(a.data.data(), a.data.size());
  return out;
}

NpyArray read_npy(const std::filesystem::path& path) { return parse_npy(read_file(path), path.string()); }

void write_npy(const std::filesystem::path& path, const NpyArray& a) {
  write_file_atomic(path, encode_npy(a));
}

void visit_npz(const std::filesystem::path& path,
               const std::function<void(const std::string& key, const NpyView& array)>& visit) {
  const MappedFile file(path);
  const std::string what = path.string();
  visit_zip(file.bytes(), what, [&](std::string name, std::string_view data) {
    const NpyView array = parse_npy_view(data, what + ":" + name);
    if (name.size() > 4 && name.substr(name.size() - 4) == ".npy") name.resize(name.size() - 4);
    visit(name, array);
  });
}

std::map<std::string, NpyArray> read_npz(const std::filesystem::path& path) {
  std::map<std::string, NpyArray> out;
  visit_npz(path, [&](const std::string& key, const NpyView& v) {
    out.emplace(key, v.to_array());
  });
  return out;
}

void write_npz(const std::filesystem::path& path, const std::map<std::string, NpyArray>& arrays) {
  std::string zip, central;
  for (const auto& [key, arr] : arrays) {
    const std::string name = key + ".npy";
    const std::string body = encode_npy(arr);
    if (body.size() >= 0xffffffffu) throw std::runtime_error("npz: member too large for zip32");
    const uint32_t crc =
        crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    const uint32_t offset = static_cast<uint32_t>(zip.size());
    put32(zip, 0x04034b50);
    put16(zip, 20);
    put16(zip, 0);
    put16(zip, 0);
    put16(zip, 0);
    put16(zip, 0x21);
    put32(zip, crc);
    put32(zip, static_cast<uint32_t>(body.size()));
    put32(zip, static_cast<uint32_t>(body.size()));
    put16(zip, static_cast<uint16_t>(name.size()));
    put16(zip, 0);
    zip += name;
    zip += body;
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, static_cast<uint32_t>(body.size()));
    put32(central, static_cast<uint32_t>(body.size()));
    put16(central, static_cast<uint16_t>(name.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, offset);
    central += name;
  }
  const uint32_t cd_off = static_cast<uint32_t>(zip.size());
  zip += central;
  put32(zip, 0x06054b50);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, static_cast<uint16_t>(arrays.size()));
  put16(zip, static_cast<uint16_t>(arrays.size()));
  put32(zip, static_cast<uint32_t>(central.size()));
  put32(zip, cd_off);
  put16(zip, 0);
  write_file_atomic(path, zip);
}

}  // namespace ganbench
