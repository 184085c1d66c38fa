// Data and reference statistics shared by the cells of one sweep, built on first use: each modality's
// subject split, the feature extractors, the real features and statistics per feature space (cached on disk
// by content), the real-vs-real floors, and the real-only U-Net baseline per modality and seed.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "datasets/dataset.h"
#include "experiments/config.h"
#include "experiments/seg_protocol.h"
#include "metrics/cell_scorer.h"
#include "metrics/feature_extractor.h"
#include "metrics/feature_stats.h"

namespace ganbench {

class DataCache {
 public:
  // `record_dir`, when set, receives <modality>_split.csv: every subject with its split and image count.
  DataCache(const SweepConfig& cfg, c10::Device device = c10::kCPU, std::filesystem::path record_dir = {});
  ~DataCache();
  const Splits& splits(const std::string& modality);
  // The sweep's extractor `name`, built once; nullptr (after one printed hint) when it cannot run here.
  FeatureExtractor* extractor(const std::string& name);
  // Statistics and raw features of the real training split (or, for features, the test split) in
  // `extractor`'s space.
  const FeatureStats& real_stats(const std::string& modality, const std::string& extractor);
  const torch::Tensor& real_features(const std::string& modality, const std::string& extractor,
                                     bool test = false);
  // The floor a perfect GAN could reach at matched N: the distance between two disjoint subsets of the real
  // images (all splits), `n` each, or half the images when there are fewer than 2n; returns it and the
  // size used.
  std::pair<double, int64_t> real_floor(const std::string& modality, const std::string& extractor, int64_t n);
  // The real side of the cell scorer for `modality`.
  RealReference& reference(const std::string& modality);
  // The real-only U-Net baseline of the segmentation protocol, trained once per modality, seed and training-set
  // size (`train_subjects` > 0: the first N training subjects, as the cell's GAN saw them; 0 = all).
  const SegScore& seg_baseline(const std::string& modality, uint64_t seed, uint64_t train_subjects = 0);
  // That baseline's U-Net, whose encoder is the fd_unet feature space.
  UNet seg_baseline_net(const std::string& modality, uint64_t seed, uint64_t train_subjects = 0);

 private:
  class Reference;
  const SweepConfig& cfg_;
  c10::Device device_;
  std::filesystem::path record_dir_;
  std::map<std::string, std::unique_ptr<FeatureExtractor>> extractors_;
  std::map<std::string, Splits> splits_;
  std::map<std::string, FeatureStats> stats_;
  std::map<std::string, torch::Tensor> feats_;
  std::map<std::string, std::pair<double, int64_t>> floors_;
  std::map<std::string, SegScore> seg_baselines_;
  std::map<std::string, UNet> seg_nets_;
  std::map<std::string, std::unique_ptr<Reference>> references_;
};

}  // namespace ganbench
