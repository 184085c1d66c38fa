// Architecture registry: name -> factory, capabilities and typed options.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "architectures/augment.h"
#include "architectures/gan_model.h"
#include "datasets/modality.h"

namespace ganbench {

// One numeric hyperparameter an architecture accepts from YAML (`arch: {name: {key: value}}`).
struct OptionSpec {
  std::string name;
  double default_value;
  double min, max;   // inclusive range
  bool integer;      // must be a whole number
  std::string help;  // one line, with the unit
};
using ArchOptions = std::map<std::string, double>;

struct ArchContext {
  ModalitySpec modality;  // channels, size and labels of the data
  c10::Device device = c10::Device(c10::kCPU);
  uint64_t seed = 0;        // initialisation and training noise
  ArchOptions options;      // complete: defaults filled in by resolve_options
  int64_t batch_size = 32;  // real images per training step (for batch-dependent defaults such as R1 gamma)
  // Applied to every D input (trainer-level, not per architecture); shared with the trainer, which adapts
  // its probability under ADA. Null = none.
  std::shared_ptr<DInputAugment> augment;
  // The entry's capabilities, set by create_architecture, so that one factory serves an entry and its variants
  // (dcgan3d is dcgan's factory with volumetric set).
  Capabilities capabilities;
  // Translation: channels of the source modality (the target's are modality.channels). 0 for synthesis.
  int source_channels = 0;
};

using ArchFactory = std::function<std::unique_ptr<GanModel>(const ArchContext&)>;

struct ArchEntry {
  std::string name;         // registry key
  std::string description;  // one line
  std::string citation;     // paper
  Capabilities capabilities;
  std::vector<OptionSpec> options;
  int min_size = 16, max_size = 256;  // supported image sides (powers of two)
  ArchFactory create;
  // Optional cross-option rules for a size (e.g. levels vs image side); throws std::invalid_argument
  // naming the option. Called by config validation and before every create.
  std::function<void(int size, const ArchOptions& resolved)> check;
};

// Changes the defaults of `entry`'s options (a variant of an entry, e.g. its 3-D form); throws std::logic_error
// naming an option the entry does not have.
void set_option_defaults(ArchEntry& entry, const ArchOptions& defaults);
// Throws std::logic_error on a duplicate name or an entry without a factory.
void register_architecture(ArchEntry entry);
// Throws std::invalid_argument listing the valid names.
const ArchEntry& find_architecture(const std::string& name);
std::vector<std::string> architecture_names();
// Defaults overlaid with `overrides`; throws std::invalid_argument naming an unknown key (with the valid
// ones) or an out-of-range value.
ArchOptions resolve_options(const ArchEntry& entry, const ArchOptions& overrides);
// Size range, power of two, options and the entry's own check; throws std::invalid_argument.
ArchOptions check_architecture(const ArchEntry& entry, int size, const ArchOptions& overrides);
// Checks the size and options (the entry's check included), then builds the model.
std::unique_ptr<GanModel> create_architecture(const std::string& name, ArchContext ctx);
// Idempotent: registers dcgan and the other built-ins.
void register_builtin_architectures();

// One line for listings, e.g. "loss=non_saturating, critic_steps=1, joint_labels".
std::string describe_capabilities(const Capabilities& c);

}  // namespace ganbench
