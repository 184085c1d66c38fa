#include "architectures/gan_base.h"

#include "common/npy.h"

#include <algorithm>
#include <limits>
#include <map>

namespace ganbench {

void GanModel::sample_to_files(uint64_t seed, const std::filesystem::path& stem) {
  const Sample s = sample(1, seed);
  const auto img = s.images.contiguous();
  const auto lab = s.labels.to(torch::kUInt8).contiguous();
  write_npy(stem.string() + "_images.npy",
            NpyArray::from_floats(std::vector<float>(img.data_ptr<float>(), img.data_ptr<float>() + img.numel()),
                                  img.sizes().vec()));
  write_npy(stem.string() + "_labels.npy",
            NpyArray::from_bytes(std::vector<uint8_t>(lab.data_ptr<uint8_t>(), lab.data_ptr<uint8_t>() + lab.numel()),
                                 lab.sizes().vec()));
}

torch::Tensor GanModel::translate(const torch::Tensor&) {
  throw std::logic_error("this architecture synthesises images from noise; it does not translate (no translation "
                         "capability)");
}

GanModelBase::GanModelBase(const ArchContext& ctx, Capabilities caps)
    : device_(ctx.device),
      augment_(ctx.augment
                   ? ctx.augment
                   : std::make_shared<DInputAugment>(AugmentConfig{}, ctx.modality.channels,
                                                     ctx.modality.channels + ctx.modality.num_labels())),
      noise_(at::make_generator<at::CPUGeneratorImpl>(ctx.seed)),
      caps_(std::move(caps)) {
  for (const auto& [name, v] : augment_->checkpoint_state()) track(name, *v);
  parts_.generators["noise"] = &noise_;
}

void GanModelBase::track(const std::string& name, torch::nn::Module& m, bool trainable) {
  parts_.modules[name] = &m;
  if (trainable) trainable_.push_back(&m);
}
void GanModelBase::track(const std::string& name, torch::optim::Optimizer& o) {
  parts_.optimizers[name] = &o;
}
void GanModelBase::track(const std::string& name, double& scalar) { parts_.scalars[name] = &scalar; }
void GanModelBase::track(const std::string& name, torch::Tensor& device_scalar) {
  parts_.device_scalars[name] = &device_scalar;
}

void GanModel::init_weights_from(const std::filesystem::path&) {
  throw std::logic_error("this architecture cannot start from another cell's weights (train.init_from)");
}

int64_t GanModel::freeze_discriminator_layers(int64_t) {
  throw std::invalid_argument("this architecture has no single layered discriminator to freeze (train.freeze_d)");
}

void GanModelBase::init_weights_from(const std::filesystem::path& checkpoint) {
  std::map<std::string, torch::nn::Module*> modules;
  for (const auto& [name, m] : parts_.modules)
    if (std::find(not_transferred_.begin(), not_transferred_.end(), name) == not_transferred_.end())
      modules[name] = m;
  load_module_weights(checkpoint, modules, device_);
}

int64_t GanModelBase::freeze_discriminator_layers(int64_t k) {
  if (discriminator_ == nullptr) return GanModel::freeze_discriminator_layers(k);
  // Layers from the input side (modules() is registration order, which these nets build input first): each
  // convolution or linear module opens one; any other module with parameters (a batch or layer norm's scale
  // and shift) joins the layer before it.
  std::vector<std::vector<torch::Tensor>> layers;
  for (const auto& m : discriminator_->modules(/*include_self=*/true)) {
    const auto params = m->named_parameters(/*recurse=*/false);
    if (params.is_empty()) continue;
    const std::string type = m->name();  // the class, e.g. torch::nn::Conv2dImpl, ganbench::EqualLinearImpl
    if (layers.empty() || type.find("Conv") != std::string::npos || type.find("Linear") != std::string::npos)
      layers.emplace_back();
    for (const auto& p : params) layers.back().push_back(p.value());
  }
  const auto n = static_cast<int64_t>(layers.size());
  if (k < 0 || k > n)
    throw std::invalid_argument("train.freeze_d is " + std::to_string(k) + " but the discriminator has " +
                                std::to_string(n) + " layers");
  for (int64_t i = 0; i < k; ++i)
    for (auto& p : layers[static_cast<size_t>(i)]) p.requires_grad_(false);
  return n;
}

double GanModelBase::frozen(const std::function<double()>& f) {
  torch::NoGradGuard no_grad;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> saved;
  for (auto& [name, m] : parts_.modules)
    for (auto& b : m->buffers()) saved.emplace_back(b, b.clone());
  const double v = f();
  for (auto& [live, copy] : saved) live.copy_(copy);
  return v;
}

int64_t GanModelBase::parameter_count() const {
  int64_t n = 0;
  for (const auto* m : trainable_) n += count_parameters(*m);
  return n;
}

std::vector<OptionSpec> adam_options(double lr, double beta1, double beta2, const std::string& which) {
  return {{"lr", lr, 1e-7, 1.0, false, "Adam learning rate, " + which},
          {"beta1", beta1, 0.0, 0.9999, false, "Adam beta1"},
          {"beta2", beta2, 0.0, 0.99999, false, "Adam beta2"}};
}

std::unique_ptr<torch::optim::Adam> make_adam(std::vector<torch::Tensor> params, const ArchOptions& opts) {
  return std::make_unique<torch::optim::Adam>(
      std::move(params),
      torch::optim::AdamOptions(opts.at("lr")).betas({opts.at("beta1"), opts.at("beta2")}));
}

std::unique_ptr<torch::optim::RMSprop> make_rmsprop(std::vector<torch::Tensor> params, const ArchOptions& opts) {
  return std::make_unique<torch::optim::RMSprop>(std::move(params), torch::optim::RMSpropOptions(opts.at("lr")));
}

namespace {
thread_local bool defer_step_stats = false;  // a DeferStepStats lives on this thread
}  // namespace

DeferStepStats::DeferStepStats() : previous_(defer_step_stats) { defer_step_stats = true; }
DeferStepStats::~DeferStepStats() { defer_step_stats = previous_; }

void StepStats::add(const std::string& name, const torch::Tensor& value) {
  if (!defer_step_stats) {
    values.emplace_back(name, value.detach().to(torch::kFloat64).item<double>());  // float -> double is exact
    return;
  }
  values.emplace_back(name, std::numeric_limits<double>::quiet_NaN());
  slots_.push_back(values.size() - 1);
  pending_.push_back(value.detach().reshape({}).to(torch::kFloat64));  // float -> double is exact
}

void StepStats::fetch() { fetch_stats({this}); }

void fetch_stats(const std::vector<StepStats*>& steps) {
  std::map<std::string, std::vector<torch::Tensor>> by_device;  // a transfer per device, in add order
  for (auto* s : steps)
    for (const auto& t : s->pending_) by_device[t.device().str()].push_back(t);
  std::map<std::string, std::pair<torch::Tensor, int64_t>> host;  // copied values, next index
  for (auto& [dev, ts] : by_device) host[dev] = {torch::stack(ts).to(torch::kCPU).contiguous(), 0};
  for (auto* s : steps) {
    for (size_t i = 0; i < s->pending_.size(); ++i) {
      auto& [h, next] = host[s->pending_[i].device().str()];
      s->values[s->slots_[i]].second = h.data_ptr<double>()[next++];
    }
    s->pending_.clear();
    s->slots_.clear();
  }
}

}  // namespace ganbench
