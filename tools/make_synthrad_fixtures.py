#!/usr/bin/python3
"""Writes tests/fixtures/synthrad/: image pairs and the paired metrics that the SynthRAD evaluation code gives them.

    /usr/bin/python3 tools/make_synthrad_fixtures.py tests/fixtures/synthrad     (Debian: python3-skimage, python3-scipy)

The values follow SynthRAD2023/metrics functions/image_metrics.py (commit fe7e385: MAE in the mask; PSNR with
use_population_range, [-1024, 3000]; SSIM clipped, masked to -1024, shifted, scikit-image's full map averaged
over the mask cropped by 3) and SynthRAD2025/evaluation image_metrics.py (commit 17cac47: MS-SSIM over five
levels, [-1024, 3071]), called here through scikit-image and scipy as that code calls them. SynthRAD2025's
MS-SSIM is written for 3-D volumes; for the 2-D cases the same steps run with a 2 x 2 box and 2-D padding,
ganbench's documented 2-D form. Run once; the C++ tests compare against the frozen files.
"""
import os
import sys

import numpy as np
import scipy
import skimage
from scipy.ndimage import uniform_filter
from scipy.signal import fftconvolve
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from skimage.util import crop

R23 = (-1024.0, 3000.0)
R25 = (-1024.0, 3071.0)


def mae(gt, pred, mask):
    m = np.where(mask > 0, 1.0, 0.0)
    return float(np.sum(np.abs(gt * m - pred * m)) / m.sum())


def psnr(gt, pred, mask, r=R23):
    m = np.where(mask > 0, 1.0, 0.0)
    g, p = np.clip(gt, *r), np.clip(pred, *r)
    return float(peak_signal_noise_ratio(g[m == 1], p[m == 1], data_range=r[1] - r[0]))


def prep(gt, pred, mask, r):
    m = np.where(mask > 0, 1.0, 0.0)
    g = np.where(m == 0, r[0], np.clip(gt, *r)) - r[0]
    p = np.where(m == 0, r[0], np.clip(pred, *r)) - r[0]
    return g, p, m


def ssim(gt, pred, mask, r=R23):
    g, p, m = prep(gt, pred, mask, r)
    _, smap = structural_similarity(g, p, data_range=r[1] - r[0], full=True)
    return float(crop(smap, 3)[crop(m, 3).astype(bool)].mean(dtype=np.float64))


def level_map(x, y, w, data_range):
    # contrast^w * structure^w, luminance^0, as SynthRAD2025's structural_similarity_at_scale with its weights
    np_ = 7 ** x.ndim
    cov = np_ / (np_ - 1)
    ux, uy = uniform_filter(x, size=7), uniform_filter(y, size=7)
    vx = cov * (uniform_filter(x * x, size=7) - ux * ux)
    vy = cov * (uniform_filter(y * y, size=7) - uy * uy)
    vxy = cov * (uniform_filter(x * y, size=7) - ux * uy)
    sx, sy = np.clip(vx, 0, None) ** 0.5, np.clip(vy, 0, None) ** 0.5
    c2 = (0.03 * data_range) ** 2
    c3 = c2 / 2
    lum = np.clip((2 * ux * uy + (0.01 * data_range) ** 2) / (ux * ux + uy * uy + (0.01 * data_range) ** 2), 0, None)
    con = np.clip((2 * sx * sy + c2) / (vx + vy + c2), 0, None)
    stru = np.clip((vxy + c3) / (sx * sy + c3), 0, None)
    return (lum ** 0) * (con ** w) * (stru ** w)


def ms_ssim(gt, pred, mask, r=R25):
    g, p, m = prep(gt, pred, mask, r)
    pads = [(max((97 - n) // 2, 0), max(97 - n - (97 - n) // 2, 0)) for n in g.shape]
    g, p, m = (np.pad(a, pads, mode="edge") for a in (g, p, m))
    box = np.ones((2,) * g.ndim) / 2 ** g.ndim
    out = 1.0
    for w in (0.0448, 0.2856, 0.3001, 0.2363, 0.1333):
        smap = level_map(g, p, w, r[1] - r[0])
        out *= np.clip(crop(smap, 3)[crop(m, 3).astype(bool)].mean(dtype=np.float64), 0, 1)
        sl = tuple(slice(None, None, 2) for _ in g.shape)
        g, p = (fftconvolve(a, box, mode="same")[sl] for a in (g, p))
        m = m[sl]
    return float(out)


def body(shape, rng):
    grids = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
    r2 = sum((g / 0.8) ** 2 for g in grids)
    return (r2 < 1).astype(np.float64)


def ct_like(shape, rng):
    mask = body(shape, rng)
    img = np.where(mask > 0, 40 + 30 * rng.standard_normal(shape), -1000 + 5 * rng.standard_normal(shape))
    grids = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
    img = np.where(sum((g - 0.2) ** 2 for g in grids) < 0.05, 700 + 50 * rng.standard_normal(shape), img)  # bone
    return img, mask


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(2023)
    cases = {}
    gt, mask = ct_like((40, 48), rng)
    cases["ct2d"] = (gt, gt + 60 * rng.standard_normal(gt.shape) + 25, mask)
    gt3, mask3 = ct_like((14, 20, 24), rng)
    cases["ct3d"] = (gt3, 0.8 * gt3 + 40 * rng.standard_normal(gt3.shape), mask3)
    clip_gt, clip_mask = ct_like((32, 32), rng)
    pred = clip_gt.copy()
    pred[8:14, 8:14] = 3500.0  # above the range: clipped to 3000 (3071 for MS-SSIM)
    pred[20:24, 20:26] = -2000.0  # below: clipped to -1024
    cases["clipped2d"] = (clip_gt, pred, clip_mask)
    rows = [f"# made by tools/make_synthrad_fixtures.py with numpy {np.__version__}, scipy {scipy.__version__}, "
            f"scikit-image {skimage.__version__}", "case\tmae\tpsnr\tssim\tms_ssim"]
    for name, (g, p, m) in cases.items():
        for kind, a in (("gt", g), ("pred", p), ("mask", m)):
            np.save(os.path.join(out, f"{name}_{kind}.npy"), a.astype(np.float64))
        rows.append(f"{name}\t{mae(g, p, m)!r}\t{psnr(g, p, m)!r}\t{ssim(g, p, m)!r}\t{ms_ssim(g, p, m)!r}")
    with open(os.path.join(out, "metrics.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/synthrad")
