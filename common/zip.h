// Reads the members of a zip archive held in memory (stored or deflated, zip32), as .npz files and
// PyTorch's zip checkpoints use. Every offset is checked against the buffer; each member's CRC is verified.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ganbench {

struct ZipMember {
  std::string name;
  std::string data;  // uncompressed bytes
};

// `what` names the source in errors. Throws std::runtime_error ("<what>: not a valid zip archive: ...")
// for a missing end record, a corrupt directory or header, a member past the end, zip64, an unknown
// compression method or a CRC mismatch.
std::vector<ZipMember> read_zip(std::string_view bytes, const std::string& what);
// The same checks, member by member without owning copies: a stored member's view points into `bytes`, a
// deflated one's into a buffer that lives for the call.
void visit_zip(std::string_view bytes, const std::string& what,
               const std::function<void(const std::string& name, std::string_view data)>& visit);

}  // namespace ganbench
