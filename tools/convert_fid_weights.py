#!/usr/bin/env python3
"""Converts pytorch-fid's FID Inception weights to safetensors for ganbench (optional: `ganbench weights import` does the same in C++).

    python3 tools/convert_fid_weights.py pt_inception-2015-12-05-6726825d.pth fid_inception.safetensors

The .pth is the file pytorch-fid downloads on first use (FID_WEIGHTS_URL in pytorch_fid/inception.py;
it lands in ~/.cache/torch/hub/checkpoints/). Needs PyTorch (Debian: apt-get install python3-torch) and
nothing else. Keys are kept as they are (Conv2d_1a_3x3.conv.weight, ...), tensors are stored as float32.
"""
import json
import struct
import sys

import torch

EXPECTED_KEYS = 472  # FIDInceptionV3 parameters and BN statistics, fc included, num_batches_tracked excluded


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    state = torch.load(src, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    tensors = {k: v for k, v in state.items() if torch.is_tensor(v) and not k.endswith("num_batches_tracked")}
    if len(tensors) != EXPECTED_KEYS or "Mixed_7c.branch_pool.conv.weight" not in tensors:
        sys.exit(f"{src}: {len(tensors)} tensors; pytorch-fid's FID Inception has {EXPECTED_KEYS}. Wrong file?")
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        data = tensors[key].detach().to(torch.float32).contiguous().numpy().tobytes()
        header[key] = {"dtype": "F32", "shape": list(tensors[key].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    import os
    os.replace(tmp, dst)
    print(f"{dst}: {len(tensors)} tensors, {offset / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
