// A medical-domain feature space that needs no download: the encoder of a U-Net trained on the real data of
// a modality (bottleneck activations averaged over space). Distances in it (fd_unet) say how far generated
// images are from real ones in the features a segmenter relies on; they are not comparable across
// modalities, seeds or U-Net settings, and not with Inception FIDs.
#pragma once

#include "metrics/feature_extractor.h"
#include "segmentation/unet.h"

namespace ganbench {

class UNetEncoderExtractor : public FeatureExtractor {
 public:
  UNetEncoderExtractor(UNet net, c10::Device device) : net_(std::move(net)), device_(device) {}
  std::string name() const override { return net_->opts.dims == 3 ? "unet3d" : "unet"; }
  std::string description() const override {
    return "encoder of the real-only U-Net of the segmentation protocol (bottleneck, spatial mean)";
  }
  int64_t dims(int64_t) const override { return net_->feature_dims(); }
  torch::Tensor extract(const torch::Tensor& images) override;

 private:
  UNet net_;
  c10::Device device_;
};

}  // namespace ganbench
