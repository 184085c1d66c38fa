#include <doctest/doctest.h>

#include "architectures/registry.h"

using namespace ganbench;

TEST_SUITE("architectures") {
  TEST_CASE("built-ins register once; duplicates are rejected") {
    register_builtin_architectures();
    register_builtin_architectures();
    const auto names = architecture_names();
    CHECK(std::find(names.begin(), names.end(), "dcgan") != names.end());
    ArchEntry dup = find_architecture("dcgan");
    CHECK_THROWS_WITH_AS(register_architecture(dup), doctest::Contains("already registered"),
                         std::logic_error);
    ArchEntry no_factory;
    no_factory.name = "nofactory";
    CHECK_THROWS_AS(register_architecture(no_factory), std::logic_error);
  }

  TEST_CASE("an unknown name lists the valid ones") {
    register_builtin_architectures();
    CHECK_THROWS_WITH_AS(find_architecture("biggan"), doctest::Contains("valid: "), std::invalid_argument);
    CHECK_THROWS_WITH(find_architecture("biggan"), doctest::Contains("dcgan"));
  }

  TEST_CASE("options: defaults, overrides, unknown keys and ranges") {
    register_builtin_architectures();
    const auto& e = find_architecture("dcgan");
    auto o = resolve_options(e, {});
    CHECK(o.at("lr") == doctest::Approx(2e-4));
    CHECK(o.at("beta1") == doctest::Approx(0.5));
    CHECK(o.at("beta2") == doctest::Approx(0.999));
    CHECK(resolve_options(e, {{"base_channels", 8}}).at("base_channels") == 8);
    CHECK_THROWS_WITH(resolve_options(e, {{"base_chanels", 8}}),
                      doctest::Contains("unknown option 'base_chanels'"));
    CHECK_THROWS_WITH(resolve_options(e, {{"lr", -1}}), doctest::Contains("must lie in"));
    CHECK_THROWS_WITH(resolve_options(e, {{"z_dim", 3.5}}), doctest::Contains("whole number"));
  }

  TEST_CASE("sizes must be supported powers of two") {
    register_builtin_architectures();
    ArchContext ctx;
    ctx.modality = {"toy", "", 1, 24, {"bg", "fg"}};
    CHECK_THROWS_WITH(create_architecture("dcgan", ctx), doctest::Contains("power-of-two"));
    ctx.modality.size = 512;
    CHECK_THROWS_AS(create_architecture("dcgan", ctx), std::invalid_argument);
  }
}
