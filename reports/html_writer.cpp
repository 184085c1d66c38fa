#include "reports/report_writers.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "metrics/metric_catalogue.h"
#include "reports/sample_grid.h"
#include "reports/svg.h"

namespace ganbench {
namespace {
// Per architecture, the sample sheet (or the memorization gallery) of the first finished seed of `mod` that
// has one, as <div class="grid"> blocks.
std::string sheets_of(const ReportModel& m, const std::string& mod, bool nearest) {
  std::string out;
  for (const auto& a : m.archs)
    for (size_t i = 0; i < m.cells.size(); ++i) {
      const auto& c = m.cells[i];
      if (c.architecture != a || c.modality != mod || c.status != "done") continue;
      const std::string png = nearest ? m.nearest_sheet(i) : m.sample_sheet(i);
      if (png.empty()) continue;
      const std::string cmd = nearest ? "" : m.export_command(i);
      out += fmt::format(
          "<div class=\"grid\"><div>{} (seed {})</div><img alt=\"{} {}\" src=\"data:image/png;base64,{}\">{}</div>\n",
          svg::escape(a), c.seed, svg::escape(c.id), nearest ? "nearest training pairs" : "samples",
          base64_encode(png), cmd.empty() ? "" : "<div>export: <code>" + svg::escape(cmd) + "</code></div>");
      break;
    }
  return out;
}

// Lets long metric names break after their underscores.
std::string wrap_underscores(std::string s) {
  for (size_t p = s.find('_'); p != std::string::npos; p = s.find('_', p + 6)) s.insert(p + 1, "<wbr>");
  return s;
}

// One <td>: mean ± std (n), bold when best, or a footnoted dash.
std::string html_entry(const std::string& metric, const Entry& e) {
  if (e.s.n == 0) return fmt::format("<td class=\"missing\">–<sup>{}</sup></td>", note_letter(e.missing));
  // entry_text with an empty n suffix is "mean ± std" + n; rebuild it with the n in its own span.
  std::string value = entry_text(metric, e.s, " ± ", "\x1f", "");
  value = value.substr(0, value.find('\x1f'));
  const std::string cell = svg::escape(value) + fmt::format(" <span class=\"n\">(n={})</span>", e.s.n);
  return e.best ? "<td class=\"best\"><b>" + cell + "</b>" + (e.beats_all ? "†" : "") + "</td>"
                : "<td>" + cell + "</td>";
}

std::string html_table(const ReportModel& m, const MetricTable& t) {
  std::string h = fmt::format("<table class=\"metric\"><caption>{}{}</caption>\n<tr><th>architecture</th>",
                              svg::escape(t.metric), direction_text(t));
  for (const auto& mod : m.mods) h += "<th>" + svg::escape(mod) + "</th>";
  h += "</tr>\n";
  for (size_t i = 0; i < m.archs.size(); ++i) {
    h += "<tr><th>" + svg::escape(m.archs[i]) + "</th>";
    for (const auto& e : t.rows[i]) h += html_entry(t.metric, e);
    h += "</tr>\n";
  }
  h += "</table>\n";
  for (Missing n : t.notes)
    h += fmt::format("<p class=\"note\"><sup>{}</sup> {}</p>\n", note_letter(n), svg::escape(note_text(n)));
  for (const auto& c : t.caveats) h += "<p class=\"note\">* " + svg::escape(c) + ".</p>\n";
  const auto sig = significance_lines(m, t);
  if (!sig.empty())
    h += fmt::format("<p class=\"note\">Significant differences (Welch's t-test, Holm-corrected): {}.</p>\n",
                     svg::escape(fmt::format("{}", fmt::join(sig, "; "))));
  return h;
}

// Skandarani et al. 2023's layout: per dataset its distance and synthetic-only Dice side by side, real Dice last.
std::string html_study_table(const ReportModel& m) {
  const auto st = m.study_table();
  if (!st) return "";
  std::string h = "<h2>Study table</h2>\n<p>The layout of Skandarani et al. 2023: <code>" + svg::escape(st->distance) +
                  "</code> (lower is better) and the Dice of a U-Net trained on synthetic images only (higher is "
                  "better) per dataset; the last row is the U-Net trained on the real images." +
                  (st->distance == "fid_inception"
                       ? std::string()
                       : " Without Inception weights the distance is a stand-in, not FID: not comparable with the "
                         "paper's values.") +
                  "</p>\n<div class=\"scroll\"><table class=\"metric\">\n<tr><th></th>";
  for (const auto& mod : m.mods) h += "<th colspan=\"2\">" + svg::escape(mod) + "</th>";
  h += "</tr>\n<tr><th>architecture</th>";
  for (size_t j = 0; j < m.mods.size(); ++j) h += "<th>" + svg::escape(st->distance) + "</th><th>Dice</th>";
  h += "</tr>\n";
  for (size_t i = 0; i < m.archs.size(); ++i) {
    h += "<tr><th>" + svg::escape(m.archs[i]) + "</th>";
    for (size_t j = 0; j < m.mods.size(); ++j)
      h += html_entry(st->distance, st->d.rows[i][j]) + html_entry(st->dice, st->s.rows[i][j]);
    h += "</tr>\n";
  }
  h += "<tr><th>real data</th>";
  for (size_t j = 0; j < m.mods.size(); ++j) {
    Entry e;
    e.s = st->real[j];
    e.missing = Missing::not_computed;
    h += "<td></td>" + html_entry(st->dice, e);
  }
  h += "</tr>\n</table></div>\n";
  if (const std::string note = m.label_conditioned_note(); !note.empty())
    h += "<p class=\"note\">" + svg::escape(note) + ".</p>\n";
  return h;
}

// The transfer axes: each fine-tuned (architecture, N) against scratch, per metric and modality.
std::string html_transfer(const ReportModel& m) {
  std::string h;
  for (const auto& metric : m.transfer_metrics())
    for (const auto& mod : m.mods) {
      const auto rows = m.transfer_comparisons(metric, mod);
      if (rows.empty()) continue;
      const MetricTable t = m.table(metric);
      h += fmt::format("<table class=\"metric\"><caption>{}: {}{}</caption>\n<tr><th>architecture</th><th>start</th>"
                       "<th>N</th><th>fine-tuned</th><th>scratch</th><th>difference</th><th>p</th><th>p (Holm)</th></tr>\n",
                       svg::escape(mod), svg::escape(metric), direction_text(t));
      for (const auto& r : rows) {
        Entry f, sc;
        f.s = r.fine;
        sc.s = r.scratch;
        h += fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td>{}{}<td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         svg::escape(r.architecture), svg::escape(r.finetuned), r.n, html_entry(metric, f),
                         html_entry(metric, sc), svg::escape(format_std(metric, r.fine.mean - r.scratch.mean, r.scratch.mean)),
                         format_p(r.p),
                         format_p(r.p_holm));
      }
      h += "</table>\n";
    }
  if (h.empty()) return "";
  return "<h2>Fine-tuned against scratch</h2>\n<p>Each fine-tuned architecture, start and N against the scratch cells "
         "of the same architecture and N: Welch's t-test over seeds, p Holm-adjusted over the rows of one table.</p>\n" +
         h;
}

constexpr const char* kCss =
    "body{font-family:sans-serif;max-width:1180px;margin:24px auto;padding:0 16px;color:#222}"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}"
    "table{border-collapse:collapse;margin:8px 0 4px}caption{text-align:left;font-weight:bold;padding:4px 0}"
    "th,td{border-top:1px solid #ddd;border-bottom:1px solid #ddd;padding:3px 10px;text-align:right}"
    "th:first-child{text-align:left}td.best{background:#eef6ee}td.missing{color:#999}"
    ".n{color:#777;font-size:90%}"
    ".note{font-size:12px;color:#555;margin:0}"
    "table.summary th{vertical-align:bottom}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px 28px;align-items:flex-start}"
    ".grid{display:inline-block;margin:0 16px 16px 0;vertical-align:top}"
    ".grid img{image-rendering:pixelated;max-width:100%;border:1px solid #ccc}"
    "pre{background:#f6f6f6;padding:8px;font-size:12px;overflow:auto}"
    "details{margin:4px 0}summary{cursor:pointer}";

}  // namespace

std::string render_html(const ReportModel& m) {
  const std::string title = fmt::format("ganbench report: {}", fmt::join(m.sweeps, ", "));
  const int n_done = m.done(), n_failed = m.failed();
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                  svg::escape(title) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
  h += "<h1>" + svg::escape(title) + "</h1>\n";
  h += fmt::format(
      "<p>{} cells ({} architectures x {} modalities x seeds): {} done, {} failed, {} unfinished. "
      "{}</p>\n",
      m.cells.size(), m.archs.size(), m.mods.size(), n_done, n_failed, m.cells.size() - n_done - n_failed,
      svg::escape(kStatisticsNote));
  if (m.has_metric(metric_name("fd", {{"space", "handcrafted"}})))
    h += "<p class=\"note\">fd_handcrafted and kid_handcrafted use a stand-in feature extractor; "
         "they are not FID/KID on Inception features and are not comparable with published numbers.</p>\n";

  // Summary: one table, a row per modality and architecture, a column per headline metric present; the best
  // per modality and metric in bold.
  const auto names = m.table_names();
  std::vector<MetricTable> heads;
  for (const auto& name : headline_metrics())
    if (match_metric(name)->spec->summary && m.has_metric(name)) heads.push_back(m.table(name));
  h += html_study_table(m);
  h += html_transfer(m);
  h += "<h2>Summary</h2>\n<div class=\"scroll\"><table class=\"summary\">\n"
       "<tr><th>modality</th><th>architecture</th>";
  for (const auto& t : heads)
    h += fmt::format("<th>{}<br><span class=\"n\">{}</span></th>", wrap_underscores(svg::escape(t.metric)),
                     svg::escape(direction_words(t)));
  h += "</tr>\n";
  std::set<Missing> used;
  for (size_t j = 0; j < m.mods.size(); ++j)
    for (size_t i = 0; i < m.archs.size(); ++i) {
      h += fmt::format("<tr><th>{}</th><th>{}</th>", i == 0 ? svg::escape(m.mods[j]) : "",
                       svg::escape(m.archs[i]));
      for (const auto& t : heads) {
        const Entry& e = t.rows[i][j];
        if (e.s.n == 0) used.insert(e.missing);
        h += html_entry(t.metric, e);
      }
      h += "</tr>\n";
    }
  h += "</table></div>\n";
  for (Missing n : used)
    h += fmt::format("<p class=\"note\"><sup>{}</sup> {}</p>\n", note_letter(n), svg::escape(note_text(n)));

  // Charts.
  h += "<h2>Charts</h2>\n<div class=\"charts\">\n";
  for (const auto& name : names) {
    const auto match = match_metric(name);
    if (!match || match->spec->family != "distance" || !match->view.empty()) continue;
    std::vector<std::vector<double>> mean, sd;
    m.grouped(name, mean, sd);
    svg::ChartOptions o;
    o.title = name + " per architecture (lower is better)";
    o.x_label = "modality";
    o.y_label = name;
    o.y_min = 0;  // a distance is never negative
    h += svg::bar_chart(m.mods, m.archs, mean, sd, o);
  }
  {  // Dice against the synthetic-to-real ratio (0 = the real-only baseline), per modality.
    const auto arms = m.mixed_arms();
    const std::string real = metric_name("seg_dice", {{"arm", "real"}});
    if (!arms.empty() && m.has_metric(real))
      for (size_t j = 0; j < m.mods.size(); ++j) {
        std::vector<svg::Series> series;
        for (size_t i = 0; i < m.archs.size(); ++i) {
          svg::Series s;
          s.name = m.archs[i];
          std::vector<std::pair<double, std::string>> pts{{0.0, real}};
          pts.insert(pts.end(), arms.begin(), arms.end());
          for (const auto& [r, metric] : pts) {
            const Entry e = m.table(metric).rows[i][j];
            s.x.push_back(r);
            s.y.push_back(e.s.n > 0 ? e.s.mean : NAN);
            s.err.push_back(e.s.ci);  // 95% t interval
          }
          series.push_back(s);
        }
        svg::ChartOptions o;
        o.title = "U-Net Dice vs synthetic ratio, " + m.mods[j];
        o.x_label = "synthetic images per real image (0 = real only)";
        o.y_label = "mean foreground Dice";
        o.y_from_zero = false;
        o.y_min = 0, o.y_max = 1;  // Dice
        h += svg::line_chart(series, o);
      }
  }
  if (m.has_train_subjects()) {  // data scarcity: each distance and Dice arm against N, a line per start
    std::vector<std::string> metrics;
    for (const auto& name : names) {
      const auto match = match_metric(name);
      if (match && match->spec->family == "distance" && match->view.empty()) metrics.push_back(name);
    }
    for (const auto& arm : m.dice_arms()) metrics.push_back(arm.second);
    for (const auto& metric : metrics)
      for (const auto& mod : m.mods) {
        std::vector<svg::Series> series;
        for (const auto& line : m.scarcity(metric, mod)) {
          svg::Series sr;
          sr.name = line.name;
          sr.x = line.n;
          for (const auto& su : line.s) {
            sr.y.push_back(su.n > 0 ? su.mean : NAN);
            sr.err.push_back(su.ci);  // 95% t interval over seeds
          }
          series.push_back(sr);
        }
        if (series.empty()) continue;
        const bool dice = metric.rfind("seg_dice", 0) == 0;
        svg::ChartOptions o;
        o.title = metric + " vs training subjects, " + mod;
        o.x_label = "training subjects N (log scale)";
        o.y_label = metric;
        o.log_x = true;
        o.y_from_zero = !dice;
        o.y_min = 0;
        if (dice) o.y_max = 1;
        h += svg::line_chart(series, o);
      }
  }
  for (const auto& [metric, label] : std::vector<std::pair<std::string, std::string>>{
           {"train_seconds", "training time per cell (s)"},
           {"peak_rss_mib", "peak resident memory per cell (MiB)"}}) {
    if (!m.has_metric(metric)) continue;
    std::vector<std::vector<double>> mean, sd;
    m.grouped(metric, mean, sd);
    svg::ChartOptions o;
    o.title = label;
    o.x_label = "modality";
    o.y_label = metric;
    o.y_min = 0;  // seconds, MiB
    h += svg::bar_chart(m.mods, m.archs, mean, sd, o);
  }
  h += "</div>\n";

  // Training losses, one chart per architecture and modality, one line per loss and seed.
  h += "<h2>Training losses</h2>\n<div class=\"charts\">\n";
  for (const auto& a : m.archs)
    for (const auto& mod : m.mods) {
      std::vector<svg::Series> series;
      for (size_t i = 0; i < m.cells.size(); ++i) {
        const auto& c = m.cells[i];
        if (c.architecture != a || c.modality != mod) continue;
        auto cit = m.curves.find(m.keys[i]);
        if (cit == m.curves.end()) continue;
        for (const char* loss : {"loss_d", "loss_g"}) {
          auto it = cit->second.find(metric_name("train_loss", {{"loss", loss}}));
          if (it == cit->second.end()) continue;
          svg::Series s;
          s.name = fmt::format("{} s{}", loss, c.seed);
          for (const auto& [step, v] : it->second) s.x.push_back(double(step)), s.y.push_back(v);
          series.push_back(s);
        }
      }
      if (series.empty()) continue;
      svg::ChartOptions o;
      o.title = a + ", " + mod;
      o.x_label = "step";
      o.y_label = "loss";
      o.width = 380;
      o.height = 240;
      o.y_from_zero = false;
      h += svg::line_chart(series, o);
    }
  h += "</div>\n";

  // Sample grids: per modality, the first finished seed of each architecture.
  h += "<h2>Samples</h2>\n<p>Each sheet: real training images, the untrained generator, and the trained one; "
       "every second row overlays the label map in colour.</p>\n";
  for (const auto& mod : m.mods) h += "<h3>" + svg::escape(mod) + "</h3>\n" + sheets_of(m, mod, false);

  // Memorization gallery and label fidelity: per modality, the first finished seed of each architecture.
  if (m.has_metric(metric_name("memorization_near_copy_fraction", {{"space", "pixels"}})) ||
      m.has_metric("label_fidelity_dice")) {
    h += "<h2>Memorization and label fidelity</h2>\n<p>" + svg::escape(kPrivacyNote) + "</p>\n";
    if (const std::string off = label_fidelity_off_note(m); !off.empty())
      h += "<p class=\"note\">" + svg::escape(off) + "</p>\n";
    h +=
        "<p>Each gallery: the generated images nearest the training set in pixel space, closest first, above "
        "their nearest training images (label overlays below each).</p>\n";
    for (const auto& mod : m.mods) {
      const std::string part = sheets_of(m, mod, true);
      if (!part.empty()) h += "<h3>" + svg::escape(mod) + "</h3>\n" + part;
    }
  }

  h += "<h2>All metrics</h2>\n<details><summary>every metric as a table</summary>\n";
  for (const auto& name : names) h += html_table(m, m.table(name));
  h += "</details>\n";

  h += "<h2>Cells</h2>\n<table><tr><th>cell</th><th>status</th><th>seed</th><th>train s</th>"
       "<th>resolved config</th></tr>\n";
  for (const auto& c : m.cells) {
    h += fmt::format(
        "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td style=\"text-align:left\"><details>"
        "<summary>config</summary><pre>{}</pre></details>{}</td></tr>\n",
        svg::escape(c.id), svg::escape(c.status), c.seed,
        c.status == "done" ? fmt::format("{:.1f}", c.train_seconds) : "–", svg::escape(c.config_yaml),
        c.error.empty() ? "" : "<div class=\"note\">" + svg::escape(c.error) + "</div>");
  }
  h += "</table>\n</body>\n</html>\n";
  return h;
}

}  // namespace ganbench
