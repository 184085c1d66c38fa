// Reads PyTorch checkpoints (torch.save) natively, without Python or LibTorch: the zip archive (the default
// since PyTorch 1.6) and the legacy pickle stream before it. A small pickle machine rebuilds dicts, lists,
// tuples, scalars and tensors; any other global in the file is refused, so nothing in it is ever executed.
// Torch-free.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/safetensors.h"

namespace ganbench {

// The tensors of a state dict, by key, as contiguous little-endian bytes (dtype names as safetensors').
// The top-level object must be a dict of tensors, or a dict holding one under "state_dict"; other entries
// (scalars, nested dicts) are skipped. `what` names the source in errors. Throws std::runtime_error
// ("<what>: not a readable PyTorch checkpoint: ...") for a truncated or corrupt file, an unsupported
// opcode, global or storage type, or a tensor that reaches past its storage.
std::map<std::string, SafeTensor> parse_pth(std::string_view file, const std::string& what);
std::map<std::string, SafeTensor> read_pth(const std::filesystem::path& path);

}  // namespace ganbench
