// Moving host-drawn tensors (latents, noise, batch indices: drawn on CPU generators so that every device
// draws the same values) to the training device without a host synchronisation.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace ganbench {

// `t` on `device`. From the CPU to CUDA it copies through pinned memory with a non-blocking copy: LibTorch's
// blocking host-to-device copy synchronises the stream, so the host would wait for every queued kernel at each
// latent batch. The pinned block is not reused before its copy ends (LibTorch's host allocator records an
// event on it), so `t` may go out of scope at once. Elsewhere it is t.to(device): on the CPU, `t` itself.
at::Tensor to_device_async(const at::Tensor& t, const c10::Device& device);

}  // namespace ganbench
