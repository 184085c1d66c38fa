#include "common/device_copy.h"

#include <torch/torch.h>

namespace ganbench {

at::Tensor to_device_async(const at::Tensor& t, const c10::Device& device) {
  if (t.device() == device) return t;
  if (device.is_cuda() && t.device().is_cpu())
    return t.pin_memory().to(torch::TensorOptions().device(device).dtype(t.scalar_type()), /*non_blocking=*/true);
  return t.to(device);
}

}  // namespace ganbench
