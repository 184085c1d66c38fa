#include "architectures/registry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/registry.h"

namespace ganbench {
namespace {
Registry<ArchEntry>& arch_registry() {
  static Registry<ArchEntry> registry("architecture");
  return registry;
}
}  // namespace

void register_architecture(ArchEntry entry) {
  if (!entry.create) throw std::logic_error(fmt::format("architecture '{}' has no factory", entry.name));
  const std::string name = entry.name;
  arch_registry().add(name, std::move(entry));
}

const ArchEntry& find_architecture(const std::string& name) { return arch_registry().find(name); }

std::vector<std::string> architecture_names() { return arch_registry().names(); }

ArchOptions resolve_options(const ArchEntry& entry, const ArchOptions& overrides) {
  ArchOptions out;
  for (const auto& o : entry.options) out[o.name] = o.default_value;
  for (const auto& [key, value] : overrides) {
    auto it = std::find_if(entry.options.begin(), entry.options.end(),
                           [&](const OptionSpec& o) { return o.name == key; });
    if (it == entry.options.end()) {
      std::vector<std::string> valid;
      for (const auto& o : entry.options) valid.push_back(o.name);
      throw std::invalid_argument(fmt::format("unknown option '{}' for architecture '{}'; valid: {}", key,
                                              entry.name, fmt::join(valid, ", ")));
    }
    if (!std::isfinite(value) || value < it->min || value > it->max)
      throw std::invalid_argument(fmt::format("option '{}' of '{}' must lie in [{}, {}], got {}", key,
                                              entry.name, it->min, it->max, value));
    if (it->integer && value != std::floor(value))
      throw std::invalid_argument(
          fmt::format("option '{}' of '{}' must be a whole number, got {}", key, entry.name, value));
    out[key] = value;
  }
  return out;
}

ArchOptions check_architecture(const ArchEntry& e, int s, const ArchOptions& overrides) {
  if (s < e.min_size || s > e.max_size || (s & (s - 1)) != 0)
    throw std::invalid_argument(
        fmt::format("architecture '{}' needs a power-of-two image size in [{}, {}], got {}", e.name,
                    e.min_size, e.max_size, s));
  ArchOptions resolved = resolve_options(e, overrides);
  if (e.check) e.check(s, resolved);
  return resolved;
}

std::unique_ptr<GanModel> create_architecture(const std::string& name, ArchContext ctx) {
  const ArchEntry& e = find_architecture(name);
  ctx.options = check_architecture(e, ctx.modality.size, ctx.options);
  if (ctx.modality.channels < 1 || ctx.modality.num_labels() < 2)
    throw std::invalid_argument(fmt::format(
        "architecture '{}': modality '{}' needs >= 1 channel and >= 2 labels", name, ctx.modality.name));
  if (e.capabilities.volumetric != ctx.modality.volumetric())
    throw std::invalid_argument(fmt::format("architecture '{}' generates {}, but the data are {}", name,
                                            e.capabilities.volumetric ? "volumes" : "images",
                                            ctx.modality.volumetric() ? "volumes" : "images"));
  ctx.capabilities = e.capabilities;
  return e.create(ctx);
}

void set_option_defaults(ArchEntry& entry, const ArchOptions& defaults) {
  for (const auto& [name, value] : defaults) {
    auto it = std::find_if(entry.options.begin(), entry.options.end(),
                           [&](const OptionSpec& o) { return o.name == name; });
    if (it == entry.options.end())
      throw std::logic_error(fmt::format("architecture '{}' has no option '{}'", entry.name, name));
    it->default_value = value;
  }
}

std::string describe_capabilities(const Capabilities& c) {
  std::vector<std::string> parts{fmt::format("loss={}", c.loss),
                                 fmt::format("critic_steps={}", c.critic_steps)};
  if (c.needs_gradient_penalty) parts.push_back("gradient_penalty");
  if (!c.regulariser.empty() && c.regulariser != "gradient_penalty") parts.push_back("regulariser=" + c.regulariser);
  if (c.multi_scale) parts.push_back("multi_scale");
  if (c.style_mapping) parts.push_back("style_mapping");
  if (c.ema_generator) parts.push_back("ema_generator");
  if (c.joint_labels) parts.push_back("joint_labels");
  if (c.label_conditioned) parts.push_back("label_conditioned");
  if (c.freeze_d) parts.push_back("freeze_d");
  if (c.volumetric) parts.push_back("volumetric");
  if (!c.translation.empty()) parts.push_back("translation=" + c.translation);
  if (c.baseline) parts.push_back("baseline");
  parts.push_back(fmt::format("instance_noise={}", c.instance_noise));
  parts.push_back(fmt::format("divergence_threshold={:g}", c.divergence_threshold));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace ganbench
