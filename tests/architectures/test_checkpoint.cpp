#include <doctest/doctest.h>

#include "architectures/checkpoint.h"
#include "tests/test_util.h"

using namespace ganbench;

TEST_SUITE("architectures") {
  TEST_CASE("checkpoint scalars: a host double and a device float64 scalar read each other's files exactly") {
    test::TempDir tmp;
    double host = 0.1234567890123456789;  // not a float32 value: a float32 round trip would show
    torch::Tensor device = torch::zeros({}, torch::kFloat64);
    CheckpointParts as_host, as_device;
    as_host.scalars["pl_mean"] = &host;
    as_device.device_scalars["pl_mean"] = &device;

    save_checkpoint(tmp / "host.pt", as_host);
    load_checkpoint(tmp / "host.pt", as_device, torch::kCPU);
    CHECK(device.dim() == 0);  // keeps its own shape
    CHECK((device.scalar_type() == torch::kFloat64));
    CHECK(device.item<double>() == host);

    device.fill_(-2.5e-7);
    save_checkpoint(tmp / "device.pt", as_device);
    load_checkpoint(tmp / "device.pt", as_host, torch::kCPU);
    CHECK(host == -2.5e-7);

    torch::Tensor other = torch::zeros({}, torch::kFloat64);
    CheckpointParts missing;
    missing.device_scalars["step"] = &other;
    CHECK_THROWS_WITH_AS(load_checkpoint(tmp / "device.pt", missing, torch::kCPU),
                         doctest::Contains("scalar step"), std::runtime_error);
  }
}
