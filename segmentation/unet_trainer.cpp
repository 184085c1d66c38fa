#include "segmentation/unet_trainer.h"

#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/hash.h"
#include "segmentation/dice.h"

namespace ganbench {
namespace {
constexpr double kDiceSmooth = 1e-5;  // keeps the soft Dice defined for absent classes

std::map<std::string, torch::Tensor> snapshot(UNet& net) {
  std::map<std::string, torch::Tensor> s;
  for (const auto& p : net->named_parameters()) s[p.key()] = p.value().detach().clone();
  for (const auto& b : net->named_buffers()) s[b.key()] = b.value().detach().clone();
  return s;
}

void restore(UNet& net, const std::map<std::string, torch::Tensor>& s) {
  torch::NoGradGuard no_grad;
  for (auto& p : net->named_parameters()) p.value().copy_(s.at(p.key()));
  for (auto& b : net->named_buffers()) b.value().copy_(s.at(b.key()));
}
}  // namespace

torch::Tensor dice_ce_loss(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t k = logits.size(1);
  const auto ce = torch::nn::functional::cross_entropy(logits, labels);
  const auto prob = torch::softmax(logits, 1).slice(1, 1, k);
  const auto onehot = torch::one_hot(labels, k).movedim(-1, 1).to(prob.dtype()).slice(1, 1, k);
  std::vector<int64_t> axes{0};  // all but the class axis: batch-level soft Dice
  for (int64_t a = 2; a < logits.dim(); ++a) axes.push_back(a);
  const auto inter = (prob * onehot).sum(axes);
  const auto denom = prob.sum(axes) + onehot.sum(axes);
  const auto dice = (2 * inter + kDiceSmooth) / (denom + kDiceSmooth);
  return ce + (1 - dice.mean());
}

torch::Tensor predict_labels(UNet& net, const torch::Tensor& images, c10::Device device, int64_t batch) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += batch)
    out.push_back(net->forward(images.slice(0, i, std::min(i + batch, images.size(0))).to(device))
                      .argmax(1)
                      .to(torch::kCPU));
  return torch::cat(out, 0);
}

UNetTrainResult train_unet(UNet& net, const ImageSet& train, const ImageSet& val, const UNetTrainOptions& o) {
  if (train.size() == 0) throw std::invalid_argument("U-Net: empty training set");
  if (o.steps < 1 || o.batch_size < 1 || o.eval_every < 1)
    throw std::invalid_argument("U-Net: steps, batch_size and eval_every must be >= 1");
  const int64_t k = net->opts.num_classes;
  net->to(o.device);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(o.lr));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(mix_seed(o.seed, 0x5E6));
  UNetTrainResult r;
  r.best_val_dice = -1;
  std::map<std::string, torch::Tensor> best;
  int64_t bad = 0;
  for (int64_t step = 1; step <= o.steps; ++step) {
    net->train();
    const Batch b = sample_batch(train, o.batch_size, gen);
    const auto loss = dice_ce_loss(net->forward(b.images.to(o.device)), b.labels.to(o.device));
    if (!std::isfinite(loss.item<double>()))
      throw std::runtime_error(fmt::format("U-Net: loss is not finite at step {}", step));
    opt.zero_grad();
    loss.backward();
    opt.step();
    r.steps_run = step;
    if (val.size() == 0 || (step % o.eval_every != 0 && step != o.steps)) continue;
    const double d = mean_foreground_dice(predict_labels(net, val.images, o.device), val.labels, k);
    r.val_curve.emplace_back(step, d);
    if (d > r.best_val_dice) {
      r.best_val_dice = d, r.best_step = step, bad = 0;
      best = snapshot(net);
    } else if (o.patience > 0 && ++bad >= o.patience) {
      break;
    }
  }
  if (!best.empty()) restore(net, best);
  if (val.size() == 0) r.best_step = r.steps_run, r.best_val_dice = NAN;
  net->eval();
  return r;
}

}  // namespace ganbench
