#!/usr/bin/python3
"""One full training step (D then G, as ganbench's train_step runs it), ganbench against PyTorch, side by side.

    /usr/bin/python3 bench/train_step_vs_python.py [--build build] [--threads N] [--min-time S]

Builds each architecture's generator and discriminator here in PyTorch (Debian's python3-torch: the same
LibTorch 1.13 and OpenBLAS as ganbench) with the shapes, initialisation, losses, instance noise and Adam
settings of architectures/<name>.cpp at their default options, and times the step at 32 and 64 px, batch 32,
one image channel and 4 label channels (bench_train_step's set-up). The parameter counts must equal the ones
bench_train_step reports, or the script stops. PyTorch is timed in fresh interpreters twice: as installed
(OpenBLAS with a thread per core beneath LibTorch's threads) and with OPENBLAS_NUM_THREADS=1, which is what
ganbench sets. Prints a Markdown table: ms per step on each side and ganbench's time as a fraction of
PyTorch's (issue 16's goal: <= 0.9).
Covers dcgan and wgan_gp; stylegan2 and multiscale are not ported here.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F
from collections import OrderedDict

from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BATCH, CHANNELS, LABELS = 32, 1, 4


def channels(size, base, cap):  # DCGANShape::channels
    levels = int(math.log2(size)) - 2
    return [min(base << (levels - 1 - i), cap) for i in range(levels)]


def init_dcgan(module):  # N(0, 0.02) conv weights; batch-norm weight N(1, 0.02), bias 0
    for name, p in module.named_parameters():
        with torch.no_grad():
            if "_bn" in name:
                p.normal_(1.0, 0.02) if name.endswith("weight") else p.zero_()
            elif name.endswith("weight"):
                p.normal_(0.0, 0.02)


class Generator(nn.Module):  # DCGANGeneratorImpl
    def __init__(self, size, z_dim, base, cap):
        super().__init__()
        ch = channels(size, base, cap)
        layers = [("project", nn.ConvTranspose2d(z_dim, ch[0], 4, 1, 0, bias=False)),
                  ("project_bn", nn.BatchNorm2d(ch[0])), ("project_act", nn.ReLU(True))]
        for i in range(1, len(ch)):
            layers += [(f"up{i}", nn.ConvTranspose2d(ch[i - 1], ch[i], 4, 2, 1, bias=False)),
                       (f"up{i}_bn", nn.BatchNorm2d(ch[i])), (f"up{i}_act", nn.ReLU(True))]
        layers.append(("to_output", nn.ConvTranspose2d(ch[-1], CHANNELS + LABELS, 4, 2, 1, bias=True)))
        self.net = nn.Sequential(OrderedDict(layers))
        self.z_dim = z_dim
        init_dcgan(self)

    def forward(self, z):  # joint_output with the straight-through one-hot (training)
        raw = self.net(z.view(z.size(0), z.size(1), 1, 1))
        image = torch.tanh(raw[:, :CHANNELS])
        probs = torch.softmax(raw[:, CHANNELS:], 1)
        hard = torch.zeros_like(probs).scatter_(1, probs.argmax(1, keepdim=True), 1.0)
        return torch.cat([image, hard - probs.detach() + probs], 1)


class Discriminator(nn.Module):  # DCGANDiscriminatorImpl
    def __init__(self, size, base, cap):
        super().__init__()
        ch = channels(size, base, cap)[::-1]
        layers = [("from_input", nn.Conv2d(CHANNELS + LABELS, ch[0], 4, 2, 1, bias=True)),
                  ("from_input_act", nn.LeakyReLU(0.2, True))]
        for i in range(1, len(ch)):
            layers += [(f"down{i}", nn.Conv2d(ch[i - 1], ch[i], 4, 2, 1, bias=False)),
                       (f"down{i}_bn", nn.BatchNorm2d(ch[i])), (f"down{i}_act", nn.LeakyReLU(0.2, True))]
        layers.append(("to_logit", nn.Conv2d(ch[-1], 1, 4, 1, 0, bias=True)))
        self.net = nn.Sequential(OrderedDict(layers))
        init_dcgan(self)

    def forward(self, x):
        return self.net(x).view(x.size(0))


class Critic(nn.Module):  # WGANCriticImpl: layer norm (GroupNorm with one group), default init
    def __init__(self, size, base, cap):
        super().__init__()
        ch = channels(size, base, cap)[::-1]
        layers = [("from_input", nn.Conv2d(CHANNELS + LABELS, ch[0], 4, 2, 1)),
                  ("from_input_act", nn.LeakyReLU(0.2))]
        for i in range(1, len(ch)):
            layers += [(f"down{i}", nn.Conv2d(ch[i - 1], ch[i], 4, 2, 1)), (f"down{i}_ln", nn.GroupNorm(1, ch[i])),
                       (f"down{i}_act", nn.LeakyReLU(0.2))]
        layers.append(("to_score", nn.Conv2d(ch[-1], 1, 4)))
        self.net = nn.Sequential(OrderedDict(layers))

    def forward(self, x):
        return self.net(x).view(x.size(0))


def joint_input(images, labels):  # images in [0, 1] -> [-1, 1], labels one-hot
    return torch.cat([images * 2 - 1, F.one_hot(labels, LABELS).permute(0, 3, 1, 2).float()], 1)


class DCGAN:
    n_real = BATCH

    def __init__(self, size):
        self.G, self.D = Generator(size, 100, 64, 512), Discriminator(size, 64, 512)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def d_input(self, x):  # instance noise 0.2 (the architecture's default)
        return x + 0.2 * torch.randn_like(x)

    def step(self, images, labels):
        x_real = joint_input(images, labels)
        fake = self.G(torch.randn(images.size(0), self.G.z_dim))
        self.opt_d.zero_grad()
        logit_real = self.D(self.d_input(x_real))
        logit_fake = self.D(self.d_input(fake.detach()))
        loss_d = F.softplus(-logit_real).mean() + F.softplus(logit_fake).mean()
        loss_d.backward()
        self.opt_d.step()
        self.opt_g.zero_grad()
        loss_g = F.softplus(-self.D(self.d_input(fake))).mean()
        loss_g.backward()
        self.opt_g.step()
        # StepStats: copied to the host every step on the CPU
        return [float(loss_d), float(loss_g), float(torch.sigmoid(logit_real).mean()),
                float(torch.sigmoid(logit_fake).mean()), float(logit_real.sign().mean())]


class WGANGP:
    n_critic, lam = 5, 10.0
    n_real = BATCH * 5

    def __init__(self, size):
        self.G, self.D = Generator(size, 128, 64, 512), Critic(size, 64, 512)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=1e-4, betas=(0.0, 0.9))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=1e-4, betas=(0.0, 0.9))

    def step(self, images, labels):
        b = max(1, images.size(0) // self.n_critic)
        x_all = joint_input(images, labels)
        for k in range(self.n_critic):
            start = min(k * b, x_all.size(0) - b)
            r = x_all[start:start + b]
            with torch.no_grad():
                f = self.G(torch.randn(b, self.G.z_dim))
            self.opt_d.zero_grad()
            s_real = self.D(r)
            d_real, d_fake = s_real.mean(), self.D(f).mean()
            e = torch.rand(b).view(b, 1, 1, 1)
            x = (e * r.detach() + (1 - e) * f.detach()).requires_grad_(True)
            grad = torch.autograd.grad(self.D(x).sum(), x, retain_graph=True, create_graph=True)[0]
            gp = self.lam * (grad.reshape(b, -1).norm(2, 1) - 1).pow(2).mean()
            loss_d = d_fake - d_real + gp
            loss_d.backward()
            self.opt_d.step()
            w, gp_last, ld, sign = (d_real - d_fake).detach(), gp.detach(), loss_d.detach(), s_real.sign().mean()
        self.opt_g.zero_grad()
        loss_g = -self.D(self.G(torch.randn(b, self.G.z_dim))).mean()
        loss_g.backward()
        self.opt_g.step()
        return [float(ld), float(loss_g), float(w), float(gp_last), float(sign)]


def python_ms(model, size, min_time):
    n = model.n_real
    images, labels = torch.rand(n, CHANNELS, size, size), torch.randint(LABELS, (n, size, size))
    model.step(images, labels)  # warm-up, as bench_train_step
    steps, t0 = 0, time.perf_counter()
    while True:
        model.step(images, labels)
        steps += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time and steps >= 3:
            return 1000.0 * elapsed / steps


ARCHS = {"dcgan": DCGAN, "wgan_gp": WGANGP}


def python_in_child(arch, size, threads, min_time, env):
    """ms per step in a fresh interpreter (OpenBLAS reads OPENBLAS_NUM_THREADS when it loads)."""
    out = subprocess.run([sys.executable, __file__, "--python-only", arch, str(size), "--threads", str(threads),
                          "--min-time", str(min_time)], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--min-time", type=float, default=5.0, help="seconds per measurement")
    ap.add_argument("--python-only", nargs=2, metavar=("ARCH", "PX"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.python_only:
        arch, size = a.python_only[0], int(a.python_only[1])
        print(python_ms(ARCHS[arch](size), size, a.min_time))
        return
    rows = []
    for arch, cls in (("dcgan", DCGAN), ("wgan_gp", WGANGP)):
        for size in (32, 64):
            model = cls(size)
            params = sum(p.numel() for m in (model.G, model.D) for p in m.parameters())
            out = subprocess.run([os.path.join(a.build, "bench", "bench_train_step"),
                                  f"--benchmark_filter=train_step/{arch}/px:{size}/cuda:0",
                                  "--benchmark_format=json", f"--benchmark_min_time={a.min_time}"],
                                 capture_output=True, text=True, check=True).stdout
            bench = json.loads(out)["benchmarks"][0]
            if int(bench["params"]) != params:
                sys.exit(f"{arch} {size} px: PyTorch model has {params} parameters, ganbench {int(bench['params'])}")
            gb_ms = bench["real_time"]  # ms (the benchmark's unit)
            env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
            py_ms = python_in_child(arch, size, a.threads, a.min_time, env)  # PyTorch as users run it
            # ganbench keeps OpenBLAS at one thread beneath LibTorch's (README, Threads and BLAS); PyTorch so too:
            py1_ms = python_in_child(arch, size, a.threads, a.min_time, dict(env, OPENBLAS_NUM_THREADS="1"))
            rows.append((arch, size, params, py_ms, py1_ms, gb_ms))
            print(f"{arch} {size} px: PyTorch {py_ms:.1f} ms ({py1_ms:.1f} ms with one OpenBLAS thread), "
                  f"ganbench {gb_ms:.1f} ms", file=sys.stderr)
    blas = subprocess.run([os.path.join(a.build, "ganbench"), "--version"], capture_output=True, text=True).stdout
    print(f"\n{blas.strip()}; PyTorch {torch.__version__}, {a.threads} threads, batch {BATCH}\n")
    print("| architecture | px | parameters (G + D, equal) | PyTorch ms/step | PyTorch, OpenBLAS 1 thread | "
          "ganbench ms/step | ganbench / PyTorch | ganbench / PyTorch (1 OpenBLAS thread) |")
    print("|---|---|---|---|---|---|---|---|")
    for arch, size, params, py, py1, gb in rows:
        print(f"| {arch} | {size} | {params:,} | {py:.1f} | {py1:.1f} | {gb:.1f} | {gb / py:.2f} | {gb / py1:.2f} |")


if __name__ == "__main__":
    main()
