#include "experiments/seg_protocol.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "common/hash.h"
#include "metrics/frechet.h"
#include "metrics/memorization.h"
#include "metrics/metric_catalogue.h"
#include "segmentation/dice.h"
#include "segmentation/hausdorff.h"
#include "segmentation/unet_extractor.h"
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
  uo.dims = spec.dims;
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
  SegScore s = score_segmentation(predict_labels(net, test.images, device), test, spec);
  s.train_images = train.size();
  if (trained) *trained = net;
  return s;
}

SegScore score_segmentation(const torch::Tensor& pred, const ImageSet& test, const ModalitySpec& spec) {
  SegScore s;
  s.dice_class = dice_per_class(pred, test.labels, spec.num_labels());
  s.dice = mean_foreground_dice(pred, test.labels, spec.num_labels());
  const double spacing = test.spacing_mm > 0 ? test.spacing_mm : 1.0;  // HD95 in mm when the spacing is known
  const Hd95Summary h = summarize_hd95(hd95_matrix(pred, test.labels, spec.num_labels(), false, spacing));
  s.hd95 = h.mean_finite;
  s.hd95_inf_fraction = h.inf_fraction;
  return s;
}

std::vector<MetricValue> seg_arm_metrics(const std::string& arm, const SegScore& s, const SegScore& baseline,
                                         const ModalitySpec& spec, bool in_mm) {
  register_builtin_metrics();
  std::vector<MetricValue> out;
  const std::map<std::string, std::string> p{{"arm", arm}};
  out.push_back({metric_name("seg_dice", p), s.dice});
  out.push_back({metric_name(in_mm ? "seg_hd95_mm" : "seg_hd95", p), s.hd95});
  out.push_back({metric_name("seg_hd95_inf_fraction", p), s.hd95_inf_fraction});
  out.push_back({metric_name("seg_train_images", p), static_cast<double>(s.train_images)});
  if (arm != "real") out.push_back({metric_name("seg_dice_delta", p), s.dice - baseline.dice});
  for (size_t k = 1; k < s.dice_class.size(); ++k)
    out.push_back({metric_name("seg_dice_class", {{"arm", arm}, {"label", spec.labels[k]}}), s.dice_class[k]});
  return out;
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
  out.spacing_mm = real.spacing_mm;
  return out;
}

std::vector<MetricValue> run_seg_protocol(const SegProtocolInputs& in,
                                          const std::function<Sample(int64_t n, uint64_t seed)>& sample,
                                          const torch::Tensor& scored_images) {
  constexpr uint64_t kSyntheticSeedSalt = 0x5A11;  // the synthetic training pairs
  register_builtin_metrics();
  const auto& data = in.data;
  const int64_t n = data.train.size();
  double max_ratio = 1.0;
  for (double r : in.cfg.ratios) max_ratio = std::max(max_ratio, r);
  ImageSet synthetic;
  {  // the Sample (int64 labels, probabilities) goes at the end of this scope; the set keeps uint8 labels
    const Sample syn =
        sample(static_cast<int64_t>(std::llround(max_ratio * n)), mix_seed(in.seed, kSyntheticSeedSalt));
    synthetic.images = syn.images.contiguous();
    synthetic.labels = stored_labels(syn.labels).contiguous();
  }
  for (int64_t i = 0; i < synthetic.size(); ++i)
    synthetic.subjects.push_back(fmt::format("synthetic{:06d}", i));

  std::vector<MetricValue> out;
  auto put = [&](const std::string& arm, const SegScore& s) {
    const auto m = seg_arm_metrics(arm, s, in.baseline, in.spec, data.test.spacing_mm > 0);
    out.insert(out.end(), m.begin(), m.end());
  };
  put("real", in.baseline);
  // fd_unet: the Fréchet distance in the baseline U-Net encoder's features (no download needed), with its
  // real train-vs-test floor.
  UNetEncoderExtractor unet_ex(in.baseline_net, in.device);
  const FeatureStats real_unet = extract_stats(unet_ex, data.train.images);
  out.push_back(
      {unet_ex.distance_metric(), frechet_distance(real_unet, extract_stats(unet_ex, scored_images))});
  out.push_back(
      {unet_ex.floor_metric(), frechet_distance(real_unet, extract_stats(unet_ex, data.test.images))});
  // The memorization audit in the same encoder's space.
  const MemorizationAudit mem = memorization_audit(to_eigen(unet_ex.extract(data.train.images)),
                                                   to_eigen(unet_ex.extract(data.test.images)),
                                                   to_eigen(unet_ex.extract(scored_images)));
  out.push_back(
      {metric_name("memorization_near_copy_fraction", {{"space", unet_ex.name()}}), mem.near_copy_fraction});
  out.push_back({metric_name("memorization_median_ratio", {{"space", unet_ex.name()}}), mem.median_ratio});
  // Label fidelity: the frozen real-only U-Net segments the generated images; Dice against their own labels.
  UNet frozen = in.baseline_net;
  const auto pred = predict_labels(frozen, synthetic.images, in.device);
  out.push_back({metric_name("label_fidelity_dice"),
                 mean_foreground_dice(pred, synthetic.labels, in.spec.num_labels())});
  const auto fid_class = dice_per_class(pred, synthetic.labels, in.spec.num_labels());
  for (size_t k = 1; k < fid_class.size(); ++k)
    out.push_back({metric_name("label_fidelity_dice_class", {{"label", in.spec.labels[k]}}), fid_class[k]});
  const uint64_t useed = mix_seed(in.seed, kUNetSeedSalt);
  ImageSet no_real;
  no_real.images = data.train.images.slice(0, 0, 0);
  no_real.labels = data.train.labels.slice(0, 0, 0);
  put("synth", train_and_score(mix_sets(no_real, synthetic, n), data.val, data.test, in.spec, in.cfg, useed,
                               in.device));
  for (double r : in.cfg.ratios)
    put(seg_arm_name(r),
        train_and_score(mix_sets(data.train, synthetic, static_cast<int64_t>(std::llround(r * n))), data.val,
                        data.test, in.spec, in.cfg, useed, in.device));
  return out;
}

}  // namespace ganbench
