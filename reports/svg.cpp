#include "reports/svg.h"

#include <set>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ganbench::svg {
namespace {
constexpr int kLeft = 62, kRight = 16, kTop = 30, kBottom = 62;  // plot margins, px (legend below)
constexpr int kLegendRow = 16;                                   // legend line height, px

std::string num(double v) { return fmt::format("{:.1f}", v); }
std::string tick_label(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e4 || a < 1e-3) return fmt::format("{:.1e}", v);
  return fmt::format("{:.6g}", v);
}

struct Frame {
  double x0, x1, y0, y1;  // data range
  int w, h;
  double px(double x) const { return kLeft + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (w - kLeft - kRight); }
  double py(double y) const {
    return kTop + (1 - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5)) * (h - kTop - kBottom);
  }
};

std::string open_svg(const ChartOptions& o, int extra_height) {
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} "
      "{}\" "
      "font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"{}\">\n",
      o.width, o.height + extra_height, o.width, o.height + extra_height, escape(o.title));
  s += fmt::format("<text x=\"{}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{}</text>\n", kLeft,
                   escape(o.title));
  return s;
}

std::string y_axis(const Frame& f, const std::vector<double>& ticks, const ChartOptions& o) {
  std::string s;
  for (double t : ticks) {
    const double y = f.py(t);
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>\n", kLeft, num(y),
                     f.w - kRight, num(y));
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", kLeft - 4, num(y + 4),
                     tick_label(t));
  }
  s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n", kLeft, kTop, kLeft,
                   f.h - kBottom);
  s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>\n", kLeft, f.h - kBottom,
                   f.w - kRight, f.h - kBottom);
  s += fmt::format("<text transform=\"translate(14,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                   num((kTop + f.h - kBottom) / 2.0), escape(o.y_label));
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                   num((kLeft + f.w - kRight) / 2.0), f.h - kBottom + 32, escape(o.x_label));
  return s;
}

std::string legend(const std::vector<std::string>& names, int y0) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    const int y = y0 + static_cast<int>(i) * kLegendRow;
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>", kLeft, y - 9,
                     colour(i));
    s += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", kLeft + 14, y, escape(names[i]));
  }
  return s;
}

// A whisker from v - e to v + e, cut at the chart's bounds; a cut end gets a cross bar (class "clamped").
// Returns "" for no spread.
std::string whisker(const Frame& f, const ChartOptions& o, double cx, double v, double e,
                    const std::string& stroke, bool& clamped) {
  if (!std::isfinite(e) || e <= 0) return "";
  const double lo = std::max(v - e, o.y_min), hi = std::min(v + e, o.y_max);
  std::string s = fmt::format("<line class=\"mark\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\"/>\n",
                              num(cx), num(f.py(lo)), num(f.py(hi)), stroke);
  for (const auto& [cut, y] : {std::pair{lo > v - e, lo}, std::pair{hi < v + e, hi}})
    if (cut) {
      clamped = true;
      s += fmt::format(
          "<line class=\"clamped\" x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"{3}\" "
          "stroke-width=\"2.5\"><title>interval cut at {4}</title></line>\n",
          num(cx - 4), num(cx + 4), num(f.py(y)), stroke, tick_label(y));
    }
  return s;
}

// The sentence under a chart with a cut whisker.
std::string clamp_note(const ChartOptions& o, bool clamped) {
  if (!clamped) return "";
  return fmt::format(
      "<text class=\"clamp-note\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">a "
      "thick end: the 95% interval is cut where the quantity ends</text>\n",
      o.width - kRight, kTop - 3);
}

std::string no_data(const ChartOptions& o) {
  std::string s = open_svg(o, 0);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n</svg>\n",
                   o.width / 2, o.height / 2);
  return s;
}

std::pair<double, double> y_range(double lo, double hi, bool from_zero) {
  if (from_zero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  if (hi == lo) hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.1);
  return {lo, hi};
}
}  // namespace

std::string escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  return o;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi <= lo || target < 1) return {};
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

const std::string& colour(size_t i) {
  static const std::vector<std::string> c{"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                          "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
  return c[i % c.size()];
}

std::string line_chart(const std::vector<Series>& series_in, const ChartOptions& o) {
  std::vector<Series> series = series_in;
  std::set<double> x_values;  // log_x: ticks at the data's x, labelled in data units
  if (o.log_x)
    for (auto& sr : series)
      for (auto& x : sr.x) {
        if (!(x > 0)) x = NAN;
        if (std::isfinite(x)) x_values.insert(x);
        x = std::log10(x);
      }
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      const double e = i < s.err.size() && std::isfinite(s.err[i]) ? s.err[i] : 0;
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, std::max(s.y[i] - e, o.y_min)), y1 = std::max(y1, std::min(s.y[i] + e, o.y_max));
    }
  if (!std::isfinite(x0)) return no_data(o);
  std::tie(y0, y1) = y_range(y0, y1, o.y_from_zero);
  auto yt = nice_ticks(y0, y1);
  if (!yt.empty()) y0 = std::min(y0, yt.front()), y1 = std::max(y1, yt.back());
  if (x1 == x0) x0 -= 0.5, x1 += 0.5;
  const Frame f{x0, x1, y0, y1, o.width, o.height};
  const int extra = static_cast<int>(series.size()) * kLegendRow;
  std::string s = open_svg(o, extra) + y_axis(f, yt, o);
  if (o.log_x)
    for (double v : x_values)
      s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", num(f.px(std::log10(v))),
                       o.height - kBottom + 14, tick_label(v));
  else
    for (double t : nice_ticks(x0, x1))
      s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", num(f.px(t)),
                       o.height - kBottom + 14, tick_label(t));
  bool clamped = false;
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& sr = series[k];
    std::string path;
    bool pen_down = false;
    for (size_t i = 0; i < sr.x.size() && i < sr.y.size(); ++i) {
      if (!std::isfinite(sr.x[i]) || !std::isfinite(sr.y[i])) {
        pen_down = false;
        continue;
      }
      path += fmt::format("{}{},{} ", pen_down ? "L" : "M", num(f.px(sr.x[i])), num(f.py(sr.y[i])));
      pen_down = true;
    }
    s += fmt::format("<path class=\"mark\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"/>\n",
                     path, colour(k));
    const bool dots = sr.x.size() <= 40;
    for (size_t i = 0; i < sr.x.size() && i < sr.y.size(); ++i) {
      if (!std::isfinite(sr.x[i]) || !std::isfinite(sr.y[i])) continue;
      const double cx = f.px(sr.x[i]), cy = f.py(sr.y[i]);
      if (i < sr.err.size()) s += whisker(f, o, cx, sr.y[i], sr.err[i], colour(k), clamped);
      if (dots)
        s += fmt::format(
            "<circle class=\"mark\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"><title>{}: {}</title></circle>\n",
            num(cx), num(cy), colour(k), escape(sr.name), tick_label(sr.y[i]));
    }
  }
  std::vector<std::string> names;
  for (const auto& sr : series) names.push_back(sr.name);
  s += clamp_note(o, clamped) + legend(names, o.height - kBottom + 50) + "</svg>\n";
  return s;
}

std::string bar_chart(const std::vector<std::string>& groups, const std::vector<std::string>& series,
                      const std::vector<std::vector<double>>& values,
                      const std::vector<std::vector<double>>& errs, const ChartOptions& o) {
  double y0 = INFINITY, y1 = -INFINITY;
  for (size_t k = 0; k < values.size(); ++k)
    for (size_t g = 0; g < values[k].size(); ++g) {
      const double v = values[k][g];
      if (!std::isfinite(v)) continue;
      const double e = k < errs.size() && g < errs[k].size() && std::isfinite(errs[k][g]) ? errs[k][g] : 0;
      y0 = std::min(y0, std::max(v - e, o.y_min)), y1 = std::max(y1, std::min(v + e, o.y_max));
    }
  if (groups.empty() || series.empty() || !std::isfinite(y0)) return no_data(o);
  std::tie(y0, y1) = y_range(y0, y1, true);
  auto yt = nice_ticks(y0, y1);
  if (!yt.empty()) y0 = std::min(y0, yt.front()), y1 = std::max(y1, yt.back());
  const Frame f{0, 1, y0, y1, o.width, o.height};
  const int extra = static_cast<int>(series.size()) * kLegendRow;
  std::string s = open_svg(o, extra) + y_axis(f, yt, o);
  const double plot_w = o.width - kLeft - kRight, group_w = plot_w / groups.size();
  const double bar_w = group_w * 0.8 / series.size();
  bool clamped = false;
  for (size_t g = 0; g < groups.size(); ++g) {
    const double gx = kLeft + g * group_w;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", num(gx + group_w / 2),
                     o.height - kBottom + 14, escape(groups[g]));
    for (size_t k = 0; k < series.size() && k < values.size(); ++k) {
      if (g >= values[k].size() || !std::isfinite(values[k][g])) continue;
      const double v = values[k][g], x = gx + group_w * 0.1 + k * bar_w;
      const double top = f.py(std::max(v, 0.0)), bottom = f.py(std::min(v, 0.0));
      s += fmt::format(
          "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}, {}: "
          "{}</title></rect>\n",
          num(x), num(top), num(bar_w * 0.92), num(std::max(bottom - top, 0.5)), colour(k), escape(series[k]),
          escape(groups[g]), tick_label(v));
      if (k < errs.size() && g < errs[k].size()) s += whisker(f, o, x + bar_w * 0.46, v, errs[k][g], "#222", clamped);
    }
  }
  s += clamp_note(o, clamped) + legend(series, o.height - kBottom + 50) + "</svg>\n";
  return s;
}

}  // namespace ganbench::svg
