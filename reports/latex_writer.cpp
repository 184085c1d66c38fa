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
  for (const auto& name : m.table_names()) tex += latex_table(m, m.table(name));
  return tex + "\\end{document}\n";
}

}  // namespace ganbench
