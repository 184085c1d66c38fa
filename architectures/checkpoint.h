// Saving and loading a model's named parts (modules, optimisers, RNG states) in one archive.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <torch/torch.h>

namespace ganbench {

struct CheckpointParts {
  std::map<std::string, torch::nn::Module*> modules;
  std::map<std::string, torch::optim::Optimizer*> optimizers;
  std::map<std::string, at::Generator*> generators;  // RNG state, for exact resume
  std::map<std::string, double*> scalars;            // loss and schedule state (EMA counters, ADA p)
  // The same, kept on the model's device as one-element float64 tensors (a GPU step reads and updates them
  // without a host copy); stored exactly as `scalars` are, so either kind loads the other's file.
  std::map<std::string, torch::Tensor*> device_scalars;
};

void save_checkpoint(const std::filesystem::path& path, const CheckpointParts& parts);
// Throws std::runtime_error naming the path and the part when the file is missing, corrupt or mismatched.
void load_checkpoint(const std::filesystem::path& path, const CheckpointParts& parts,
                     const torch::Device& device);

// The weights and buffers of `modules` from the archive at `path` (its optimisers, RNG and scalars are not
// read). Every parameter and buffer must be there with the same shape; throws std::runtime_error naming the
// path and the first key (module.<part>.<dotted name>) that is missing or differs.
void load_module_weights(const std::filesystem::path& path, const std::map<std::string, torch::nn::Module*>& modules,
                         const torch::Device& device);

// Sum of parameter counts.
int64_t count_parameters(const torch::nn::Module& m);

}  // namespace ganbench
