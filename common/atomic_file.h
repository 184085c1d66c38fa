// Crash-safe file output: write a temp file beside the target, flush it to disk, then rename.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ganbench {

// Writes `bytes` to `path` atomically; on any error the old file is untouched and the temp file removed.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Writes all `n` bytes to `fd` (retrying after EINTR and short writes). Returns 0, or the errno of the
// failed write (ENOSPC on a full disk, EFBIG past a file-size limit).
int write_all(int fd, const void* data, size_t n);

// Lets `writer` fill a temp path (e.g. torch::save), then renames it onto `path`.
void replace_file_atomic(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path& tmp)>& writer);

// Temp files that a killed writer left under `dir` (".<name>.tmp.<pid>.<n>"), removed; call it only while
// holding the folder's FolderLock, so no live writer owns them. Returns what it removed.
std::vector<std::filesystem::path> remove_stale_temp_files(const std::filesystem::path& dir);
bool is_temp_file(const std::filesystem::path& path);

// Reads a whole file; throws with the path when it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

// A whole file's bytes without a copy: a regular file is mapped read-only and pre-faulted (MAP_POPULATE),
// anything else (an empty file, a pipe) is read with read_file. Errors as read_file's. Truncating the file
// while it is mapped would fault (SIGBUS); ganbench replaces files by rename, which never truncates.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return view_; }

 private:
  void* map_ = nullptr;
  size_t size_ = 0;
  std::string copy_;  // the read fallback
  std::string_view view_;
};

// An advisory, exclusive lock on a folder (flock on <dir>/.lock, which holds the holder's PID), held for the
// object's lifetime and released by the kernel if the process dies. Throws std::runtime_error naming the
// folder and the holder's PID when another process (or another FolderLock) holds it.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  // Whether a process holds `dir`'s lock now (probed with a shared lock released at once; the constructor
  // retries for about a second, so a probe never makes a starting run fail).
  static bool held(const std::filesystem::path& dir);
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace ganbench
