// Crash-safe file output: write a temp file beside the target, flush it to disk, then rename.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace ganbench {

// Writes `bytes` to `path` atomically; on any error the old file is untouched and the temp file removed.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Lets `writer` fill a temp path (e.g. torch::save), then renames it onto `path`.
void replace_file_atomic(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path& tmp)>& writer);

// Reads a whole file; throws with the path when it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

}  // namespace ganbench
