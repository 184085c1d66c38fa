#include "common/version.h"

#include "ganbench_version.h"  // generated in the build folder by cmake/version.cmake

namespace ganbench {

const std::string& ganbench_version() {
  static const std::string v = GANBENCH_VERSION;
  return v;
}

const std::string& ganbench_commit() {
  static const std::string c = GANBENCH_COMMIT;
  return c;
}

}  // namespace ganbench
