#include "architectures/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/atomic_file.h"

namespace ganbench {

void save_checkpoint(const std::filesystem::path& path, const CheckpointParts& parts) {
  torch::serialize::OutputArchive ar;
  for (const auto& [name, m] : parts.modules) {
    torch::serialize::OutputArchive sub;
    m->save(sub);
    ar.write("module." + name, sub);
  }
  for (const auto& [name, opt] : parts.optimizers) {
    torch::serialize::OutputArchive sub;
    opt->save(sub);
    ar.write("optim." + name, sub);
  }
  for (const auto& [name, gen] : parts.generators) ar.write("rng." + name, gen->get_state());
  for (const auto& [name, v] : parts.scalars)
    ar.write("scalar." + name, torch::full({1}, *v, torch::kFloat64));
  for (const auto& [name, t] : parts.device_scalars)
    ar.write("scalar." + name, t->detach().to(torch::kCPU, torch::kFloat64).reshape({1}));
  // Streamed through our own writer: LibTorch's file writer throws from its destructor when a write fails
  // (a full disk), which terminates the process. Here a failed write is remembered, the archive finishes
  // into the void, and the error is thrown afterwards with the path and the reason.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  int error = 0;
  ar.save_to([&](const void* data, size_t n) -> size_t {
    if (error == 0) error = write_all(fd, data, n);
    return n;
  });
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
}

void load_checkpoint(const std::filesystem::path& path, const CheckpointParts& parts,
                     const torch::Device& device) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("checkpoint {} does not exist", path.string()));
  torch::serialize::InputArchive ar;
  std::string part = "archive";
  try {
    ar.load_from(path.string(), device);
    for (const auto& [name, m] : parts.modules) {
      part = "module " + name;
      torch::serialize::InputArchive sub;
      ar.read("module." + name, sub);
      m->load(sub);
    }
    for (const auto& [name, opt] : parts.optimizers) {
      part = "optimizer " + name;
      torch::serialize::InputArchive sub;
      ar.read("optim." + name, sub);
      opt->load(sub);
    }
    for (const auto& [name, gen] : parts.generators) {
      part = "rng " + name;
      torch::Tensor state;
      ar.read("rng." + name, state);
      gen->set_state(state.to(torch::kCPU));
    }
    // Host and device scalars share one stored form: a one-element float64 tensor.
    auto read_scalar = [&](const std::string& name) {
      part = "scalar " + name;
      torch::Tensor t;
      ar.read("scalar." + name, t);
      TORCH_CHECK(t.numel() == 1, "scalar ", name, " holds ", t.numel(), " values");
      return t;
    };
    for (const auto& [name, v] : parts.scalars) *v = read_scalar(name).to(torch::kCPU).item<double>();
    for (const auto& [name, dst] : parts.device_scalars)
      *dst = read_scalar(name).to(dst->device(), torch::kFloat64).reshape(dst->sizes());
  } catch (const c10::Error& e) {
    throw std::runtime_error(
        fmt::format("cannot load checkpoint {} ({}): {}", path.string(), part, e.what_without_backtrace()));
  }
}

namespace {
// Copies `m`'s parameters and buffers from `ar` (what Module::save wrote for it), children recursively;
// `key` is m's dotted name for messages. Keys `ar` holds beyond m's are an error too (a deeper source net).
void copy_module_weights(torch::nn::Module& m, torch::serialize::InputArchive& ar, const std::string& key) {
  torch::NoGradGuard no_grad;
  size_t expected = 0;
  auto copy = [&](const std::string& name, torch::Tensor& dst, bool buffer) {
    ++expected;
    torch::Tensor src;
    const std::string k = key + "." + name;
    if (!ar.try_read(name, src, buffer)) throw std::runtime_error(k + " is missing there");
    if (src.sizes() != dst.sizes())
      throw std::runtime_error(fmt::format("{} has shape [{}] there and [{}] here", k, fmt::join(src.sizes(), ", "),
                                           fmt::join(dst.sizes(), ", ")));
    dst.copy_(src);
  };
  for (auto& p : m.named_parameters(/*recurse=*/false)) copy(p.key(), p.value(), false);
  for (auto& b : m.named_buffers(/*recurse=*/false)) copy(b.key(), b.value(), true);
  for (const auto& c : m.named_children()) {
    ++expected;
    torch::serialize::InputArchive sub;
    const std::string k = key + "." + c.key();
    if (!ar.try_read(c.key(), sub)) throw std::runtime_error(k + " is missing there");
    copy_module_weights(*c.value(), sub, k);
  }
  if (ar.keys().size() != expected) {
    for (const auto& name : ar.keys()) {
      const bool here = m.named_parameters(false).contains(name) || m.named_buffers(false).contains(name) ||
                        m.named_children().contains(name);
      if (!here) throw std::runtime_error(fmt::format("{}.{} is there and not here", key, name));
    }
  }
}
}  // namespace

void load_module_weights(const std::filesystem::path& path, const std::map<std::string, torch::nn::Module*>& modules,
                         const torch::Device& device) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("checkpoint {} does not exist", path.string()));
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path.string(), device);
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format("cannot load checkpoint {}: {}", path.string(), e.what_without_backtrace()));
  }
  for (const auto& [name, m] : modules) {
    const std::string key = "module." + name;
    torch::serialize::InputArchive sub;
    try {
      if (!ar.try_read(key, sub)) throw std::runtime_error(key + " is missing there");
      copy_module_weights(*m, sub, key);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("checkpoint {} does not fit this architecture: {}", path.string(),
                                           e.what()));
    }
  }
}

int64_t count_parameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace ganbench
