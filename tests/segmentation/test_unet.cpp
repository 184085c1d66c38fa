#include <doctest/doctest.h>

#include <sstream>

#include <torch/torch.h>

#include "datasets/dataset.h"
#include "segmentation/dice.h"
#include "segmentation/unet.h"
#include "segmentation/unet_trainer.h"
#include "tests/test_util.h"

using namespace ganbench;

TEST_SUITE("segmentation") {
  TEST_CASE("U-Net: one logit channel per label, for 1- and 3-channel inputs; sizes checked") {
    torch::manual_seed(0);
    for (int64_t c : {1, 3}) {
      UNetOptions o;
      o.in_channels = c;
      o.num_classes = c == 1 ? 4 : 2;
      o.depth = 3;
      o.base_channels = 4;
      UNet net(o);
      const auto y = net->forward(torch::rand({2, c, 16, 16}));
      CHECK((y.sizes() == torch::IntArrayRef({2, o.num_classes, 16, 16})));
      CHECK(
          (net->encode(torch::rand({2, c, 16, 16})).sizes() == torch::IntArrayRef({2, net->feature_dims()})));
      CHECK_THROWS_AS(net->forward(torch::rand({1, c, 12, 12})), std::invalid_argument);  // 12 % 8 != 0
    }
    UNetOptions bad;
    bad.norm = "group";
    CHECK_THROWS_AS(UNet{bad}, std::invalid_argument);
    UNetOptions inst;
    inst.norm = "instance";
    inst.depth = 2;
    inst.base_channels = 4;
    inst.dropout = 0.2;
    UNet ni(inst);
    CHECK((ni->forward(torch::rand({1, 1, 8, 8})).sizes() == torch::IntArrayRef({1, 2, 8, 8})));
  }

  TEST_CASE("U-Net: save/load round trip under stable names gives identical outputs") {
    torch::manual_seed(1);
    UNetOptions o;
    o.depth = 2;
    o.base_channels = 4;
    UNet a(o), b(o);
    a->eval();
    b->eval();
    std::stringstream ss;
    torch::save(a, ss);
    torch::load(b, ss);
    const auto x = torch::rand({2, 1, 8, 8});
    CHECK(torch::equal(a->forward(x), b->forward(x)));
    bool has_key = false;
    for (const auto& p : a->named_parameters()) has_key |= p.key() == "enc.0.0.weight";
    CHECK(has_key);
  }

  TEST_CASE("U-Net learns the cardiac phantom: Dice rises far above chance in a few hundred steps") {
    register_builtin_modalities();
    const auto& m = find_modality("cardiac");
    const ImageSet all = make_phantom_set(m, 32, 200, 5);
    const Splits s = split_by_subject(all, 5, {0.15, 0.2});
    torch::manual_seed(2);
    UNetOptions o;
    o.num_classes = 4;
    o.depth = 3;
    o.base_channels = 8;
    UNet net(o);
    const auto before = mean_foreground_dice(predict_labels(net, s.test.images), s.test.labels, 4);
    UNetTrainOptions t;
    t.steps = 300;
    t.batch_size = 16;
    t.lr = 3e-3;
    t.eval_every = 50;
    t.patience = 0;
    const auto r = train_unet(net, s.train, s.val, t);
    const auto after = mean_foreground_dice(predict_labels(net, s.test.images), s.test.labels, 4);
    MESSAGE("test Dice " << before << " before -> " << after << " after " << r.steps_run
                         << " steps (best validation " << r.best_val_dice << " at " << r.best_step << ")");
    CHECK(before < 0.4);
    CHECK(after > 0.75);
    CHECK(r.val_curve.size() == 6);
    CHECK(r.best_val_dice >= r.val_curve.front().second);
  }

  TEST_CASE("U-Net training: early stopping keeps the best validation weights; bad input") {
    register_builtin_modalities();
    const ImageSet all = make_phantom_set(find_modality("cardiac"), 16, 40, 6);
    const Splits s = split_by_subject(all, 6, {0.2, 0.2});
    UNetOptions o;
    o.num_classes = 4;
    o.depth = 2;
    o.base_channels = 4;
    UNet net(o);
    UNetTrainOptions t;
    t.steps = 400;
    t.eval_every = 10;
    t.patience = 2;
    t.lr = 0.5;  // far too high: validation Dice stalls, so training stops early
    const auto r = train_unet(net, s.train, s.val, t);
    CHECK(r.steps_run < 400);
    const double kept = mean_foreground_dice(predict_labels(net, s.val.images), s.val.labels, 4);
    CHECK(kept == doctest::Approx(r.best_val_dice));
    ImageSet empty;
    CHECK_THROWS_AS(train_unet(net, empty, s.val, t), std::invalid_argument);
  }
}

TEST_SUITE("segmentation") {
  TEST_CASE("3-D U-Net: logits per voxel and label, encoder features, save/load, and it learns liver volumes") {
    torch::manual_seed(2);
    UNetOptions o;
    o.dims = 3;
    o.num_classes = 3;
    o.depth = 2;
    o.base_channels = 4;
    UNet net(o);
    CHECK((net->forward(torch::rand({2, 1, 8, 8, 8})).sizes() == torch::IntArrayRef({2, 3, 8, 8, 8})));
    CHECK((net->encode(torch::rand({2, 1, 8, 8, 8})).sizes() == torch::IntArrayRef({2, net->feature_dims()})));
    CHECK_THROWS_AS(net->forward(torch::rand({1, 1, 8, 8})), std::invalid_argument);     // an image
    CHECK_THROWS_AS(net->forward(torch::rand({1, 1, 6, 8, 8})), std::invalid_argument);  // 6 % 4 != 0
    UNet copy(o);
    net->eval();
    copy->eval();
    std::stringstream ss;
    torch::save(net, ss);
    torch::load(copy, ss);
    const auto x = torch::rand({1, 1, 8, 8, 8});
    CHECK(torch::equal(net->forward(x), copy->forward(x)));
    bool has_key = false;
    for (const auto& p : net->named_parameters()) has_key |= p.key() == "up.0.weight";
    CHECK(has_key);
    // A few hundred steps on 16^3 liver phantom volumes: the liver Dice on held-out volumes rises far above
    // what an untrained net gives.
    register_builtin_modalities();
    const ImageSet all = make_phantom_set(find_modality("liver"), 16, 30, 4, {}, 3);
    const Splits sp = split_by_subject(all, 1, {0.1, 0.2});
    UNetTrainOptions to;
    to.steps = 150;
    to.batch_size = 4;
    to.lr = 3e-3;
    to.eval_every = 50;
    UNet learner(o);
    const double before = mean_foreground_dice(predict_labels(learner, sp.test.images), sp.test.labels, 3);
    train_unet(learner, sp.train, sp.val, to);
    const auto pred = predict_labels(learner, sp.test.images);
    const double liver = dice_per_class(pred, sp.test.labels, 3)[1];
    MESSAGE("3-D U-Net liver Dice on test volumes: " << liver << " (untrained mean foreground " << before << ")");
    CHECK(liver > 0.6);
  }
}
