// Shared plumbing for GanModel implementations: device, D-input augmentation, the training RNG, and
// checkpointing of every registered network, optimiser and scalar state.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "architectures/checkpoint.h"
#include "architectures/registry.h"

namespace ganbench {

class GanModelBase : public GanModel {
 public:
  void save(const std::filesystem::path& path) const override { save_checkpoint(path, parts_); }
  void load(const std::filesystem::path& path) override { load_checkpoint(path, parts_, device_); }
  void init_weights_from(const std::filesystem::path& checkpoint) override;
  int64_t freeze_discriminator_layers(int64_t k) override;
  Capabilities capabilities() const override { return caps_; }
  // Trainable parameters (EMA copies excluded).
  int64_t parameter_count() const override;

 protected:
  GanModelBase(const ArchContext& ctx, Capabilities caps);
  // Registers a part under a stable checkpoint name; the object must outlive the model.
  void track(const std::string& name, torch::nn::Module& m, bool trainable = true);
  void track(const std::string& name, torch::optim::Optimizer& o);
  void track(const std::string& name, double& scalar);
  void track(const std::string& name, torch::Tensor& device_scalar);  // one float64 value on device_
  // A tracked module that holds data rather than learnt weights (SPADE's label bank, CycleGAN's image pools):
  // train.init_from leaves it as it is.
  void keep_out_of_transfer(const std::string& module_name) { not_transferred_.push_back(module_name); }
  // The one discriminator FreezeD acts on (Capabilities::freeze_d).
  void set_discriminator(torch::nn::Module& d) { discriminator_ = &d; }
  // Runs `f` without gradients and restores every tracked module's buffers afterwards (batch-norm running
  // statistics, w averages), so an evaluation in training mode leaves no trace.
  double frozen(const std::function<double()>& f);
  // Every D input, real and fake, goes through this (DiffAugment, instance noise).
  torch::Tensor d_input(const torch::Tensor& x) { return augment_->apply(x, noise_); }
  // A conditional D's (condition, image) input: one draw for both (DInputAugment::apply_pair).
  std::pair<torch::Tensor, torch::Tensor> d_input_pair(const torch::Tensor& cond, const torch::Tensor& x) {
    return augment_->apply_pair(cond, x, noise_);
  }

  torch::Device device_;
  std::shared_ptr<DInputAugment> augment_;
  at::Generator noise_;  // training randomness, on CPU so runs match across devices
  Capabilities caps_;

 private:
  CheckpointParts parts_;
  std::vector<const torch::nn::Module*> trainable_;
  std::vector<std::string> not_transferred_;
  torch::nn::Module* discriminator_ = nullptr;
};

// The options make_adam reads (lr, beta1, beta2), with an entry's defaults; `which` names the networks.
std::vector<OptionSpec> adam_options(double lr, double beta1, double beta2,
                                     const std::string& which = "both networks");
// Adam over `params` with options lr, beta1, beta2 read from `opts`.
std::unique_ptr<torch::optim::Adam> make_adam(std::vector<torch::Tensor> params, const ArchOptions& opts);
// RMSprop over `params` with option lr read from `opts` (PyTorch's defaults otherwise: alpha 0.99, eps 1e-8),
// as WGAN trains its critic and generator (Arjovsky et al. 2017, Algorithm 1).
std::unique_ptr<torch::optim::RMSprop> make_rmsprop(std::vector<torch::Tensor> params, const ArchOptions& opts);
// Appends `more` to an entry's option list.
inline void add_options(std::vector<OptionSpec>& options, const std::vector<OptionSpec>& more) {
  options.insert(options.end(), more.begin(), more.end());
}

}  // namespace ganbench
