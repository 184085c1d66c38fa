// The one entry point that registers every built-in: architectures, modalities, data sources (through the
// modalities' loaders), feature extractors and the metric catalogue. Idempotent; call it before looking
// anything up by name (a static library drops registrations that nothing references).
#pragma once

namespace ganbench {

void register_builtins();

}  // namespace ganbench
