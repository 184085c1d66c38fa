#include "architectures/checkpoint.h"

#include <fmt/format.h>

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
  ar.save_to(path.string());
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
    for (const auto& [name, v] : parts.scalars) {
      part = "scalar " + name;
      torch::Tensor t;
      ar.read("scalar." + name, t);
      *v = t.to(torch::kCPU).item<double>();
    }
  } catch (const c10::Error& e) {
    throw std::runtime_error(
        fmt::format("cannot load checkpoint {} ({}): {}", path.string(), part, e.what_without_backtrace()));
  }
}

int64_t count_parameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace ganbench
