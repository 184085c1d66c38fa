#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "common/crash_point.h"

namespace ganbench {
namespace fs = std::filesystem;

namespace {

// ".<name>.tmp.<pid>.<counter>", the temp_path_for pattern.
bool is_temp_name(const std::string& name) {
  const auto at = name.rfind(".tmp.");
  if (name.size() < 2 || name[0] != '.' || at == std::string::npos || at == 0) return false;
  int dots = 0;
  for (size_t i = at + 5; i < name.size(); ++i) {
    if (name[i] == '.') {
      ++dots;
    } else if (name[i] < '0' || name[i] > '9') {
      return false;
    }
  }
  return dots == 1 && name.back() != '.';
}

fs::path temp_path_for(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() /
         fmt::format(".{}.tmp.{}.{}", path.filename().string(), ::getpid(), counter.fetch_add(1));
}

void fsync_path(const fs::path& p, bool directory) {
  int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return;  // best effort for directories on filesystems that refuse it
  ::fsync(fd);
  ::close(fd);
}

[[noreturn]] void fail(const fs::path& path, const char* what, int err) {
  throw std::runtime_error(fmt::format("cannot write {}: {} ({})", path.string(), what, std::strerror(err)));
}

}  // namespace

int write_all(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return w < 0 ? errno : EIO;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  replace_file_atomic(path, [&](const fs::path& tmp) {
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(path, "open", errno);
    if (const int err = write_all(fd, bytes.data(), bytes.size()); err != 0) {
      ::close(fd);
      fail(path, "write", err);  // ENOSPC lands here: a full disk
    }
    if (::fsync(fd) != 0) {
      int err = errno;
      ::close(fd);
      fail(path, "fsync", err);
    }
    if (::close(fd) != 0) fail(path, "close", errno);
  });
}

void replace_file_atomic(const fs::path& path, const std::function<void(const fs::path& tmp)>& writer) {
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
  const fs::path tmp = temp_path_for(path);
  try {
    writer(tmp);
    if (!fs::exists(tmp))
      throw std::runtime_error(fmt::format("cannot write {}: writer produced no file", path.string()));
    fsync_path(tmp, false);
    crash_point("write" + path.extension().string());  // the temp file is complete, the rename not yet done
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) fail(path, "rename", ec.value());
    fsync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path(), true);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    // A writer's error names the temp file; the user knows the target ("cannot write .../step_5.pt: ...").
    std::string what = e.what();
    const auto at = what.find(tmp.string());
    if (at == std::string::npos) throw;
    throw std::runtime_error(what.replace(at, tmp.string().size(), path.string()));
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

std::vector<fs::path> remove_stale_temp_files(const fs::path& dir) {
  std::vector<fs::path> removed;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file() && is_temp_name(it->path().filename().string())) removed.push_back(it->path());
  for (const auto& p : removed) fs::remove(p, ec);
  return removed;
}

bool is_temp_file(const fs::path& path) { return is_temp_name(path.filename().string()); }

std::string read_file(const fs::path& path) {
  // One allocation of the file's size and read(2) into it; a stream would grow and copy its buffer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  char chunk[1 << 16];
  for (;;) {
    const size_t room = out.capacity() - out.size();
    if (room > 0) {  // read straight into the reserved space
      const size_t old = out.size();
      out.resize(out.capacity());
      const ssize_t n = ::read(fd, out.data() + old, room);
      out.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
      if (n > 0) continue;
      if (n == 0) break;
    } else {  // past the size fstat gave (a growing file, or not a regular file)
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n > 0) {
        out.append(chunk, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) break;
    }
    if (errno == EINTR) continue;
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(err)));
  }
  ::close(fd);
  return out;
}

MappedFile::MappedFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      map_ = p;
      size_ = static_cast<size_t>(st.st_size);
      view_ = std::string_view(static_cast<const char*>(p), size_);
    }
  }
  ::close(fd);
  if (!map_) {
    copy_ = read_file(path);
    view_ = copy_;
  }
}

MappedFile::~MappedFile() {
  if (map_) ::munmap(map_, size_);
}

namespace {
constexpr int kLockTries = 10;                // attempts before a held lock is an error
constexpr useconds_t kLockRetryMicros = 100000;  // between attempts, µs
}  // namespace

FolderLock::FolderLock(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  // A few tries over about a second: `ganbench status` probes locks for an instant (FolderLock::held).
  bool locked = false;
  for (int attempt = 0; attempt < kLockTries && !(locked = ::flock(fd_, LOCK_EX | LOCK_NB) == 0); ++attempt)
    ::usleep(kLockRetryMicros);
  if (!locked) {
    char buf[32] = {0};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    const std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "unknown";
    throw std::runtime_error(
        fmt::format("{} is in use by another ganbench process (PID {}); wait for it, or "
                    "stop it first",
                    dir.string(), pid.substr(0, pid.find_first_not_of("0123456789"))));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    fmt::print(stderr, "ganbench: could not record the PID in {}\n", path.string());
}

bool FolderLock::held(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / ".lock";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // never locked
  const bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
  ::close(fd);  // releases the probe at once
  return !free;
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace ganbench
