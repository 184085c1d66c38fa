#include <doctest/doctest.h>

#include <set>

#include <torch/torch.h>

#include "datasets/dataset.h"

using namespace ganbench;

TEST_SUITE("datasets") {
  TEST_CASE("phantom set: shapes, dtypes, determinism") {
    register_builtin_modalities();
    const auto& m = find_modality("cardiac");
    auto a = make_phantom_set(m, 16, 12, 5), b = make_phantom_set(m, 16, 12, 5);
    CHECK((a.images.sizes() == torch::IntArrayRef({12, 1, 16, 16})));
    CHECK((a.labels.sizes() == torch::IntArrayRef({12, 16, 16})));
    CHECK((a.labels.scalar_type() == torch::kUInt8));  // the store; batches widen it
    CHECK(torch::equal(a.images, b.images));
    ModalitySpec spec = m.spec;
    spec.size = 16;
    CHECK_NOTHROW(check_image_set(a, spec, "phantom"));
    a.labels[0][0][0] = 9;
    CHECK_THROWS_WITH(check_image_set(a, spec, "phantom"), doctest::Contains("label value 9"));
    a.labels = b.labels.to(torch::kInt64);
    CHECK_THROWS_WITH(check_image_set(a, spec, "phantom"), doctest::Contains("must be uint8"));
  }

  TEST_CASE("stored labels: integers in [0, 255] become uint8; anything else is an error") {
    const auto l = torch::tensor({0, 3, 255}, torch::kInt64);
    const auto s = stored_labels(l);
    CHECK((s.scalar_type() == torch::kUInt8));
    CHECK(torch::equal(s.to(torch::kInt64), l));
    CHECK(stored_labels(s).data_ptr() == s.data_ptr());  // already stored: no copy
    CHECK_THROWS_WITH(stored_labels(torch::tensor({0, 256}, torch::kInt64)), doctest::Contains("[0, 256]"));
    CHECK_THROWS_AS(stored_labels(torch::tensor({-1, 0}, torch::kInt64)), std::invalid_argument);
    CHECK_THROWS_AS(stored_labels(torch::tensor({0.0, 1.0})), std::invalid_argument);
  }

  TEST_CASE("splits are by subject, disjoint, complete and seeded") {
    ImageSet all;
    const int64_t n = 40;
    all.images = torch::rand({n, 1, 8, 8});
    all.labels = torch::zeros({n, 8, 8}, torch::kInt64);
    for (int64_t i = 0; i < n; ++i)
      all.subjects.push_back("patient" + std::to_string(i / 4));  // 4 slices each
    const Splits s = split_by_subject(all, 11, {0.1, 0.2});
    std::set<std::string> tr(s.train.subjects.begin(), s.train.subjects.end()),
        va(s.val.subjects.begin(), s.val.subjects.end()), te(s.test.subjects.begin(), s.test.subjects.end());
    for (const auto& x : te) {
      CHECK(tr.count(x) == 0);
      CHECK(va.count(x) == 0);
    }
    for (const auto& x : va) CHECK(tr.count(x) == 0);
    CHECK(s.train.size() + s.val.size() + s.test.size() == n);
    CHECK(te.size() == 2);  // 20% of 10 subjects
    CHECK(va.size() == 1);
    CHECK(s.test.size() == 8);  // every slice of a test subject is in test
    const Splits again = split_by_subject(all, 11, {0.1, 0.2});
    CHECK(again.test.subjects == s.test.subjects);
    const Splits other = split_by_subject(all, 12, {0.1, 0.2});
    CHECK(other.test.subjects != s.test.subjects);
    CHECK_THROWS_AS(split_by_subject(all, 1, {0.5, 0.6}), std::invalid_argument);
  }

  TEST_CASE("batches and one-hot labels") {
    ImageSet set;
    set.images = torch::rand({5, 1, 4, 4});
    set.labels = torch::randint(3, {5, 4, 4}, torch::kUInt8);
    set.subjects = {"a", "b", "c", "d", "e"};
    auto g1 = at::make_generator<at::CPUGeneratorImpl>(3), g2 = at::make_generator<at::CPUGeneratorImpl>(3);
    auto b1 = sample_batch(set, 8, g1), b2 = sample_batch(set, 8, g2);
    CHECK(b1.images.size(0) == 8);
    CHECK(torch::equal(b1.images, b2.images));
    CHECK((b1.labels.scalar_type() == torch::kInt64));  // what losses and one_hot take
    auto oh = one_hot_labels(set.labels, 3);
    CHECK((oh.sizes() == torch::IntArrayRef({5, 3, 4, 4})));
    CHECK(torch::equal(oh.argmax(1), set.labels.to(torch::kInt64)));
    CHECK(oh.sum(1).eq(1).all().item<bool>());
    ImageSet empty;
    CHECK_THROWS_AS(sample_batch(empty, 2, g1), std::invalid_argument);
  }
}
