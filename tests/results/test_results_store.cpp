#include <doctest/doctest.h>

#include <fstream>

#include "results/results_store.h"
#include "tests/test_util.h"

using namespace ganbench;

TEST_SUITE("results") {
  TEST_CASE("results store: a cell runs, gets metrics, and is done only when finished") {
    test::TempDir dir;
    {
      ResultsStore s(dir / "results.db");
      CellRecord c;
      c.id = "dcgan-cardiac-s0";
      c.sweep = "t";
      c.architecture = "dcgan";
      c.modality = "cardiac";
      c.config_hash = "abc";
      c.config_yaml = "x: 1\n";
      c.started = utc_now_iso();
      s.begin_cell(c);
      CHECK(s.find_cell(c.id)->status == "running");
      s.add_metrics({{c.id, "train/loss_d", 10, 0.5}});
      c.finished = utc_now_iso();
      c.train_seconds = 1.5;
      s.finish_cell(c, {{c.id, "fd_x", 20, 2.0}}, {{c.id, "config", "cells/x/config.yaml"}});
      s.fail_cell("nope", "x", 0);  // unknown cell: no row appears
      CHECK(s.cells().size() == 1);
    }
    ResultsStore again(dir / "results.db", false);
    const auto c = again.find_cell("dcgan-cardiac-s0");
    REQUIRE(c);
    CHECK(c->status == "done");
    CHECK(c->train_seconds == 1.5);
    CHECK(again.metrics("dcgan-cardiac-s0").size() == 2);
    CHECK(again.artefacts().size() == 1);
    CHECK(!again.find_cell("other"));
  }

  TEST_CASE("results store: opening a missing database without create is an error naming it") {
    test::TempDir dir;
    CHECK_THROWS_WITH(ResultsStore(dir / "none.db", false), doctest::Contains("none.db"));
  }

  TEST_CASE("results store: a corrupt database is a clear error") {
    test::TempDir dir;
    { std::ofstream(dir / "results.db") << std::string(5000, 'z'); }
    CHECK_THROWS_WITH(ResultsStore(dir / "results.db"), doctest::Contains("results.db"));
  }
}
