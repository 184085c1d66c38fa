// The table of commands. Adding one: a file apps/cmd_NAME.cpp defining `extern const Command kNameCommand`,
// its line below and in CMakeLists.txt's ganbench-core sources.
#include "apps/cli.h"

namespace ganbench::cli {

extern const Command kRunCommand, kSubmitCommand, kStatusCommand, kMergeCommand, kReportCommand,
    kExportCommand, kVerifyCommand, kListCommand, kDataCommand, kFidCommand, kTuringCommand,
    kTuringScoreCommand, kWeightsCommand, kCheckConfigCommand, kPairedCommand, kTranslateCommand, kSampleCommand;

const std::vector<const Command*>& commands() {
  static const std::vector<const Command*> table = {
      &kRunCommand,    &kSubmitCommand, &kStatusCommand, &kMergeCommand,       &kReportCommand,
      &kExportCommand, &kVerifyCommand, &kListCommand,   &kDataCommand,        &kFidCommand,        &kPairedCommand,  &kTranslateCommand, &kSampleCommand,
      &kTuringCommand, &kTuringScoreCommand, &kWeightsCommand, &kCheckConfigCommand,
  };
  return table;
}

}  // namespace ganbench::cli
