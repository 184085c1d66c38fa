#include "experiments/seg_protocol.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "segmentation/dice.h"
#include "segmentation/hausdorff.h"
#include "segmentation/unet_trainer.h"

namespace ganbench {

void check_disjoint(const ImageSet& train, const ImageSet& test) {
  const std::set<std::string> tr(train.subjects.begin(), train.subjects.end());
  for (const auto& s : test.subjects)
    if (tr.count(s))
      throw std::logic_error(fmt::format("segmentation protocol: test subject '{}' was trained on", s));
}

SegScore train_and_score(const ImageSet& train, const ImageSet& val, const ImageSet& test,
                         const ModalitySpec& spec, const SegmentationConfig& cfg, uint64_t seed,
                         c10::Device device, UNet* trained) {
  check_disjoint(train, test);
  check_disjoint(val, test);
  torch::manual_seed(seed);
  UNetOptions uo;
  uo.in_channels = spec.channels;
  uo.num_classes = spec.num_labels();
  uo.depth = cfg.depth;
  uo.base_channels = cfg.base_channels;
  uo.norm = cfg.norm;
  UNet net(uo);
  UNetTrainOptions to;
  to.steps = cfg.steps;
  to.batch_size = cfg.batch_size;
  to.lr = cfg.lr;
  to.eval_every = cfg.eval_every;
  to.patience = cfg.patience;
  to.seed = seed;
  to.device = device;
  train_unet(net, train, val, to);
  const auto pred = predict_labels(net, test.images, device);
  SegScore s;
  s.dice_class = dice_per_class(pred, test.labels, spec.num_labels());
  s.dice = mean_foreground_dice(pred, test.labels, spec.num_labels());
  const auto h = hd95_per_class(pred, test.labels, spec.num_labels());
  double sum = 0;
  int n = 0;
  for (size_t k = 1; k < h.size(); ++k)
    if (std::isfinite(h[k])) sum += h[k], ++n;
  s.hd95 = n ? sum / n : NAN;
  s.train_images = train.size();
  if (trained) *trained = net;
  return s;
}

ImageSet mix_sets(const ImageSet& real, const ImageSet& synthetic, int64_t n_synthetic) {
  if (n_synthetic > synthetic.size())
    throw std::invalid_argument(
        fmt::format("mix: {} synthetic images asked for, {} available", n_synthetic, synthetic.size()));
  ImageSet out;
  out.images = torch::cat({real.images, synthetic.images.slice(0, 0, n_synthetic)}, 0);
  out.labels = torch::cat({real.labels, synthetic.labels.slice(0, 0, n_synthetic)}, 0);
  out.subjects = real.subjects;
  out.subjects.insert(out.subjects.end(), synthetic.subjects.begin(),
                      synthetic.subjects.begin() + n_synthetic);
  return out;
}

std::string mix_arm(double ratio) { return fmt::format("mix_r{}", ratio); }

}  // namespace ganbench
