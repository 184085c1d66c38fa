// ganbench turing / turing-score: a visual Turing test page for raters, and the scoring of their answers.
#include <fmt/format.h>

#include "apps/cli.h"
#include "reports/turing.h"

namespace ganbench::cli {
namespace {

int turing(const Args& args) {
  std::string run, out;
  TuringOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--out")
      out = take_value(args, i);
    else if (a == "--n")
      o.n = parse_int_flag(a, take_value(args, i), 2, 10000);
    else if (a == "--cells")
      o.cells = split_commas(take_value(args, i));
    else if (a == "--seed")
      o.seed = static_cast<uint64_t>(parse_int_flag(a, take_value(args, i), 0, INT64_MAX));
    else
      take_positional("turing", a, {&run});
  }
  if (run.empty() || out.empty()) throw UsageError("turing needs a RUN_DIR and --out FILE.html");
  const TuringPage p = write_turing_page(run, out, o);
  fmt::print("{}\n", out);
  fmt::print(stderr, "ganbench turing: page {} with {} images; answer key {}\n", p.id, p.items,
             p.key.string());
  return 0;
}

int turing_score(const Args& args) {
  std::string answers, run;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--run")
      run = take_value(args, i);
    else
      take_positional("turing-score", a, {&answers});
  }
  if (answers.empty() || run.empty()) throw UsageError("turing-score needs ANSWERS.json and --run RUN_DIR");
  const auto scores = score_turing(answers, run);
  store_turing_scores(run, scores);
  fmt::print("{:<28} {:<12} {:>4} {:>22} {:>22} {:>22} {:>9}\n", "cell", "rater", "n", "accuracy [95% CI]",
             "sensitivity [95% CI]", "specificity [95% CI]", "p");
  auto ci = [](double v, double lo, double hi) { return fmt::format("{:.3f} [{:.3f}, {:.3f}]", v, lo, hi); };
  for (const auto& s : scores)
    fmt::print("{:<28} {:<12} {:>4} {:>22} {:>22} {:>22} {:>9.3g}\n", s.cell, s.rater, s.n,
               ci(s.accuracy, s.accuracy_lo, s.accuracy_hi),
               ci(s.sensitivity, s.sensitivity_lo, s.sensitivity_hi),
               ci(s.specificity, s.specificity_lo, s.specificity_hi), s.p_value);
  return 0;
}

}  // namespace

extern const Command kTuringCommand = {"turing", R"(  ganbench turing RUN_DIR --out turing.html [--n 50] [--cells ID,ID,...] [--seed S]
      A visual Turing test page (one self-contained file): n images per cell, half real (held-out test split),
      half generated, in a seeded random order at native resolution; raters answer real/generated with a
      confidence and export a JSON file. The answer key is kept in RUN_DIR/turing/.
)",
                                       turing};

extern const Command kTuringScoreCommand = {"turing-score", R"(  ganbench turing-score ANSWERS.json --run RUN_DIR
      Scores a rater's answers per cell (accuracy, sensitivity, specificity with exact 95% intervals, p against
      chance) and stores them in RUN_DIR/results.db; `ganbench report` then shows them.
)",
                                            turing_score};

}  // namespace ganbench::cli
