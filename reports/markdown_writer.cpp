#include "reports/report_writers.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metrics/metric_catalogue.h"

namespace ganbench {
namespace {

constexpr const char* kHandcraftedNote =
    "`fd_handcrafted` and `kid_handcrafted` use a stand-in feature extractor "
    "(8x8 layout, intensity and gradient histograms, channel moments). "
    "They are **not FID/KID on Inception features** and are not comparable with published numbers; "
    "they rank GANs on this benchmark only. "
    "`@step0` is the same distance for the untrained generator, "
    "and `_real_floor` is the distance between two disjoint real subsets as large as the generated set "
    "(`distance_n`; `docs/metrics.md`).";

std::string markdown_table(const ReportModel& m, const MetricTable& t) {
  std::string md = fmt::format("## {}{}\n\n| architecture |", t.metric, direction_text(t));
  for (const auto& mod : m.mods) md += fmt::format(" {} |", mod);
  md += "\n|---|";
  for (size_t i = 0; i < m.mods.size(); ++i) md += "---|";
  md += "\n";
  for (size_t i = 0; i < m.archs.size(); ++i) {
    md += fmt::format("| {} |", m.archs[i]);
    for (const auto& e : t.rows[i]) {
      if (e.s.n == 0) {
        md += fmt::format(" –[{}] |", note_letter(e.missing));
        continue;
      }
      const std::string txt = entry_text(t.metric, e.s, " ± ", " (n=", ")");
      md += e.best ? " **" + txt + "**" + (e.beats_all ? "†" : "") + " |" : " " + txt + " |";
    }
    md += "\n";
  }
  for (Missing n : t.notes) md += fmt::format("\n[{}] {}", note_letter(n), note_text(n));
  for (const auto& c : t.caveats) md += fmt::format("\n* {}.", c);
  const auto sig = significance_lines(m, t);
  if (!sig.empty())
    md += fmt::format("{}Significant differences (Welch's t-test, Holm-corrected): {}.",
                      t.notes.empty() && t.caveats.empty() ? "\n" : "\n\n", fmt::join(sig, "; "));
  return md + (t.notes.empty() && t.caveats.empty() && sig.empty() ? "\n" : "\n\n");
}

// Markdown: per modality, architectures x protocol arms (mean foreground Dice on the real test split).
std::string markdown_dice_arms(const ReportModel& m) {
  const auto arms = m.dice_arms();
  if (arms.empty()) return "";
  std::string md =
      "## U-Net Dice by protocol arm (higher is better)\n\n"
      "Mean foreground Dice on the real test split; N = the real training count. "
      "Deltas against real only are in the `_delta` tables.\n\n";
  for (size_t j = 0; j < m.mods.size(); ++j) {
    md += fmt::format("**{}**\n\n| architecture |", m.mods[j]);
    for (const auto& [title, metric] : arms) md += " " + title + " |";
    md += "\n|---|";
    for (size_t k = 0; k < arms.size(); ++k) md += "---|";
    md += "\n";
    std::vector<MetricTable> tables;
    for (const auto& [title, metric] : arms) tables.push_back(m.table(metric));
    std::set<Missing> used;
    for (size_t i = 0; i < m.archs.size(); ++i) {
      md += "| " + m.archs[i] + " |";
      for (const auto& t : tables) {
        const Entry& e = t.rows[i][j];
        if (e.s.n == 0) used.insert(e.missing);
        md += e.s.n == 0 ? fmt::format(" –[{}] |", note_letter(e.missing))
                         : " " + entry_text(t.metric, e.s, " ± ", " (n=", ")") + " |";
      }
      md += "\n";
    }
    for (Missing n : used) md += fmt::format("\n[{}] {}", note_letter(n), note_text(n));
    md += used.empty() ? "\n" : "\n\n";
  }
  if (const std::string note = m.label_conditioned_note(); !note.empty()) md += note + ".\n\n";
  return md;
}

// The transfer axes: each fine-tuned (architecture, N) against scratch, per metric and modality.
std::string markdown_transfer(const ReportModel& m) {
  std::string md;
  for (const auto& metric : m.transfer_metrics())
    for (const auto& mod : m.mods) {
      const auto rows = m.transfer_comparisons(metric, mod);
      if (rows.empty()) continue;
      const MetricTable t = m.table(metric);
      md += fmt::format("**{}: `{}`{}**\n\n| architecture | start | N | fine-tuned | scratch | difference | p | p (Holm) |\n"
                        "|---|---|---|---|---|---|---|---|\n",
                        mod, metric, direction_text(t));
      for (const auto& r : rows)
        md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", r.architecture, r.finetuned, r.n,
                          entry_text(metric, r.fine, " ± ", " (n=", ")"), entry_text(metric, r.scratch, " ± ", " (n=", ")"),
                          format_std(metric, r.fine.mean - r.scratch.mean, r.scratch.mean),
                          format_p(r.p),
                          format_p(r.p_holm));
      md += "\n";
    }
  if (md.empty()) return "";
  return "## Fine-tuned against scratch\n\nEach fine-tuned architecture, start and N against the scratch cells of the "
         "same architecture and N: Welch's t-test over seeds, p Holm-adjusted over the rows of one table.\n\n" + md;
}

// Skandarani et al. 2023's layout: architectures x (modality: FID | Dice), the real-only Dice last.
std::string markdown_study_table(const ReportModel& m) {
  const auto st = m.study_table();
  if (!st) return "";
  std::string md = fmt::format(
      "## Study table (the layout of Skandarani et al. 2023)\n\n`{}` (lower is better) and `{}`, the Dice of a U-Net "
      "trained on synthetic images only (higher is better), per dataset; the last row is the U-Net trained on "
      "the real images.{}\n\n| architecture |",
      st->distance, st->dice,
      st->distance == "fid_inception" ? ""
                                      : " Without Inception weights the distance is a stand-in, not FID: not "
                                        "comparable with the paper's values.");
  for (const auto& mod : m.mods) md += fmt::format(" {} {} | {} Dice |", mod, st->distance, mod);
  md += "\n|---|";
  for (size_t j = 0; j < m.mods.size(); ++j) md += "---|---|";
  md += "\n";
  auto cell = [&](const MetricTable& t, const Entry& e) {
    if (e.s.n == 0) return fmt::format(" –[{}] |", note_letter(e.missing));
    const std::string txt = entry_text(t.metric, e.s, " ± ", " (n=", ")");
    return e.best ? " **" + txt + "**" + (e.beats_all ? "†" : "") + " |" : " " + txt + " |";
  };
  std::set<Missing> used;
  for (size_t i = 0; i < m.archs.size(); ++i) {
    md += "| " + m.archs[i] + " |";
    for (size_t j = 0; j < m.mods.size(); ++j) {
      for (const MetricTable* t : {&st->d, &st->s}) {
        if (t->rows[i][j].s.n == 0) used.insert(t->rows[i][j].missing);
        md += cell(*t, t->rows[i][j]);
      }
    }
    md += "\n";
  }
  md += "| real data |";
  for (size_t j = 0; j < m.mods.size(); ++j)
    md += " |" + (st->real[j].n == 0 ? std::string(" – |")
                                     : " " + entry_text(st->dice, st->real[j], " ± ", " (n=", ")") + " |");
  md += "\n";
  for (Missing n : used) md += fmt::format("\n[{}] {}", note_letter(n), note_text(n));
  md += used.empty() ? "\n" : "\n\n";
  if (const std::string note = m.label_conditioned_note(); !note.empty()) md += note + ".\n\n";
  return md;
}

}  // namespace

std::string render_markdown(const ReportModel& m, const std::string& grid_dir) {
  const int n_done = m.done(), n_failed = m.failed();
  std::string md = fmt::format("# ganbench report: {}\n\n", fmt::join(m.sweeps, ", "));
  md += fmt::format("{} cells: {} done, {} failed, {} unfinished. {}\n\n", m.cells.size(), n_done, n_failed,
                    m.cells.size() - n_done - n_failed, kStatisticsNote);
  if (m.uses_space("handcrafted")) md += std::string(kHandcraftedNote) + "\n\n";
  md += markdown_study_table(m);
  md += markdown_dice_arms(m);
  md += markdown_transfer(m);
  if (m.has_metric(metric_name("memorization_near_copy_fraction", {{"space", "pixels"}})))
    md += std::string(kPrivacyNote) + " " + label_fidelity_off_note(m) + "\n\n";
  for (const auto& name : m.table_names()) md += markdown_table(m, m.table(name));

  md += "## Cells\n\n| cell | status | seed | train s | error |\n|---|---|---|---|---|\n";
  for (const auto& c : m.cells) {
    std::string err = c.error;
    std::replace(err.begin(), err.end(), '\n', ' ');
    std::replace(err.begin(), err.end(), '|', '/');
    md += fmt::format("| {} | {} | {} | {} | {} |\n", c.id, c.status, c.seed,
                      c.status == "done" ? fmt::format("{:.1f}", c.train_seconds) : "–", err);
  }
  if (!grid_dir.empty()) {
    md +=
        "\n## Samples\n\nEach sheet: real training images, the generator at step 0, and after training; "
        "every second row overlays the label map in colour.\n\n";
    for (size_t i = 0; i < m.cells.size(); ++i) {
      const auto& c = m.cells[i];
      if (c.status != "done") continue;
      md += fmt::format("### {}\n\n![{}]({}/{}.png)\n\n", c.id, c.id, grid_dir, c.id);
      if (const std::string cmd = m.export_command(i); !cmd.empty())
        md += fmt::format("Export its samples as an nnU-Net dataset, with provenance (docs/synthetic-data.md): `{}`\n\n", cmd);
      if (!m.nearest_sheet(i).empty())
        md += fmt::format(
            "Nearest training pairs (memorization gallery):\n\n![{} nearest]({}/{}_nearest.png)\n\n", c.id,
            grid_dir, c.id);
    }
  }
  return md;
}

}  // namespace ganbench
