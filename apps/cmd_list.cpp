// ganbench list: the registries (architectures, modalities) and the metric catalogue.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "apps/cli.h"
#include "architectures/registry.h"
#include "datasets/modality.h"
#include "experiments/builtins.h"
#include "metrics/feature_extractor.h"
#include "metrics/metric_catalogue.h"

namespace ganbench::cli {
namespace {

int run(const Args& args) {
  if (args.size() != 1) throw UsageError("list needs one of: architectures, modalities, metrics");
  register_builtins();
  if (args[0] == "architectures") {
    for (const auto& name : architecture_names()) {
      const auto& e = find_architecture(name);
      fmt::print("{:<12} {}\n{:<12} sizes {}-{} px; {}; {}\n", name, e.description, "", e.min_size,
                 e.max_size, describe_capabilities(e.capabilities), e.citation);
      for (const auto& o : e.options)
        fmt::print("{:<12}   {}: {} ({}, [{}, {}])\n", "", o.name, o.default_value, o.help, o.min, o.max);
    }
  } else if (args[0] == "modalities") {
    for (const auto& name : modality_names()) {
      const auto& entry = find_modality(name);
      const auto& m = entry.spec;
      fmt::print("{:<10} {}\n{:<10} channels {}; labels {}; sources {}\n{:<10} phantom: {}\n", name,
                 m.description, "", m.channels, fmt::join(m.labels, "/"), fmt::join(entry.sources, ", "), "",
                 entry.phantom_description);
    }
  } else if (args[0] == "metrics") {  // the metric catalogue, then the feature spaces <space> takes
    for (const auto& id : metric_ids()) {
      const MetricSpec& m = metric_spec(id);
      const std::string dir = direction_text(m);
      fmt::print("{:<28} {}{}{}\n{:<28} {}\n", m.pattern, m.family, m.unit.empty() ? "" : ", " + m.unit,
                 dir.empty() ? "" : ", " + dir, "", m.description);
    }
    fmt::print("\nfeature spaces (<space>):\n");
    for (const auto& name : feature_extractor_names()) {
      const auto& e = find_feature_extractor(name);
      fmt::print("{:<28} {} -> {}_{}\n", name, e.description, e.distance_id, name);
    }
  } else {
    throw UsageError(fmt::format("list: unknown '{}'; valid: architectures, modalities, metrics", args[0]));
  }
  return 0;
}

}  // namespace

extern const Command kListCommand = {"list", R"(  ganbench list architectures|modalities|metrics
      The registered architectures (sizes, capabilities, options), modalities (channels, labels, sources)
      or metrics (family, unit, direction, feature spaces).
)",
                                     run};

}  // namespace ganbench::cli
