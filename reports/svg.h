// A small SVG writer for the HTML report's charts: line charts with error bars and grouped bar charts.
// Output is deterministic (fixed-precision coordinates) and self-contained (no scripts, no fonts fetched).
// Every data mark carries class="mark" so tests and browsers can count what was drawn.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace ganbench::svg {

// XML text and attribute escaping (&, <, >, ", ').
std::string escape(const std::string& s);
// About `target` round tick values (1, 2, 5 x 10^k steps) covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
// Categorical colours, colour-blind safe (Okabe-Ito), cycled by index.
const std::string& colour(size_t i);

struct ChartOptions {
  std::string title, x_label, y_label;
  int width = 520, height = 300;  // px
  bool y_from_zero = true;        // include 0 in the y range
  // What the quantity can take (0 for distances, times and memory; [0, 1] for Dice): a whisker that would
  // cross a bound is cut there, and the cut end is drawn as a bar with class="clamped" and explained under
  // the chart, so an interval never claims an impossible value and a cut one never looks whole.
  double y_min = -INFINITY, y_max = INFINITY;
  // Line charts: x on a log scale, ticked at the data's own x values (training-set sizes 25, 50, 100, 400).
  bool log_x = false;
};

struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> err;  // optional: +-err whiskers per point (same length as y)
};
// Lines with point markers; non-finite points are skipped (the line breaks there). Empty series list or no
// finite point gives a chart that says "no data".
std::string line_chart(const std::vector<Series>& series, const ChartOptions& opt);

// Grouped bars: groups along x, one bar per series in each group; values[s][g] (NaN = no bar),
// errs[s][g] optional whiskers.
std::string bar_chart(const std::vector<std::string>& groups, const std::vector<std::string>& series,
                      const std::vector<std::vector<double>>& values,
                      const std::vector<std::vector<double>>& errs, const ChartOptions& opt);

}  // namespace ganbench::svg
