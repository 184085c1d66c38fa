// What built this binary: ganbench's version and the git commit of its source tree ("<sha>-dirty" with
// uncommitted changes to tracked files, "unknown" outside a git checkout). Set at build time
// (cmake/version.cmake); provenance records carry it.
#pragma once

#include <string>

namespace ganbench {

const std::string& ganbench_version();
const std::string& ganbench_commit();

}  // namespace ganbench
