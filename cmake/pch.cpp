// Carries the precompiled <torch/torch.h> that every torch-using target reuses.
