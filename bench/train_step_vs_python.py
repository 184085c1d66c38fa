#!/usr/bin/python3
"""One full training step (D then G, as ganbench's train_step runs it), ganbench against PyTorch, side by side.

    /usr/bin/python3 bench/train_step_vs_python.py [--build build] [--threads N] [--min-time S]

Builds each architecture's generator and discriminator here in PyTorch (Debian's python3-torch: the same
LibTorch 1.13 and OpenBLAS as ganbench) with the shapes, initialisation, losses, instance noise and Adam
settings of architectures/<name>.cpp at their default options, and times the step at 32 and 64 px, batch 32,
one image channel and 4 label channels (bench_train_step's set-up). The parameter counts must equal the ones
bench_train_step reports, or the script stops. PyTorch is timed in fresh interpreters twice: as installed
(OpenBLAS with a thread per core beneath LibTorch's threads) and with OPENBLAS_NUM_THREADS=1, which is what
ganbench sets. StyleGAN2's demodulation runs on the PyTorch side as stylegan2-ada-pytorch computes it (per-sample
weights [B, O, I, k, k]), or with --demod factored as ganbench does (sum_i s_bi^2 sum_k w_oik^2). Prints a
Markdown table: ms per step on each side and ganbench's time as a fraction of
PyTorch's (issue 16's goal: <= 0.9).
All four 2-D architectures; the parameter counts are G + D (StyleGAN2's EMA copy of G is not trained).
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
        return joint_output(self.net(z.view(z.size(0), z.size(1), 1, 1)), True)


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


def instance_noise(x, std=0.2):  # D-input instance noise of dcgan and multiscale (their capability)
    return x + std * torch.randn_like(x)


def joint_input(images, labels):  # images in [0, 1] -> [-1, 1], labels one-hot
    return torch.cat([images * 2 - 1, F.one_hot(labels, LABELS).permute(0, 3, 1, 2).float()], 1)


class DCGAN:
    n_real = BATCH

    def __init__(self, size):
        self.G, self.D = Generator(size, 100, 64, 512), Discriminator(size, 64, 512)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))

    d_input = staticmethod(instance_noise)

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


# ---- StyleGAN2 (architectures/stylegan2.cpp): equalised lr, modulated convs, skip G, residual D, lazy R1 ----
SQRT2 = math.sqrt(2.0)


def lrelu_gain(x):
    return F.leaky_relu(x, 0.2) * SQRT2


def up2(x):
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


FACTORED_DEMOD = False  # --demod factored: ganbench's [B, I] x [I, O] form instead of stylegan2-ada's


def modulated_conv2d(x, weight, styles, demodulate):  # the unfused form (stylegan2-ada's fused_modconv=False)
    b, cin = x.shape[:2]
    y = F.conv2d(x * styles.view(b, cin, 1, 1), weight, padding=weight.shape[2] // 2)
    if demodulate and FACTORED_DEMOD:
        y = y * torch.rsqrt(styles.square() @ weight.square().sum([2, 3]).t() + 1e-8).view(b, -1, 1, 1)
    elif demodulate:  # stylegan2-ada: the [B, O, I, k, k] per-sample weights, squared and summed
        w = weight.unsqueeze(0) * styles.view(b, 1, cin, 1, 1)
        y = y * torch.rsqrt(w.square().sum([2, 3, 4]) + 1e-8).view(b, -1, 1, 1)
    return y


class EqualLinear(nn.Module):
    def __init__(self, cin, cout, bias_init=0.0, lr_mul=1.0, activate=False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin) / lr_mul)
        self.bias = nn.Parameter(torch.full((cout,), bias_init / lr_mul))
        self.scale, self.lr_mul, self.activate = lr_mul / math.sqrt(cin), lr_mul, activate

    def forward(self, x):
        y = F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)
        return lrelu_gain(y) if self.activate else y


class EqualConv2d(nn.Module):
    def __init__(self, cin, cout, k, bias=True, activate=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.scale, self.activate = 1.0 / math.sqrt(cin * k * k), activate

    def forward(self, x):
        y = F.conv2d(x, self.weight * self.scale, self.bias, padding=self.weight.shape[2] // 2)
        return lrelu_gain(y) if self.activate else y


class Mapping(nn.Module):
    def __init__(self, z_dim, w_dim, layers, lr_mul):
        super().__init__()
        self.net = nn.Sequential(OrderedDict(
            (f"fc{i}", EqualLinear(z_dim if i == 0 else w_dim, w_dim, 0.0, lr_mul, True)) for i in range(layers)))
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z, update_avg=False):
        w = self.net(z * torch.rsqrt(z.square().mean(1, keepdim=True) + 1e-8))
        if update_avg:
            with torch.no_grad():
                self.w_avg.copy_(w.detach().mean(0).lerp(self.w_avg, 0.995))
        return w


class SynthesisLayer(nn.Module):
    def __init__(self, cin, cout, w_dim, res, up):
        super().__init__()
        self.affine = EqualLinear(w_dim, cin, 1.0)
        self.weight = nn.Parameter(torch.randn(cout, cin, 3, 3))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.register_buffer("noise_const", torch.randn(res, res))
        self.up = up

    def forward(self, x, w):
        x = up2(x) if self.up else x
        x = modulated_conv2d(x, self.weight / math.sqrt(self.weight.shape[1] * 9), self.affine(w), True)
        x = x + torch.randn(x.shape[0], 1, x.shape[2], x.shape[3]) * self.noise_strength
        return lrelu_gain(x + self.bias.view(1, -1, 1, 1))


class ToRGB(nn.Module):
    def __init__(self, cin, cout, w_dim):
        super().__init__()
        self.affine = EqualLinear(w_dim, cin, 1.0)
        self.weight = nn.Parameter(torch.randn(cout, cin, 1, 1))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x, w):
        styles = self.affine(w) / math.sqrt(self.weight.shape[1])
        return modulated_conv2d(x, self.weight, styles, False) + self.bias.view(1, -1, 1, 1)


def sg2_channels(res, base=16384, cap=512):
    return max(1, min(base // res, cap))


class SG2Generator(nn.Module):
    def __init__(self, size, z_dim=512, w_dim=512, layers=8, lr_mul=0.01):
        super().__init__()
        out = CHANNELS + LABELS
        self.mapping = Mapping(z_dim, w_dim, layers, lr_mul)
        self.const_input = nn.Parameter(torch.randn(sg2_channels(4), 4, 4))
        self.convs = nn.ModuleList([SynthesisLayer(sg2_channels(4), sg2_channels(4), w_dim, 4, False)])
        self.to_rgbs = nn.ModuleList([ToRGB(sg2_channels(4), out, w_dim)])
        res = 8
        while res <= size:
            self.convs.append(SynthesisLayer(sg2_channels(res // 2), sg2_channels(res), w_dim, res, True))
            self.convs.append(SynthesisLayer(sg2_channels(res), sg2_channels(res), w_dim, res, False))
            self.to_rgbs.append(ToRGB(sg2_channels(res), out, w_dim))
            res *= 2
        self.num_ws, self.z_dim = 2 * (int(math.log2(size)) - 1), z_dim

    def synthesis(self, ws):
        x = self.const_input.unsqueeze(0).expand(ws.shape[0], -1, -1, -1)
        x = self.convs[0](x, ws[:, 0])
        img = self.to_rgbs[0](x, ws[:, 1])
        wi = 1
        for j in range(1, len(self.to_rgbs)):
            x = self.convs[2 * j - 1](x, ws[:, wi])
            x = self.convs[2 * j](x, ws[:, wi + 1])
            img = up2(img) + self.to_rgbs[j](x, ws[:, wi + 2])
            wi += 2
        return img


def minibatch_std(x, group=4):
    n, c, h, w = x.shape
    g = min(group, n)
    while n % g:
        g -= 1
    y = x.reshape(g, n // g, c, h, w)
    y = ((y - y.mean(0)).square().mean(0) + 1e-8).sqrt().mean([1, 2, 3])
    y = y.view(1, n // g, 1, 1, 1).expand(g, n // g, 1, h, w).reshape(n, 1, h, w)
    return torch.cat([x, y], 1)


class DBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv0, self.conv1 = EqualConv2d(cin, cin, 3), EqualConv2d(cin, cout, 3)
        self.skip = EqualConv2d(cin, cout, 1, bias=False, activate=False)

    def forward(self, x):
        s = self.skip(F.avg_pool2d(x, 2))
        return (s + F.avg_pool2d(self.conv1(self.conv0(x)), 2)) * math.sqrt(0.5)


class SG2Discriminator(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.from_rgb = EqualConv2d(CHANNELS + LABELS, sg2_channels(size), 1)
        blocks, res = [], size
        while res > 4:
            blocks.append(DBlock(sg2_channels(res), sg2_channels(res // 2)))
            res //= 2
        self.blocks = nn.ModuleList(blocks)
        c4 = sg2_channels(4)
        self.epilogue_conv = EqualConv2d(c4 + 1, c4, 3)
        self.epilogue_fc = EqualLinear(c4 * 16, c4, 0.0, 1.0, True)
        self.out = EqualLinear(c4, 1)

    def forward(self, x):
        b = x.shape[0]
        x = self.from_rgb(x)
        for blk in self.blocks:
            x = blk(x)
        x = self.epilogue_conv(minibatch_std(x))
        return self.out(self.epilogue_fc(x.flatten(1))).view(b)


def joint_output(raw, straight_through):  # architectures/joint.cpp
    image = torch.tanh(raw[:, :CHANNELS])
    probs = torch.softmax(raw[:, CHANNELS:], 1)
    if not straight_through:
        return torch.cat([image, probs], 1)
    hard = torch.zeros_like(probs).scatter_(1, probs.argmax(1, keepdim=True), 1.0)
    return torch.cat([image, hard - probs.detach() + probs], 1)


class StyleGAN2:  # defaults: r1_gamma heuristic, r1_interval 16, style_mixing 0.9, pl_weight 0, EMA 10 kimg
    n_real = BATCH

    def __init__(self, size):
        self.G, self.D, self.G_ema = SG2Generator(size), SG2Discriminator(size), SG2Generator(size)
        self.G_ema.load_state_dict(self.G.state_dict())
        self.G_ema.eval()
        self.gamma, self.r1_interval, self.step_n, self.nimg = 0.0002 * size * size / BATCH, 16, 0, 0.0

        def adam(params, interval):  # lazy regularisation: lr and betas scaled by interval / (interval + 1)
            r = interval / (interval + 1)
            return torch.optim.Adam(params, lr=0.0025 * r, betas=(0.0 ** r, 0.99 ** r), eps=1e-8)
        self.opt_g, self.opt_d = adam(self.G.parameters(), 4), adam(self.D.parameters(), 16)

    def make_ws(self, b, update_avg):
        nw = self.G.num_ws
        ws = self.G.mapping(torch.randn(b, self.G.z_dim), update_avg).unsqueeze(1).expand(-1, nw, -1)
        if torch.rand(1).item() < 0.9:
            cutoff = int(torch.randint(1, nw, (1,)).item())
            w2 = self.G.mapping(torch.randn(b, self.G.z_dim))
            ws = torch.cat([ws[:, :cutoff], w2.unsqueeze(1).expand(-1, nw - cutoff, -1)], 1)
        return ws

    def step(self, images, labels):
        b = images.size(0)
        x_real = joint_input(images, labels)
        self.step_n += 1
        stats = []
        self.opt_g.zero_grad()
        fake = joint_output(self.G.synthesis(self.make_ws(b, True)), True)
        loss_g = F.softplus(-self.D(fake)).mean()
        loss_g.backward()
        self.opt_g.step()
        stats.append(float(loss_g))
        with torch.no_grad():
            fake_d = joint_output(self.G.synthesis(self.make_ws(b, False)), True)
        self.opt_d.zero_grad()
        logit_fake, logit_real = self.D(fake_d), self.D(x_real)
        loss_d = F.softplus(logit_fake).mean() + F.softplus(-logit_real).mean()
        loss_d.backward()
        self.opt_d.step()
        stats += [float(loss_d), float(logit_real.sign().mean())]
        if self.step_n % self.r1_interval == 0:
            xr = x_real.detach().requires_grad_(True)
            grad = torch.autograd.grad(self.D(xr).sum(), xr, create_graph=True)[0]
            loss_r1 = grad.square().sum([1, 2, 3]).mean() * (self.gamma / 2) * self.r1_interval
            self.opt_d.zero_grad()
            loss_r1.backward()
            self.opt_d.step()
            stats.append(float(loss_r1))
        self.nimg += b
        beta = 0.5 ** (b / max(min(10000.0, self.nimg * 0.05), 1e-8))
        with torch.no_grad():
            src = dict(self.G.named_parameters())
            for name, p in self.G_ema.named_parameters():
                p.copy_(src[name].detach().lerp(p, beta))
            bsrc = dict(self.G.named_buffers())
            for name, buf in self.G_ema.named_buffers():
                buf.copy_(bsrc[name])
        return stats


# ---- Multi-scale patch GAN (architectures/multiscale.cpp), default 2 levels, 64 px patches ----------------
class PatchGenerator(nn.Module):
    def __init__(self, j, ch):
        super().__init__()
        def conv(cin, cout, k, stride=1):
            return nn.Conv2d(cin, cout, k, stride, 1 if k == 4 else k // 2, padding_mode="reflect")
        self.input_conv, self.down = conv(j + 1, ch, 3), conv(ch, 2 * ch, 4, 2)
        self.res1a, self.res1b = conv(2 * ch, 2 * ch, 3), conv(2 * ch, 2 * ch, 3)
        self.res2a, self.res2b = conv(2 * ch, 2 * ch, 3), conv(2 * ch, 2 * ch, 3)
        self.up, self.merge, self.out = conv(2 * ch, ch, 3), conv(2 * ch, ch, 3), conv(ch, j, 3)
        with torch.no_grad():
            for p in self.out.parameters():
                p.zero_()

    def forward(self, cond, noise):
        act = lambda t: F.leaky_relu(t, 0.2)
        h0 = act(self.input_conv(torch.cat([cond, noise], 1)))
        h = act(self.down(h0))
        h = h + self.res1b(act(self.res1a(h)))
        h = h + self.res2b(act(self.res2a(h)))
        h = F.interpolate(h, scale_factor=2.0, mode="nearest")
        h = act(self.merge(torch.cat([act(self.up(h)), h0], 1)))
        img = cond[:, :CHANNELS].clamp(-1 + 1e-3, 1 - 1e-3)
        lab = cond[:, CHANNELS:].clamp_min(1e-3)
        return torch.cat([torch.atanh(img), torch.log(lab)], 1) + self.out(h)


class PatchDiscriminator(nn.Module):
    def __init__(self, j, ch):
        super().__init__()
        self.net = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(2 * j, ch, 4, 2, 1)), ("act0", nn.LeakyReLU(0.2)),
            ("conv1", nn.Conv2d(ch, 2 * ch, 4, 2, 1)), ("act1", nn.LeakyReLU(0.2)),
            ("score", nn.Conv2d(2 * ch, 1, 2, 1, 0))]))

    def forward(self, cond, x):
        return self.net(torch.cat([cond, x], 1))


def harden(x):
    lab = x[:, CHANNELS:]
    return torch.cat([x[:, :CHANNELS], torch.zeros_like(lab).scatter_(1, lab.argmax(1, keepdim=True), 1.0)], 1)


def downsample_joint(x, size):
    return x if x.shape[2] == size else harden(F.avg_pool2d(x, x.shape[2] // size))


def lsgan_d(real, fake):
    return 0.5 * ((real - 1).square().mean() + fake.square().mean())


class MultiScale:
    n_real = BATCH
    d_input = staticmethod(instance_noise)

    def __init__(self, size, levels=2, patch=64, ch=32):
        self.size0 = size >> (levels - 1)
        self.G0, self.D0 = Generator(self.size0, 100, 64, 512), Discriminator(self.size0, 64, 512)
        self.levels = []
        for lvl in range(1, levels):
            side = self.size0 << lvl
            g, d = PatchGenerator(CHANNELS + LABELS, ch), PatchDiscriminator(CHANNELS + LABELS, ch)
            self.levels.append((side, min(patch, side), g, d, self.adam(g), self.adam(d)))
        self.opt_g0, self.opt_d0 = self.adam(self.G0), self.adam(self.D0)
        self.G = nn.ModuleList([self.G0] + [lv[2] for lv in self.levels])
        self.D = nn.ModuleList([self.D0] + [lv[3] for lv in self.levels])

    @staticmethod
    def adam(m):
        return torch.optim.Adam(m.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def patches(self, x_real, side, patch):
        with torch.no_grad():
            b = x_real.size(0)
            real_l = downsample_joint(x_real, side)
            cond_full = F.interpolate(harden(downsample_joint(real_l, side // 2)), scale_factor=2.0,
                                      mode="bilinear", align_corners=False)
            pos = torch.randint(0, (side - patch) // 2 + 1, (b, 2)) * 2
            ts, cs = [], []
            for k in range(b):
                oy, ox = int(pos[k][0].item()), int(pos[k][1].item())
                ts.append(real_l[k, :, oy:oy + patch, ox:ox + patch])
                cs.append(cond_full[k, :, oy:oy + patch, ox:ox + patch])
            return torch.stack(ts), torch.stack(cs)

    def step(self, images, labels):
        b = images.size(0)
        x_real = joint_input(images, labels)
        f64 = lambda t: t.detach().to(torch.float64)
        real0 = downsample_joint(x_real, self.size0)
        fake = self.G0(torch.randn(b, self.G0.z_dim))
        self.opt_d0.zero_grad()
        s_real = self.D0(self.d_input(real0))
        loss_d = lsgan_d(s_real, self.D0(self.d_input(fake.detach())))
        loss_d.backward()
        self.opt_d0.step()
        self.opt_g0.zero_grad()
        loss_g = (self.D0(self.d_input(fake)) - 1).square().mean()
        loss_g.backward()
        self.opt_g0.step()
        ld, lg, sg = f64(loss_d), f64(loss_g), f64((s_real - 0.5).sign().mean())
        stats = []
        for side, patch, g, d, opt_g, opt_d in self.levels:
            target, cond = self.patches(x_real, side, patch)
            fake = joint_output(g(cond, torch.randn(b, 1, patch, patch)), True)

            def d_pair(x):
                y = self.d_input(torch.cat([cond, x], 1))
                return d(y[:, :cond.size(1)], y[:, cond.size(1):])
            opt_d.zero_grad()
            s_real = d_pair(target)
            loss_d = lsgan_d(s_real, d_pair(fake.detach()))
            loss_d.backward()
            opt_d.step()
            opt_g.zero_grad()
            l1 = (fake - target).abs().mean()
            loss_g = (d_pair(fake) - 1).square().mean() + 10.0 * l1
            loss_g.backward()
            opt_g.step()
            ld, lg, sg = ld + f64(loss_d), lg + f64(loss_g), sg + f64((s_real - 0.5).sign().mean())
            stats.append(float(l1))
        return stats + [float(ld), float(lg), float(sg / (len(self.levels) + 1))]


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


ARCHS = {"dcgan": DCGAN, "wgan_gp": WGANGP, "stylegan2": StyleGAN2, "multiscale": MultiScale}


def python_in_child(arch, size, threads, min_time, env):
    """ms per step in a fresh interpreter (OpenBLAS reads OPENBLAS_NUM_THREADS when it loads)."""
    out = subprocess.run([sys.executable, __file__, "--python-only", arch, str(size), "--threads", str(threads),
                          "--min-time", str(min_time), "--demod", "factored" if FACTORED_DEMOD else "stylegan2-ada"],
                         env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--min-time", type=float, default=5.0, help="seconds per measurement")
    ap.add_argument("--python-only", nargs=2, metavar=("ARCH", "PX"), help=argparse.SUPPRESS)
    ap.add_argument("--arch", action="append", choices=list(ARCHS), help="only these (repeatable)")
    ap.add_argument("--demod", choices=["stylegan2-ada", "factored"], default="stylegan2-ada",
                    help="StyleGAN2's demodulation on the PyTorch side: as stylegan2-ada-pytorch computes it "
                         "(per-sample weights), or ganbench's equal factored form")
    a = ap.parse_args()
    global FACTORED_DEMOD
    FACTORED_DEMOD = a.demod == "factored"
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.python_only:
        arch, size = a.python_only[0], int(a.python_only[1])
        print(python_ms(ARCHS[arch](size), size, a.min_time))
        return
    rows = []
    for arch, cls in ARCHS.items():
        if a.arch and arch not in a.arch:
            continue
        for size in (32, 64):
            model = cls(size)
            params = sum(p.numel() for m in (model.G, model.D) for p in m.parameters())
            out = subprocess.run([os.path.join(a.build, "bench", "bench_train_step"),
                                  f"--benchmark_filter=train_step/{arch}/px:{size}/cuda:0/bf16:0",
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
    print(f"\n{blas.strip()}; PyTorch {torch.__version__}, {a.threads} threads, batch {BATCH}, "
          f"PyTorch StyleGAN2 demodulation: {a.demod}\n")
    print("| architecture | px | parameters (G + D, equal) | PyTorch ms/step | PyTorch, OpenBLAS 1 thread | "
          "ganbench ms/step | ganbench / PyTorch | ganbench / PyTorch (1 OpenBLAS thread) |")
    print("|---|---|---|---|---|---|---|---|")
    for arch, size, params, py, py1, gb in rows:
        print(f"| {arch} | {size} | {params:,} | {py:.1f} | {py1:.1f} | {gb:.1f} | {gb / py:.2f} | {gb / py1:.2f} |")


if __name__ == "__main__":
    main()
