#include "common/zip.h"

#include <zlib.h>

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace ganbench {
namespace {

constexpr uint64_t kMaxDeflateRatio = 1032;  // deflate's largest possible expansion (258 bytes per 2 bits)

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw std::runtime_error(fmt::format("{}: not a valid zip archive: {}", what, why));
}

uint16_t u16(std::string_view b, size_t off) {
  uint16_t v;
  std::memcpy(&v, b.data() + off, 2);  // the host is little-endian (x86_64, aarch64)
  return v;
}
uint32_t u32(std::string_view b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

}  // namespace

void visit_zip(std::string_view b, const std::string& what,
               const std::function<void(const std::string& name, std::string_view data)>& visit) {
  // End-of-central-directory record: the last 22..65557 bytes.
  if (b.size() < 22) bad(what, "too short");
  size_t eocd = std::string_view::npos;
  for (size_t i = b.size() - 22 + 1; i-- > 0 && b.size() - i <= 22 + 65535;) {
    if (u32(b, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string_view::npos) bad(what, "no end-of-central-directory record");
  const uint16_t entries = u16(b, eocd + 10);
  size_t cd = u32(b, eocd + 16);
  std::string inflated;  // a deflated member's bytes
  for (uint16_t e = 0; e < entries; ++e) {
    if (cd > b.size() || b.size() - cd < 46 || u32(b, cd) != 0x02014b50)
      bad(what, "corrupt central directory");
    const uint16_t method = u16(b, cd + 10);
    const uint32_t crc = u32(b, cd + 16);
    const uint32_t csize = u32(b, cd + 20), usize = u32(b, cd + 24);
    const size_t nlen = u16(b, cd + 28), xlen = u16(b, cd + 30), clen = u16(b, cd + 32);
    const size_t local = u32(b, cd + 42);
    if (b.size() - cd - 46 < nlen) bad(what, "corrupt central directory");
    std::string name(b.substr(cd + 46, nlen));
    cd += 46 + nlen + xlen + clen;
    if (csize == 0xffffffffu || usize == 0xffffffffu || local == 0xffffffffu)
      bad(what, fmt::format("member {} needs zip64", name));
    if (local > b.size() || b.size() - local < 30 || u32(b, local) != 0x04034b50)
      bad(what, fmt::format("corrupt local header of {}", name));
    const size_t data_off = local + 30 + u16(b, local + 26) + u16(b, local + 28);
    if (data_off > b.size() || b.size() - data_off < csize)
      bad(what, fmt::format("member {} runs past the end", name));
    std::string_view data;
    if (method == 0) {
      if (csize != usize) bad(what, fmt::format("stored member {} has two sizes", name));
      data = b.substr(data_off, csize);
    } else if (method == 8) {
      if (usize > static_cast<uint64_t>(csize) * kMaxDeflateRatio + 1024)  // deflate cannot expand more
        bad(what, fmt::format("member {} claims {} bytes from {} compressed", name, usize, csize));
      inflated.assign(usize, '\0');
      z_stream zs{};
      if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) bad(what, "zlib init failed");
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(b.data() + data_off));
      zs.avail_in = csize;
      zs.next_out = reinterpret_cast<Bytef*>(inflated.data());
      zs.avail_out = usize;
      const int rc = inflate(&zs, Z_FINISH);
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || zs.total_out != usize)
        bad(what, fmt::format("member {} does not inflate", name));
      data = inflated;
    } else {
      bad(what, fmt::format("member {} uses unsupported compression {}", name, method));
    }
    if (crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())) != crc)
      bad(what, fmt::format("member {} fails its CRC check", name));
    visit(name, data);
  }
}

std::vector<ZipMember> read_zip(std::string_view b, const std::string& what) {
  std::vector<ZipMember> out;
  visit_zip(b, what, [&](const std::string& name, std::string_view data) {
    out.push_back({name, std::string(data)});
  });
  return out;
}

}  // namespace ganbench
