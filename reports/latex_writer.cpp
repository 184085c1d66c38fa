#include "reports/report_writers.h"

#include <algorithm>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ganbench {
namespace {
std::string tex_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '_':
        o += "\\_";
        break;
      case '%':
        o += "\\%";
        break;
      case '&':
        o += "\\&";
        break;
      case '#':
        o += "\\#";
        break;
      case '$':
        o += "\\$";
        break;
      case '{':
        o += "\\{";
        break;
      case '}':
        o += "\\}";
        break;
      case '~':
        o += "\\textasciitilde{}";
        break;
      case '^':
        o += "\\textasciicircum{}";
        break;
      case '\\':
        o += "\\textbackslash{}";
        break;
      default:
        o += c;
    }
  }
  return o;
}

// Non-ASCII characters that our values use, as LaTeX.
std::string tex_value(std::string s) {
  const std::pair<const char*, const char*> subs[] = {{"–", "--"}, {"±", "$\\pm$"}, {"−∞", "$-\\infty$"}, {"∞", "$\\infty$"}};
  for (const auto& [from, to] : subs)
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + std::strlen(to)))
      s.replace(p, std::strlen(from), to);
  return s;
}

std::string latex_table(const ReportModel& m, const MetricTable& t) {
  std::string tex = "\\begin{table}[ht]\n\\centering\n";
  tex += fmt::format(
      "\\caption{{{}{}: mean $\\pm$ 95\\% CI half-width over seeds (Student t), (n); best per "
      "column in bold; \\dag{{}} significantly better than every other architecture (Welch's "
      "t-test, Holm-corrected, $\\alpha = 0.05$).}}\n",
      tex_escape(t.metric), direction_text(t));
  tex += fmt::format("\\begin{{tabular}}{{l{}}}\n\\toprule\nArchitecture", std::string(m.mods.size(), 'r'));
  for (const auto& mod : m.mods) tex += " & " + tex_escape(mod);
  tex += " \\\\\n\\midrule\n";
  for (size_t i = 0; i < m.archs.size(); ++i) {
    tex += tex_escape(m.archs[i]);
    for (const auto& e : t.rows[i]) {
      if (e.s.n == 0) {
        tex += fmt::format(" & --\\textsuperscript{{{}}}", note_letter(e.missing));
        continue;
      }
      std::string txt = tex_value(entry_text(t.metric, e.s, " ± ", " (", ")"));
      tex += e.best ? " & \\textbf{" + txt + "}" + (e.beats_all ? "\\dag{}" : "") : " & " + txt;
    }
    tex += " \\\\\n";
  }
  tex += "\\bottomrule\n\\end{tabular}\n";
  for (Missing n : t.notes)
    tex += fmt::format("\\par\\smallskip{{\\footnotesize\\textsuperscript{{{}}}{}}}\n", note_letter(n),
                       tex_escape(note_text(n)));
  for (const auto& c : t.caveats)
    tex += fmt::format("\\par\\smallskip{{\\footnotesize * {}.}}\n", tex_escape(c));
  const auto sig = significance_lines(m, t);
  if (!sig.empty()) {
    std::string s = tex_escape(fmt::format("{}", fmt::join(sig, "; ")));
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"<", "$<$"}, {">", "$>$"}})
      for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
        s.replace(p, 1, to);
    tex += fmt::format(
        "\\par\\smallskip{{\\footnotesize Significant differences (Welch's t-test, "
        "Holm-corrected): {}.}}\n",
        s);
  }
  return tex + "\\end{table}\n\n";
}

// Skandarani et al. 2023's layout: one column pair (distance, Dice) per dataset, the real-only Dice last.
std::string latex_study_table(const ReportModel& m) {
  const auto st = m.study_table();
  if (!st) return "";
  std::string tex = "\\begin{table}[ht]\n\\centering\n";
  tex += fmt::format(
      "\\caption{{Study table (the layout of Skandarani et al. 2023): {} (lower is better) and the Dice of a U-Net "
      "trained on synthetic images only (higher is better) per dataset, mean $\\pm$ 95\\% CI half-width over "
      "seeds, (n); best per column in bold; the last row is the U-Net trained on the real images.{}}}\n",
      tex_escape(st->distance),
      st->distance == "fid_inception" ? "" : " The distance is a stand-in without Inception weights, not FID.");
  tex += fmt::format("\\begin{{tabular}}{{l{}}}\n\\toprule\n", std::string(2 * m.mods.size(), 'r'));
  for (const auto& mod : m.mods) tex += fmt::format(" & \\multicolumn{{2}}{{c}}{{{}}}", tex_escape(mod));
  tex += " \\\\\nArchitecture";
  for (size_t j = 0; j < m.mods.size(); ++j) tex += fmt::format(" & {} & Dice", st->distance == "fid_inception" ? "FID" : tex_escape(st->distance));
  tex += " \\\\\n\\midrule\n";
  auto cell = [&](const MetricTable& t, const Entry& e) {
    if (e.s.n == 0) return fmt::format(" & --\\textsuperscript{{{}}}", note_letter(e.missing));
    const std::string txt = tex_value(entry_text(t.metric, e.s, " ± ", " (", ")"));
    return e.best ? " & \\textbf{" + txt + "}" + (e.beats_all ? "\\dag{}" : "") : " & " + txt;
  };
  for (size_t i = 0; i < m.archs.size(); ++i) {
    tex += tex_escape(m.archs[i]);
    for (size_t j = 0; j < m.mods.size(); ++j) tex += cell(st->d, st->d.rows[i][j]) + cell(st->s, st->s.rows[i][j]);
    tex += " \\\\\n";
  }
  tex += "\\midrule\nreal data";
  for (size_t j = 0; j < m.mods.size(); ++j)
    tex += " & & " + (st->real[j].n == 0 ? std::string("--") : tex_value(entry_text(st->dice, st->real[j], " ± ", " (", ")")));
  tex += " \\\\\n\\bottomrule\n\\end{tabular}\n";
  if (const std::string note = m.label_conditioned_note(); !note.empty())
    tex += fmt::format("\\par\\smallskip{{\\footnotesize {}.}}\n", tex_escape(note));
  return tex + "\\end{table}\n\n";
}

}  // namespace

std::string render_latex(const ReportModel& m) {
  std::string tex =
      "% ganbench report: booktabs tables, one per metric. "
      "Compiles on its own; copy a table environment into\n"
      "% a paper (needs \\usepackage{booktabs}).\n"
      "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n"
      "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n";
  tex += fmt::format("\\section*{{ganbench report: {}}}\n\n",
                     tex_escape(fmt::format("{}", fmt::join(m.sweeps, ", "))));
  if (m.has_metric("memorization_near_copy_fraction_pixels"))
    tex += tex_escape(std::string(kPrivacyNote) + " " + label_fidelity_off_note(m)) + "\n\n";
  tex += latex_study_table(m);
  for (const auto& name : m.table_names()) tex += latex_table(m, m.table(name));
  return tex + "\\end{document}\n";
}

}  // namespace ganbench
