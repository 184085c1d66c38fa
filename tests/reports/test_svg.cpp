#include <doctest/doctest.h>

#include <cmath>

#include "reports/svg.h"

using namespace ganbench;

namespace {
size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST_SUITE("reports") {
  TEST_CASE("svg: escaping and nice ticks") {
    CHECK(svg::escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;");
    CHECK(svg::nice_ticks(0, 1) == std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1});
    const auto t = svg::nice_ticks(3, 97);
    CHECK(t.front() == 20);
    CHECK(t.back() == 80);
    CHECK(svg::nice_ticks(1, 1).empty());
    CHECK(svg::nice_ticks(NAN, 1).empty());
  }

  TEST_CASE("svg: a bar per finite value, whiskers for spreads, 'no data' when empty") {
    svg::ChartOptions o;
    o.title = "FID <test>";
    const std::string s = svg::bar_chart({"cardiac", "liver"}, {"dcgan", "wgan_gp"}, {{1.0, 2.0}, {3.0, NAN}},
                                         {{0.5, NAN}, {NAN, NAN}}, o);
    CHECK(s.rfind("<svg", 0) == 0);
    CHECK(count(s, "<rect class=\"mark\"") == 3);  // the NaN bar is left out
    CHECK(count(s, "<line class=\"mark\"") == 1);  // one whisker
    CHECK(count(s, "FID &lt;test&gt;") >= 1);
    CHECK(svg::bar_chart({}, {}, {}, {}, o).find("no data") != std::string::npos);
    // Bars scale with their values: the 3.0 bar (wgan_gp, cardiac) is three times the 1.0 bar.
    auto height = [&](size_t which) {
      size_t p = 0;
      for (size_t i = 0; i <= which; ++i) p = s.find("<rect class=\"mark\"", p + 1);
      const size_t h = s.find("height=\"", p) + 8;
      return std::stod(s.substr(h, s.find('"', h) - h));
    };
    CHECK(height(1) == doctest::Approx(3 * height(0)).epsilon(0.02));  // drawn group by group
  }

  TEST_CASE("svg: whiskers are cut at the quantity's bounds, and the cut end is marked") {
    svg::ChartOptions o;
    o.y_min = 0;
    // 1.0 +- 1.5 would reach -0.5: cut at 0, one clamped mark and the note; 3.0 +- 0.5 stays whole.
    const std::string s = svg::bar_chart({"cardiac"}, {"dcgan", "wgan_gp"}, {{1.0}, {3.0}}, {{1.5}, {0.5}}, o);
    CHECK(count(s, "<line class=\"mark\"") == 2);
    CHECK(count(s, "<line class=\"clamped\"") == 1);
    CHECK(count(s, "interval cut at 0") == 1);
    CHECK(count(s, "class=\"clamp-note\"") == 1);
    CHECK(count(s, ">-0.5<") == 0);  // no tick below the bound
    // Unbounded (the default), the same whisker is drawn whole and nothing is marked.
    const std::string u = svg::bar_chart({"cardiac"}, {"dcgan"}, {{1.0}}, {{1.5}}, {});
    CHECK(count(u, "clamped") == 0);
    CHECK(count(u, "clamp-note") == 0);
    // Dice in [0, 1]: 0.9 +- 0.3 is cut at 1 in a line chart.
    svg::ChartOptions d;
    d.y_min = 0, d.y_max = 1;
    const std::string l = svg::line_chart({svg::Series{"dcgan", {0, 1}, {0.9, 0.5}, {0.3, 0.1}}}, d);
    CHECK(count(l, "<line class=\"clamped\"") == 1);
    CHECK(count(l, "interval cut at 1") == 1);
  }

  TEST_CASE("svg: line charts break at missing points and mark each point") {
    svg::Series a{"loss_d", {0, 1, 2, 3}, {1.0, NAN, 0.5, 0.4}, {}};
    const std::string s = svg::line_chart({a}, {});
    CHECK(count(s, "<circle class=\"mark\"") == 3);
    CHECK(count(s, " M") + count(s, "\"M") == 2);  // two runs of the path
    CHECK(svg::line_chart({}, {}).find("no data") != std::string::npos);
  }
}

TEST_SUITE("reports") {
  TEST_CASE("svg: log_x spaces doublings equally and ticks at the data's own x values") {
    svg::ChartOptions o;
    o.log_x = true;
    const std::string s = svg::line_chart({{"dcgan", {25, 50, 100, 400}, {1, 2, 3, 4}, {}}}, o);
    // One circle per point; their cx from the <circle ... cx="..." attributes.
    std::vector<double> cx;
    for (size_t p = s.find("<circle class=\"mark\" cx=\""); p != std::string::npos;
         p = s.find("<circle class=\"mark\" cx=\"", p + 1))
      cx.push_back(std::stod(s.substr(p + 25)));
    REQUIRE(cx.size() == 4);
    CHECK(cx[1] - cx[0] == doctest::Approx(cx[2] - cx[1]).epsilon(1e-3));        // 25 -> 50 = 50 -> 100
    CHECK(cx[3] - cx[2] == doctest::Approx(2 * (cx[2] - cx[1])).epsilon(1e-3));  // 100 -> 400: two doublings
    for (const char* tick : {">25<", ">50<", ">100<", ">400<"}) CHECK(count(s, tick) == 1);
    // A non-positive x has no place on a log axis: skipped, not drawn at -infinity.
    const std::string z = svg::line_chart({{"a", {0, 10}, {1, 2}, {}}}, o);
    CHECK(count(z, "<circle class=\"mark\"") == 1);
  }
}
