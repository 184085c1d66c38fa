#!/usr/bin/python3
"""ganbench against the Python FID tools, side by side in one run on this machine.

    /usr/bin/python3 bench/fid_vs_python.py [--build build] [--threads N] [--rss-images 200,2000] [--quick] [--skip-rss | --rss-only]

Needs Debian's python3-torch, python3-scipy and python3-numpy (scripts/setup.sh --bench installs them) and a
built tree. Prints a Markdown table:
  1. Frechet distance at 2048-d on the same statistics: scipy.linalg.sqrtm as pytorch-fid computes it,
     against `ganbench fid a.npz b.npz` (whole process: start-up, .npz loading and the distance).
  2. FID-Inception images/s at batch 50, same thread count: PyTorch (Python, same LibTorch) running an
     InceptionV3 with pytorch-fid's FID blocks (written here from the paper's layer table), as pytorch-fid
     runs it and with ganbench's inference set-up (folded batch norms, channels-last), against
     build/bench/bench_inception.
  The Fréchet rows name the OpenBLAS kernels each side ran (`ganbench fid` on .npz picks them by CPU
  features when OpenBLAS fell back to its generic ones; scipy is also timed with the same kernels).
  3. Peak resident memory of `ganbench fid --save-stats` on N1 and N2 images (64x64 PPM files).
Weights are random (He-uniform): speed and memory do not depend on their values.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.linalg
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ---- Frechet distance, the pytorch-fid recipe (scipy sqrtm of the product) ----------------------------
def frechet_scipy(mu1, s1, mu2, s2, eps=1e-6):
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((s1 + offset).dot(s2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("imaginary component")
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def scipy_seconds(a_npz, b_npz, env):
    """pytorch-fid's recipe in a fresh Python process with `env` (OpenBLAS reads OPENBLAS_CORETYPE at load):
    the seconds of the distance alone, after loading."""
    code = ("import sys, time, numpy as np; sys.path.insert(0, %r); from fid_vs_python import frechet_scipy; "
            "a, b = np.load(%r), np.load(%r); t = time.perf_counter(); "
            "frechet_scipy(a['mu'], a['sigma'], b['mu'], b['sigma']); print(time.perf_counter() - t)"
            % (HERE, a_npz, b_npz))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def openblas_core(cmd, env):
    """The kernels OpenBLAS used for the last load in `cmd` (OPENBLAS_VERBOSE=2 prints 'Core: X')."""
    p = subprocess.run(cmd, env=dict(env, OPENBLAS_VERBOSE="2"), capture_output=True, text=True)
    cores = [l.split(":", 1)[1].strip() for l in p.stderr.splitlines() if l.startswith("Core:")]
    return cores[-1] if cores else "unknown"


def uniform(key, n):  # shared/fixtures/README.md formula generator
    M = (1 << 64) - 1
    h = 0xCBF29CE484222325
    for b in key.encode():
        h = ((h ^ b) * 0x100000001B3) & M
    i = np.arange(1, n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(h) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


# ---- InceptionV3 with the FID blocks -------------------------------------------------------------------
class Conv(nn.Module):
    def __init__(self, cin, cout, k, s=1, p=0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=s, padding=p, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def avg_nopad(x):
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


class A(nn.Module):
    def __init__(self, cin, pool):
        super().__init__()
        self.branch1x1 = Conv(cin, 64, 1)
        self.branch5x5_1, self.branch5x5_2 = Conv(cin, 48, 1), Conv(48, 64, 5, p=2)
        self.branch3x3dbl_1, self.branch3x3dbl_2 = Conv(cin, 64, 1), Conv(64, 96, 3, p=1)
        self.branch3x3dbl_3, self.branch_pool = Conv(96, 96, 3, p=1), Conv(cin, pool, 1)

    def forward(self, x):
        return torch.cat([self.branch1x1(x), self.branch5x5_2(self.branch5x5_1(x)),
                          self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                          self.branch_pool(avg_nopad(x))], 1)


class B(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.branch3x3 = Conv(cin, 384, 3, s=2)
        self.branch3x3dbl_1, self.branch3x3dbl_2 = Conv(cin, 64, 1), Conv(64, 96, 3, p=1)
        self.branch3x3dbl_3 = Conv(96, 96, 3, s=2)

    def forward(self, x):
        return torch.cat([self.branch3x3(x), self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                          F.max_pool2d(x, 3, stride=2)], 1)


class C(nn.Module):
    def __init__(self, cin, c7):
        super().__init__()
        self.branch1x1 = Conv(cin, 192, 1)
        self.branch7x7_1, self.branch7x7_2 = Conv(cin, c7, 1), Conv(c7, c7, (1, 7), p=(0, 3))
        self.branch7x7_3 = Conv(c7, 192, (7, 1), p=(3, 0))
        self.branch7x7dbl_1, self.branch7x7dbl_2 = Conv(cin, c7, 1), Conv(c7, c7, (7, 1), p=(3, 0))
        self.branch7x7dbl_3, self.branch7x7dbl_4 = Conv(c7, c7, (1, 7), p=(0, 3)), Conv(c7, c7, (7, 1), p=(3, 0))
        self.branch7x7dbl_5, self.branch_pool = Conv(c7, 192, (1, 7), p=(0, 3)), Conv(cin, 192, 1)

    def forward(self, x):
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = x
        for m in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                  self.branch7x7dbl_5):
            d = m(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(avg_nopad(x))], 1)


class D(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.branch3x3_1, self.branch3x3_2 = Conv(cin, 192, 1), Conv(192, 320, 3, s=2)
        self.branch7x7x3_1, self.branch7x7x3_2 = Conv(cin, 192, 1), Conv(192, 192, (1, 7), p=(0, 3))
        self.branch7x7x3_3, self.branch7x7x3_4 = Conv(192, 192, (7, 1), p=(3, 0)), Conv(192, 192, 3, s=2)

    def forward(self, x):
        b = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return torch.cat([self.branch3x3_2(self.branch3x3_1(x)), b, F.max_pool2d(x, 3, stride=2)], 1)


class E(nn.Module):
    def __init__(self, cin, max_pool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = Conv(cin, 320, 1)
        self.branch3x3_1 = Conv(cin, 384, 1)
        self.branch3x3_2a, self.branch3x3_2b = Conv(384, 384, (1, 3), p=(0, 1)), Conv(384, 384, (3, 1), p=(1, 0))
        self.branch3x3dbl_1, self.branch3x3dbl_2 = Conv(cin, 448, 1), Conv(448, 384, 3, p=1)
        self.branch3x3dbl_3a = Conv(384, 384, (1, 3), p=(0, 1))
        self.branch3x3dbl_3b = Conv(384, 384, (3, 1), p=(1, 0))
        self.branch_pool = Conv(cin, 192, 1)

    def forward(self, x):
        b = self.branch3x3_1(x)
        b = torch.cat([self.branch3x3_2a(b), self.branch3x3_2b(b)], 1)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        d = torch.cat([self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d)], 1)
        p = F.max_pool2d(x, 3, stride=1, padding=1) if self.max_pool else avg_nopad(x)
        return torch.cat([self.branch1x1(x), b, d, self.branch_pool(p)], 1)


class FidInception(nn.Module):
    def __init__(self):
        super().__init__()
        self.Conv2d_1a_3x3, self.Conv2d_2a_3x3 = Conv(3, 32, 3, s=2), Conv(32, 32, 3)
        self.Conv2d_2b_3x3, self.Conv2d_3b_1x1 = Conv(32, 64, 3, p=1), Conv(64, 80, 1)
        self.Conv2d_4a_3x3 = Conv(80, 192, 3)
        self.Mixed_5b, self.Mixed_5c, self.Mixed_5d = A(192, 32), A(256, 64), A(288, 64)
        self.Mixed_6a = B(288)
        self.Mixed_6b, self.Mixed_6c, self.Mixed_6d, self.Mixed_6e = C(768, 128), C(768, 160), C(768, 160), C(768, 192)
        self.Mixed_7a, self.Mixed_7b, self.Mixed_7c = D(768), E(1280, False), E(2048, True)
        self.fc = nn.Linear(2048, 1008)

    def forward(self, x):  # x in [0, 1]
        x = 2 * F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False) - 1
        x = F.max_pool2d(self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x))), 3, stride=2)
        x = F.max_pool2d(self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x)), 3, stride=2)
        for m in (self.Mixed_5b, self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b, self.Mixed_6c,
                  self.Mixed_6d, self.Mixed_6e, self.Mixed_7a, self.Mixed_7b, self.Mixed_7c):
            x = m(x)
        return F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        b = np.ascontiguousarray(tensors[k], dtype=np.float32).tobytes()
        header[k] = {"dtype": "F32", "shape": list(tensors[k].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def run(cmd, env=None):
    """Runs cmd; returns (stdout, wall seconds, peak RSS MiB: inflated by this process's own, see peak_rss_mib)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err.decode()}")
    return out.decode(), wall, usage.ru_maxrss / 1024.0


def peak_rss_mib(cmd, env):
    """Peak RSS of `cmd`, spawned from a small helper process. Spawned from this one, the child's maxrss
    would start at this process's RSS (Linux records the pre-exec memory's high-water mark, and after the
    PyTorch Inception run that is over 1 GB)."""
    helper = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, "
              "stderr=subprocess.DEVNULL); _, st, u = os.wait4(p.pid, 0); "
              "sys.exit(f'failed: {st}') if st else print(u.ru_maxrss / 1024.0)")
    out = subprocess.run([sys.executable, "-c", helper] + cmd, env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--rss-images", default="200,2000")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    ap.add_argument("--skip-rss", action="store_true", help="leave out the (slow) memory measurement")
    ap.add_argument("--rss-only", action="store_true", help="only the memory measurement")
    a = ap.parse_args()
    ganbench = os.path.join(a.build, "ganbench")
    torch.set_num_threads(a.threads)
    env = dict(os.environ, GANBENCH_THREADS=str(a.threads), OMP_NUM_THREADS=str(a.threads))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        model = FidInception().eval()
        if not a.rss_only:  # 1. and 2.
            # 1. Frechet distance at 2048-d (the fd_2048 fixture's inputs).
            n, d = (600 if a.quick else 3000), 2048
            A_ = (2 * uniform("frechet2048/a", n * d) - 1).astype(np.float32).reshape(n, d).astype(np.float64)
            B_ = (0.9 * (2 * uniform("frechet2048/b", n * d) - 1) + 0.05 * (np.arange(n * d) % d % 7)).astype(
                np.float32).reshape(n, d).astype(np.float64)
            stats = []
            for name, X in (("a", A_), ("b", B_)):
                mu, sigma = X.mean(0), np.cov(X, rowvar=False)
                np.savez(os.path.join(tmp, f"{name}.npz"), mu=mu, sigma=sigma)
                stats.append((mu, sigma))
            t0 = time.perf_counter()
            ref = frechet_scipy(stats[0][0], stats[0][1], stats[1][0], stats[1][1])
            t_scipy = time.perf_counter() - t0
            fid_cmd = [ganbench, "fid", os.path.join(tmp, "a.npz"), os.path.join(tmp, "b.npz")]
            out, t_gb, _ = run(fid_cmd, env)
            ours = float(out.split()[-1])
            core_default = openblas_core([sys.executable, "-c", "import numpy"], env)
            core_gb = openblas_core(fid_cmd, env)
            rows.append(("Fréchet distance, 2048-d (same .npz inputs)",
                         f"{t_scipy:.2f} s (scipy sqrtm, OpenBLAS {core_default} kernels)",
                         f"{t_gb:.2f} s (whole `ganbench fid` process, {core_gb} kernels)", f"{t_scipy / t_gb:.1f}x faster",
                         f"rel. diff {abs(ours - ref) / abs(ref):.1e}"))
            if core_gb != core_default:  # scipy given the kernels ganbench picked
                t_scipy_k = scipy_seconds(os.path.join(tmp, "a.npz"), os.path.join(tmp, "b.npz"),
                                          dict(env, OPENBLAS_CORETYPE=core_gb))
                rows.append(("Fréchet distance, 2048-d, scipy given the same kernels",
                             f"{t_scipy_k:.2f} s (scipy sqrtm, OPENBLAS_CORETYPE={core_gb})",
                             f"{t_gb:.2f} s (whole process)", f"{t_scipy_k / t_gb:.1f}x faster", ""))
            out, _, _ = run([os.path.join(a.build, "bench", "bench_frechet"), "--benchmark_filter=FrechetDistance/2048",
                             "--benchmark_format=json"], env)
            t_kernel = json.loads(out)["benchmarks"][0]["real_time"] / 1000.0  # ms -> s
            rows.append(("Fréchet distance, 2048-d, distance only", f"{t_scipy:.2f} s (scipy sqrtm)",
                         f"{t_kernel:.2f} s (bench_frechet, in process)", f"{t_scipy / t_kernel:.1f}x faster", ""))

            # 2. Inception throughput at batch 50: pytorch-fid's model as it runs (NCHW, batch norms), and the
            # same model given ganbench's inference set-up (batch norms folded by torch.fx, channels-last).
            x = torch.rand(50, 3, 299, 299)
            reps = 2 if a.quick else 5

            def images_per_s(m, inp):
                with torch.no_grad():
                    m(inp)  # warm-up
                    t0 = time.perf_counter()
                    for _ in range(reps):
                        m(inp)
                    return 50 * reps / (time.perf_counter() - t0)

            py_ips = images_per_s(model, x)
            import copy
            import torch.fx.experimental.optimization as fx_opt
            fast = fx_opt.fuse(copy.deepcopy(model)).to(memory_format=torch.channels_last)
            py_fast_ips = images_per_s(fast, x.contiguous(memory_format=torch.channels_last))
            out, _, _ = run([os.path.join(a.build, "bench", "bench_inception"), "--benchmark_filter=/50/3/",
                             "--benchmark_format=json", f"--benchmark_min_time={1 if a.quick else 5}"], env)
            by_name = {b["name"]: b["items_per_second"] for b in json.loads(out)["benchmarks"]}
            gb_ips = next(v for k, v in by_name.items() if "/50/3/1/" in k)
            gb_plain = next(v for k, v in by_name.items() if "/50/3/0/" in k)
            rows.append((f"Inception images/s, batch 50, {a.threads} threads",
                         f"{py_ips:.2f} (pytorch-fid's model, PyTorch {torch.__version__})",
                         f"{gb_ips:.2f} (LibTorch C++, folded BN + channels-last)", f"{gb_ips / py_ips:.2f}x", ""))
            rows.append(("Inception images/s, both given folded BN + channels-last",
                         f"{py_fast_ips:.2f} (torch.fx fuse + channels_last)", f"{gb_ips:.2f}",
                         f"{gb_ips / py_fast_ips:.2f}x", f"ganbench plain module: {gb_plain:.2f}"))

        # 3. Peak RSS of `ganbench fid` against the number of images.
        weights = os.path.join(tmp, "w.safetensors")
        write_safetensors(weights, {k: v.detach().numpy() for k, v in model.state_dict().items()
                                    if not k.endswith("num_batches_tracked")})
        rng = np.random.default_rng(0)
        sizes = [] if a.skip_rss else [int(s) for s in a.rss_images.split(",")]
        rss = {}
        for count in sizes:
            folder = os.path.join(tmp, f"imgs{count}")
            os.makedirs(folder)
            for i in range(count):
                img = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
                with open(os.path.join(folder, f"{i:05d}.ppm"), "wb") as f:
                    f.write(b"P6 64 64 255\n" + img.tobytes())
            t0 = time.perf_counter()
            rss[count] = peak_rss_mib([ganbench, "fid", "--save-stats", folder, os.path.join(tmp, f"s{count}.npz"),
                                       "--weights", weights, "--no-cache"], env)
            wall = time.perf_counter() - t0
            print(f"ganbench fid on {count} images: {wall:.1f} s, peak RSS {rss[count]:.0f} MiB", file=sys.stderr)
        if sizes:
            lo, hi = sizes[0], sizes[-1]
            rows.append((f"`ganbench fid` peak RSS, {hi} vs {lo} images", f"{rss[lo]:.0f} MiB ({lo})",
                         f"{rss[hi]:.0f} MiB ({hi})", f"{rss[hi] / rss[lo]:.2f}x", ""))

    blas = subprocess.run([ganbench, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"\n{blas}; Python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"{a.threads} threads\n")
    print("| measure | Python | ganbench | ratio | check |\n|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
