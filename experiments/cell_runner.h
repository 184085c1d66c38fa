// Runs one sweep cell: build the GAN, score at step 0, train, sample, score, store.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "datasets/dataset.h"
#include "experiments/config.h"
#include "results/results_store.h"
#include "experiments/seg_protocol.h"
#include "experiments/sweep.h"
#include "metrics/feature_extractor.h"
#include "metrics/feature_stats.h"

namespace ganbench {

// Data and reference statistics shared by the cells of one sweep, built on first use.
class DataCache {
 public:
  // `record_dir`, when set, receives <modality>_split.csv: every subject with its split and image count.
  DataCache(const SweepConfig& cfg, c10::Device device = c10::kCPU, std::filesystem::path record_dir = {})
      : cfg_(cfg), device_(device), record_dir_(std::move(record_dir)) {}
  const Splits& splits(const std::string& modality);
  // The sweep's extractor `name`, built once; nullptr (after one printed hint) when it cannot run here.
  FeatureExtractor* extractor(const std::string& name);
  // Statistics and raw features of the real training split in `extractor`'s space.
  const FeatureStats& real_stats(const std::string& modality, const std::string& extractor);
  const torch::Tensor& real_features(const std::string& modality, const std::string& extractor);
  // Fréchet distance between the real training and test splits: the floor a perfect GAN could reach.
  double real_floor(const std::string& modality, const std::string& extractor);
  // The real-only U-Net baseline of the segmentation protocol, trained once per modality and seed.
  const SegScore& seg_baseline(const std::string& modality, uint64_t seed);
  // That baseline's U-Net, whose encoder is the fd_unet feature space.
  UNet seg_baseline_net(const std::string& modality, uint64_t seed);

 private:
  const SweepConfig& cfg_;
  c10::Device device_;
  std::filesystem::path record_dir_;
  std::map<std::string, std::unique_ptr<FeatureExtractor>> extractors_;
  std::map<std::string, Splits> splits_;
  std::map<std::string, FeatureStats> stats_;
  std::map<std::string, torch::Tensor> feats_;
  std::map<std::string, double> floors_;
  std::map<std::string, SegScore> seg_baselines_;
  std::map<std::string, UNet> seg_nets_;
};

struct CellEnv {
  const SweepConfig& cfg;
  std::filesystem::path run_dir;
  ResultsStore& store;
  DataCache& data;
  c10::Device device;
  int threads;
  bool progress;
};

// Throws on failure; the caller records it.
void run_cell(const CellEnv& env, const Cell& cell);

// Peak resident memory since the last reset, in MiB (VmHWM), and the reset (best effort).
double peak_rss_mib();
void reset_peak_rss();

}  // namespace ganbench
