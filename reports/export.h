// Every stored value of a run folder as one tidy CSV, for pandas, R or a diff between two runs.
#pragma once

#include <string>

#include "results/run_data.h"

namespace ganbench {

// Rows "cell,architecture,modality,seed,status,error,metric,step,value", sorted by cell, metric and step;
// values with 17 significant digits (a double round-trips). A cell without metrics gives one row with
// empty metric, step and value. `reproducible` leaves out the per-attempt measurements (wall times, memory,
// resumed_from_step: the catalogue's per_attempt metrics), so two runs of one config compare byte for byte.
std::string export_csv(const RunData& run, bool reproducible);

}  // namespace ganbench
