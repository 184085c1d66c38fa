#!/usr/bin/python3
"""Writes PyTorch checkpoints for the tests of ganbench's native .pth reader (Debian: apt-get install python3-torch).

    /usr/bin/python3 tools/make_pth_fixtures.py DIR             the small checkpoints of tests/fixtures/pth/ (made once)
    /usr/bin/python3 tools/make_pth_fixtures.py --formula DIR   full-size FID-Inception formula weights (made at test time)

Each state dict is saved in both of torch.save's serialisations: the legacy pickle stream
(_use_new_zipfile_serialization=False) and the zip archive (the default since PyTorch 1.6). The formula
files are named as torch.hub names pytorch-fid's file, with their own SHA-256 prefix:
pt_inception-formula-{zip,legacy}-<8 hex>.pth.
"""
import collections
import hashlib
import os
import sys

import numpy as np
import torch

MANIFEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "fid_inception",
                        "weights_manifest.tsv")


def state():
    sd = collections.OrderedDict()
    sd["conv.weight"] = (torch.arange(24, dtype=torch.float32) / 8 - 1).reshape(2, 3, 2, 2)
    sd["bn.running_var"] = torch.tensor([0.5, 1.5, 2.5], dtype=torch.float64)
    sd["bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
    sd["half"] = torch.tensor([1.0, -2.0, 0.5, 65504.0], dtype=torch.float16)
    sd["transposed"] = torch.arange(6, dtype=torch.float32).reshape(3, 2).t()  # strides (1, 2)
    base = torch.arange(10, dtype=torch.float32) * 0.25
    sd["base"] = base
    sd["view"] = base[4:8]  # shares base's storage at offset 4
    sd["param"] = torch.nn.Parameter(torch.tensor([[3.0, -4.0]]))
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("bn", {"version": 2})])
    return sd


def uniform(key, n):
    """tests/fixtures/README.md's generator: splitmix64 of FNV-1a(key) + (i+1) * golden, as doubles in [0,1)."""
    h = 0xCBF29CE484222325
    for b in key.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    i = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(h) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def formula(key, shape):
    v = 2.0 * uniform(key, int(np.prod(shape))) - 1.0
    if key.endswith("conv.weight"):
        x = v * np.sqrt(6.0 / np.prod(shape[1:]))
    elif key.endswith("bn.weight") or key.endswith("bn.running_var"):
        x = 1.0 + 0.1 * v
    elif key.endswith("bn.bias") or key.endswith("bn.running_mean"):
        x = 0.01 * v
    else:  # fc.
        x = v * np.sqrt(3.0 / 2048.0)
    return torch.from_numpy(x.astype(np.float32).reshape(shape))


def formula_state():
    sd = collections.OrderedDict()
    with open(MANIFEST) as f:
        for line in f.read().splitlines()[1:]:
            key, shape = line.split("\t")[:2]
            sd[key] = formula(key, tuple(int(s) for s in shape.split("x")))
            if key.endswith("bn.running_var"):  # as a real BatchNorm2d state dict has
                sd[key.replace("running_var", "num_batches_tracked")] = torch.tensor(0)
    return sd


def save_hub_named(sd, out, kind, legacy):
    tmp = os.path.join(out, "tmp.pth")
    torch.save(sd, tmp, _use_new_zipfile_serialization=not legacy)
    with open(tmp, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    os.replace(tmp, os.path.join(out, f"pt_inception-formula-{kind}-{digest[:8]}.pth"))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--formula":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        sd = formula_state()
        save_hub_named(sd, out, "zip", legacy=False)
        save_hub_named(sd, out, "legacy", legacy=True)
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.save(state(), os.path.join(out, "small_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(state(), os.path.join(out, "small_zip.pth"))
    torch.save({"state_dict": state(), "epoch": 3}, os.path.join(out, "wrapped_zip.pth"))


if __name__ == "__main__":
    main()
