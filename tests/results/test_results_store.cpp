#include <doctest/doctest.h>

#include <fstream>

#include <sqlite3.h>

#include "results/results_store.h"
#include "results/run_data.h"
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

  TEST_CASE("results store: artefacts keep their SHA-256; a version-1 database gains the column on open") {
    test::TempDir dir;
    CellRecord c;
    c.id = "dcgan-cardiac-s0";
    c.sweep = "t";
    c.architecture = "dcgan";
    c.modality = "cardiac";
    c.config_hash = "abc";
    c.config_yaml = "x: 1\n";
    {
      ResultsStore s(dir / "results.db");
      s.begin_cell(c);
      s.finish_cell(c, {}, {{c.id, "checkpoint", "cells/x/step.pt", "00ff"}, {c.id, "config", "cells/x/config.yaml", ""}});
      CHECK(s.artefacts(c.id).at(0).sha256 == "00ff");
      CHECK(s.artefacts(c.id).at(1).sha256 == "");
    }
    // Back to version 1 by hand (the column dropped), as databases written before it are.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir / "results.db").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "ALTER TABLE artefacts DROP COLUMN sha256; UPDATE meta SET value = '1' WHERE key = 'schema_version';",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    ResultsStore old(dir / "results.db", false);
    const auto a = old.artefacts(c.id);
    REQUIRE(a.size() == 2);
    CHECK(a[0].path == "cells/x/step.pt");
    CHECK(a[0].sha256 == "");  // not recorded then
    old.import_cell(*old.find_cell(c.id), {}, {{c.id, "checkpoint", "cells/x/step.pt", "abcd"}});
    CHECK(old.artefacts(c.id).at(0).sha256 == "abcd");
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

  TEST_CASE("results store: WAL, so a report reads one committed snapshot while a run is mid-transaction") {
    test::TempDir dir;
    {
      ResultsStore s(dir / "results.db");
      s.record_sweep("t", "name: t\n");
      CellRecord c;
      c.id = "a";
      c.sweep = "t";
      c.architecture = "dcgan";
      c.modality = "cardiac";
      c.config_hash = "h";
      c.config_yaml = "{}";
      c.started = "2026-01-01T00:00:00Z";
      s.begin_cell(c);
      s.add_metrics({{"a", "fd_handcrafted", 1, 0.5}});
    }
    sqlite3* w = nullptr;
    REQUIRE(sqlite3_open((dir / "results.db").c_str(), &w) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(w, "PRAGMA journal_mode", -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
    sqlite3_finalize(st);
    // A writer holds the write lock with uncommitted rows, as a run does inside finish_cell.
    REQUIRE(sqlite3_exec(w, "BEGIN IMMEDIATE; INSERT INTO metrics VALUES('a', 'fd_handcrafted', 2, 0.25);",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    const RunData r = load_run(dir.path());  // neither blocks nor sees the uncommitted row
    REQUIRE(r.metrics.size() == 1);
    CHECK(r.metrics[0].step == 1);
    REQUIRE(sqlite3_exec(w, "COMMIT;", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(w);
    CHECK(load_run(dir.path()).metrics.size() == 2);
  }
}
