#include <doctest/doctest.h>

#include "reports/export.h"

using namespace ganbench;

TEST_SUITE("reports") {
  TEST_CASE("export: one tidy row per value, 17 digits, quoted errors; --reproducible drops per-attempt values") {
    RunData run;
    CellRecord ok;
    ok.id = "dcgan-cardiac-s0";
    ok.architecture = "dcgan";
    ok.modality = "cardiac";
    ok.status = "done";
    CellRecord bad = ok;
    bad.id = "dcgan-cardiac-s1";
    bad.seed = 1;
    bad.status = "failed";
    bad.error = "loss_d became nan, at step 3; \"lower\" it";
    run.cells = {bad, ok};
    run.metrics = {{"dcgan-cardiac-s0", "train_seconds", 20, 1.5},
                   {"dcgan-cardiac-s0", "fd_handcrafted", 20, 0.1},
                   {"dcgan-cardiac-s0", "fd_handcrafted", 0, 2.0 / 3.0}};
    CHECK(export_csv(run, false) ==
          "cell,architecture,modality,seed,status,error,metric,step,value\n"
          "dcgan-cardiac-s0,dcgan,cardiac,0,done,,fd_handcrafted,0,0.66666666666666663\n"
          "dcgan-cardiac-s0,dcgan,cardiac,0,done,,fd_handcrafted,20,0.10000000000000001\n"
          "dcgan-cardiac-s0,dcgan,cardiac,0,done,,train_seconds,20,1.5\n"
          "dcgan-cardiac-s1,dcgan,cardiac,1,failed,\"loss_d became nan, at step 3; \"\"lower\"\" it\",,,\n");
    const std::string r = export_csv(run, true);
    CHECK(r.find("train_seconds") == std::string::npos);
    CHECK(r.find("fd_handcrafted,20,") != std::string::npos);
  }
}
