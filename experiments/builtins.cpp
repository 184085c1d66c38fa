#include "experiments/builtins.h"

#include "architectures/registry.h"
#include "datasets/modality.h"
#include "metrics/feature_extractor.h"
#include "metrics/metric_catalogue.h"

namespace ganbench {

void register_builtins() {
  register_builtin_architectures();
  register_builtin_modalities();
  register_builtin_feature_extractors();
  register_builtin_metrics();
}

}  // namespace ganbench
