// Deterministic generator of a realistic PyTorch research codebase for the benchmark: model files, training
// scripts, data pipelines, utilities, long files and notebooks, in every import style. Seeded PRNG (mulberry32):
// the same seed always writes the same bytes. Written once to a cache folder outside the repository.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mulberry32 } from './prng.mjs';

export const CORPUS_VERSION = 4;

class Gen {
  constructor(seed) {
    this.r = mulberry32(seed);
  }
  int(lo, hi) {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick(a) {
    return a[Math.floor(this.r() * a.length)];
  }
  chance(p) {
    return this.r() < p;
  }
}

// ---- vocabulary -----------------------------------------------------------------------------------------
const IMPORT_STYLES = [
  { lines: ['import torch', 'import torch.nn as nn', 'import torch.nn.functional as F'], nn: 'nn', F: 'F', t: 'torch' },
  { lines: ['import torch', 'from torch import nn', 'from torch.nn import functional as F'], nn: 'nn', F: 'F', t: 'torch' },
  { lines: ['import torch as th', 'import torch.nn as nn', 'import torch.nn.functional as F'], nn: 'nn', F: 'F', t: 'th' },
  { lines: ['import torch', 'import torch.nn', 'import torch.nn.functional'], nn: 'torch.nn', F: 'torch.nn.functional', t: 'torch' },
  { lines: ['from __future__ import annotations', 'import torch', 'from torch import nn, Tensor', 'import torch.nn.functional as F'], nn: 'nn', F: 'F', t: 'torch' },
];
const EXTRA_IMPORTS = [
  'import numpy as np',
  'import math',
  'import os',
  'import sys',
  'import logging',
  'from typing import Optional, List, Tuple, Dict',
  'from functools import partial',
  'from einops import rearrange, repeat',
  'from torch.utils.data import DataLoader, Dataset',
  'from torch.utils.checkpoint import checkpoint',
  'from torch.nn import Linear, Conv2d, LayerNorm, Dropout',
  'from torch.nn.init import trunc_normal_',
  'import torch.distributed as dist',
  'from torch.cuda.amp import autocast, GradScaler',
  'from timm.models.layers import DropPath',
  'from ..utils import get_logger',
  'from .layers import MLP',
  'from . import config',
];
const ACT = ['GELU', 'ReLU', 'SiLU', 'LeakyReLU', 'Tanh', 'Sigmoid', 'Mish'];
const FUNCS = ['relu', 'gelu', 'silu', 'softmax', 'dropout', 'layer_norm', 'interpolate', 'pad', 'normalize', 'cross_entropy', 'mse_loss', 'conv2d', 'avg_pool2d', 'adaptive_avg_pool2d', 'log_softmax', 'one_hot', 'embedding', 'grid_sample', 'unfold', 'scaled_dot_product_attention'];
const TORCH_FNS = ['cat', 'stack', 'zeros', 'ones', 'randn', 'rand', 'arange', 'matmul', 'einsum', 'where', 'clamp', 'exp', 'log', 'sqrt', 'sum', 'mean', 'max', 'min', 'argmax', 'topk', 'sort', 'gather', 'flatten', 'linspace', 'meshgrid', 'chunk', 'split', 'zeros_like', 'ones_like', 'full', 'bmm', 'cumsum', 'roll', 'flip', 'sigmoid', 'tanh', 'abs', 'pow', 'masked_fill', 'tensor', 'from_numpy', 'no_grad', 'cdist', 'tril', 'triu', 'diag', 'fft.rfft2', 'fft.irfft2', 'fft.fft', 'linalg.norm', 'erf', 'logsumexp', 'outer', 'polar', 'view_as_real', 'view_as_complex'];
const METHODS = ['view', 'reshape', 'permute', 'transpose', 'contiguous', 'unsqueeze', 'squeeze', 'flatten', 'expand', 'repeat', 'mean', 'sum', 'softmax', 'masked_fill', 'chunk', 'float', 'half', 'detach', 'clone', 'to', 'type_as', 'new_zeros', 'matmul', 'clamp', 'norm', 'abs', 'exp', 'gather', 'scatter_add_', 'index_select', 'narrow', 'roll', 'cumsum', 'size', 'numel', 'cuda', 'cpu', 'item'];
const LAYERS = [
  (g, nn) => `${nn}.Linear(${g.pick(['dim', 'hidden', 'in_features', 'embed_dim'])}, ${g.pick(['dim', 'hidden * 4', 'out_features', 'num_classes'])}${g.chance(0.3) ? ', bias=False' : ''})`,
  (g, nn) => `${nn}.Conv2d(${g.pick(['in_ch', 'channels', 'dim'])}, ${g.pick(['out_ch', 'channels * 2', 'dim'])}, kernel_size=${g.pick([1, 3, 5, 7])}, padding=${g.pick([0, 1, 2, 3])}${g.chance(0.3) ? `, stride=${g.pick([1, 2])}` : ''})`,
  (g, nn) => `${nn}.Conv1d(${g.pick(['in_ch', 'channels'])}, ${g.pick(['out_ch', 'channels'])}, ${g.pick([1, 3])})`,
  (g, nn) => `${nn}.LayerNorm(${g.pick(['dim', 'hidden', 'embed_dim'])}${g.chance(0.3) ? ', eps=1e-6' : ''})`,
  (g, nn) => `${nn}.BatchNorm2d(${g.pick(['out_ch', 'channels', 'dim'])}${g.chance(0.3) ? ', momentum=0.01' : ''})`,
  (g, nn) => `${nn}.GroupNorm(${g.pick([8, 16, 32])}, ${g.pick(['channels', 'dim'])})`,
  (g, nn) => `${nn}.Dropout(${g.pick(['drop', 'dropout', '0.1', 'p'])})`,
  (g, nn) => `${nn}.${g.pick(ACT)}()`,
  (g, nn) => `${nn}.Embedding(${g.pick(['vocab_size', 'num_embeddings'])}, ${g.pick(['dim', 'embed_dim'])}${g.chance(0.2) ? ', padding_idx=0' : ''})`,
  (g, nn) => `${nn}.MultiheadAttention(${g.pick(['dim', 'embed_dim'])}, ${g.pick(['num_heads', 'heads', 8])}, batch_first=True)`,
  (g, nn) => `${nn}.Sequential(${nn}.Linear(dim, hidden), ${nn}.${g.pick(ACT)}(), ${nn}.Linear(hidden, dim))`,
  (g, nn) => `${nn}.ModuleList([${nn}.Linear(dim, dim) for _ in range(depth)])`,
  (g, nn) => `${nn}.Parameter(torch.zeros(1, ${g.pick(['num_patches', 'dim', 'seq_len'])}, dim))`,
  (g, nn) => `${nn}.Upsample(scale_factor=${g.pick([2, 4])}, mode='${g.pick(['nearest', 'bilinear'])}')`,
  (g, nn) => `${nn}.ConvTranspose2d(${g.pick(['channels', 'dim'])}, ${g.pick(['channels', 'out_ch'])}, kernel_size=2, stride=2)`,
  (g, nn) => `${nn}.AdaptiveAvgPool2d(${g.pick(['1', '(1, 1)', 'output_size'])})`,
  (g, nn) => `${nn}.Identity()`,
  (g, nn) => `${nn}.GRU(${g.pick(['dim', 'hidden'])}, ${g.pick(['hidden', 'dim'])}, num_layers=${g.pick([1, 2])}, batch_first=True)`,
];
const WORDS = ['encoder', 'decoder', 'block', 'stage', 'proj', 'norm', 'attn', 'mlp', 'head', 'embed', 'pool', 'gate', 'fuse', 'mixer', 'spectral', 'graph', 'patch', 'token', 'time', 'skip', 'latent', 'query', 'key', 'value', 'router', 'expert'];
const CLASS_WORDS = ['Attention', 'Block', 'Encoder', 'Decoder', 'Mixer', 'Transformer', 'Embedding', 'Head', 'Layer', 'Net', 'Stage', 'Fusion', 'Gate', 'Router', 'Spectral', 'Operator', 'Conv', 'Unet', 'Former', 'Resampler'];
const VARS = ['x', 'h', 'y', 'out', 'feat', 'q', 'k', 'v', 'attn', 'z', 'residual', 'hidden_states', 'logits', 'emb', 'mask', 'weights', 'scores'];

function ident(g, words = WORDS) {
  return g.chance(0.5) ? g.pick(words) : `${g.pick(words)}_${g.pick(words)}`;
}

function className(g) {
  return `${g.pick(CLASS_WORDS)}${g.pick(CLASS_WORDS)}${g.int(1, 99)}`;
}

function tensorExpr(g, st, vars, depth = 0) {
  const v = g.pick(vars);
  if (depth > 2) return v;
  switch (g.int(0, 11)) {
    case 0:
      return `${st.F}.${g.pick(FUNCS)}(${v}${g.chance(0.4) ? `, dim=${g.pick([-1, 1, 2])}` : ''})`;
    case 1:
      return `${st.t}.${g.pick(TORCH_FNS)}([${v}, ${g.pick(vars)}], dim=${g.pick([-1, 0, 1])})`;
    case 2:
      return `${v}.${g.pick(METHODS)}(${g.pick(['', '-1', '0, 2, 1', 'B, N, -1', '1', 'dim=-1', 'x.dtype'])})`;
    case 3:
      return `self.${ident(g)}(${v})`;
    case 4:
      return `${tensorExpr(g, st, vars, depth + 1)} + ${tensorExpr(g, st, vars, depth + 1)}`;
    case 5:
      return `${v} * self.scale`;
    case 6:
      return `${v}[:, ${g.pick(['0', ':-1', 'None', '1:', 'idx'])}]`;
    case 7:
      return `${v} @ ${g.pick(vars)}.transpose(-2, -1)`;
    case 8:
      return `rearrange(${v}, 'b (h w) c -> b c h w', h=H)`;
    case 9:
      return `${st.t}.${g.pick(TORCH_FNS)}(${v})`;
    case 10:
      return `${v}.${g.pick(METHODS)}().${g.pick(METHODS)}(${g.pick(['', '-1', '1'])})`;
    default:
      return `${st.F}.${g.pick(FUNCS)}(${tensorExpr(g, st, vars, depth + 1)})`;
  }
}

function docstring(g, indent) {
  const n = g.int(1, 6);
  const out = [`${indent}"""${g.pick(['Applies', 'Computes', 'Builds', 'Returns', 'Implements'])} the ${ident(g).replace('_', ' ')} ${g.pick(['of the model', 'for each token', 'over the grid', 'in parallel', 'with residuals'])}.`];
  if (n > 1) {
    out.push('');
    out.push(`${indent}Args:`);
    for (let i = 0; i < n - 1; i++) out.push(`${indent}    ${ident(g)}: ${g.pick(['input tensor of shape (B, N, C)', 'number of heads', 'dropout rate', 'whether to use bias', 'spatial size'])}.`);
  }
  out.push(`${indent}"""`);
  return out;
}

function moduleClass(g, st, lines) {
  const name = className(g);
  const base = g.chance(0.85) ? `${st.nn}.Module` : g.pick([`${st.nn}.Sequential`, 'object', `${st.nn}.Module, metaclass=ABCMeta`]);
  if (g.chance(0.2)) lines.push(`@${g.pick(['torch.no_grad()', 'dataclass', 'register_model'])}`.replace('torch.no_grad()', 'register_model'));
  lines.push(`class ${name}(${base}):`);
  lines.push(...docstring(g, '    '));
  const params = ['self', 'dim', 'hidden=256', 'num_heads=8', 'depth=4', 'drop=0.0'];
  if (g.chance(0.5)) params.push('in_ch: int = 3', 'out_ch: int = 64');
  lines.push(`    def __init__(${params.join(', ')}):`);
  lines.push(g.chance(0.7) ? `        super().__init__()` : `        super(${name}, self).__init__()`);
  const attrs = [];
  const nAttrs = g.int(3, 9);
  for (let i = 0; i < nAttrs; i++) {
    const a = ident(g);
    attrs.push(a);
    lines.push(`        self.${a} = ${g.pick(LAYERS)(g, st.nn)}`);
  }
  lines.push(`        self.scale = (dim // num_heads) ** -0.5`);
  if (g.chance(0.4)) lines.push(`        self.register_buffer("${ident(g)}", ${st.t}.zeros(1, dim), persistent=False)`);
  if (g.chance(0.4)) {
    lines.push(`        self.apply(self._init_weights)`);
    lines.push('');
    lines.push(`    def _init_weights(self, m):`);
    lines.push(`        if isinstance(m, ${st.nn}.Linear):`);
    lines.push(`            ${st.nn}.init.trunc_normal_(m.weight, std=0.02)`);
    lines.push(`            if m.bias is not None:`);
    lines.push(`                ${st.nn}.init.constant_(m.bias, 0)`);
    lines.push(`        elif isinstance(m, (${st.nn}.LayerNorm, ${st.nn}.BatchNorm2d)):`);
    lines.push(`            ${st.nn}.init.ones_(m.weight)`);
  }
  lines.push('');
  const ann = st.lines.some((l) => l.includes('Tensor')) ? ': Tensor' : '';
  lines.push(`    def forward(self, x${ann}, mask=None)${ann ? ' -> Tensor' : ''}:`);
  if (g.chance(0.5)) lines.push(...docstring(g, '        '));
  lines.push(`        B, N, C = x.shape`);
  const vars = ['x'];
  const nStmts = g.int(6, 22);
  for (let i = 0; i < nStmts; i++) {
    const r = g.r();
    const v = g.pick(VARS);
    if (r < 0.55) {
      lines.push(`        ${v} = ${tensorExpr(g, st, vars)}${g.chance(0.05) ? '  # noqa: MSP101' : g.chance(0.1) ? `  # ${g.pick(['TODO: fuse', 'B, N, C', 'residual', 'see paper eq. 3'])}` : ''}`);
      if (!vars.includes(v)) vars.push(v);
    } else if (r < 0.65) {
      lines.push(`        if mask is not None:`);
      lines.push(`            ${v} = ${g.pick(vars)}.masked_fill(mask == 0, float('-inf'))`);
      if (!vars.includes(v)) vars.push(v);
    } else if (r < 0.72) {
      lines.push(`        for blk in self.${attrs[0]}:`.replace(`self.${attrs[0]}:`, g.chance(0.5) ? `self.${attrs[0]}:` : 'range(depth):'));
      lines.push(`            x = blk(x) + x`.replace('blk(x)', g.chance(0.5) ? 'blk(x)' : `self.${g.pick(attrs)}(x)`));
    } else if (r < 0.78) {
      lines.push(`        ${v}, ${g.pick(VARS)} = ${g.pick(vars)}.chunk(2, dim=-1)`);
      if (!vars.includes(v)) vars.push(v);
    } else if (r < 0.84) {
      lines.push(`        with ${st.t}.no_grad():`);
      lines.push(`            ${v} = ${tensorExpr(g, st, vars)}`);
      if (!vars.includes(v)) vars.push(v);
    } else if (r < 0.9) {
      lines.push(`        ${v} = self.${g.pick(attrs)}(${tensorExpr(g, st, vars)})`);
      if (!vars.includes(v)) vars.push(v);
    } else if (r < 0.95) {
      lines.push(`        ${v} = [${g.pick(vars)}[i] * w for i, w in enumerate(self.${ident(g)})]`);
    } else {
      lines.push(`        x = x + self.${g.pick(attrs)}(${g.pick(vars)}.view(B, N, -1).permute(0, 2, 1).contiguous())`);
    }
  }
  lines.push(`        return ${g.pick(vars)}`);
  const extra = g.int(0, 3);
  for (let i = 0; i < extra; i++) {
    lines.push('');
    if (g.chance(0.3)) lines.push(`    @${g.pick(['staticmethod', 'torch.no_grad()', 'property'])}`);
    const m = ident(g);
    lines.push(`    def ${m}(self, x, ${g.pick(['k=3', 'scale=1.0', 'eps=1e-5', 'dim=-1'])}):`);
    for (let j = g.int(2, 8); j > 0; j--) lines.push(`        x = ${tensorExpr(g, st, ['x'])}`);
    lines.push(`        return x`);
  }
  lines.push('');
  lines.push('');
  return name;
}

function helperFunction(g, st, lines) {
  const name = ident(g);
  lines.push(`def ${name}(x, ${g.pick(['size', 'dim', 'scale', 'window_size'])}${g.chance(0.4) ? ': int = 7' : ''}, *args, **kwargs):`);
  if (g.chance(0.5)) lines.push(...docstring(g, '    '));
  const n = g.int(3, 12);
  for (let i = 0; i < n; i++) {
    const r = g.r();
    if (r < 0.6) lines.push(`    x = ${tensorExpr(g, st, ['x'])}`);
    else if (r < 0.7) lines.push(`    y = np.${g.pick(['zeros', 'ones', 'arange', 'linspace', 'asarray'])}(${g.pick(['10', 'size', '(3, 3)'])})`);
    else if (r < 0.8) lines.push(`    grid = ${st.t}.stack(${st.t}.meshgrid(${st.t}.arange(size), ${st.t}.arange(size), indexing="ij"))`);
    else if (r < 0.9) lines.push(`    log.info(f"${name}: {x.shape} {x.dtype} device={x.device}")`);
    else lines.push(`    x = ${st.t}.where(x > 0, x, ${st.t}.zeros_like(x)).to(dtype=${st.t}.${g.pick(['float32', 'float16', 'bfloat16', 'float64'])})`);
  }
  lines.push(`    return x`);
  lines.push('');
  lines.push('');
}

function header(g, st, kind) {
  const lines = [];
  if (g.chance(0.2)) lines.push('#!/usr/bin/env python');
  if (g.chance(0.3)) lines.push('# -*- coding: utf-8 -*-');
  lines.push(`"""${kind}: ${ident(g).replace('_', ' ')} ${g.pick(['model', 'layers', 'utilities', 'training loop', 'data pipeline'])}.`);
  lines.push('');
  lines.push(`Copyright (c) ${g.int(2018, 2025)} the authors. Licensed under the Apache License 2.0.`);
  lines.push('"""');
  lines.push(...st.lines);
  const extra = new Set();
  for (let i = g.int(2, 7); i > 0; i--) extra.add(g.pick(EXTRA_IMPORTS));
  lines.push(...extra);
  if (g.chance(0.3)) {
    lines.push('try:');
    lines.push('    import torch_npu  # noqa: F401');
    lines.push('except ImportError:');
    lines.push('    torch_npu = None');
  }
  lines.push('');
  lines.push('log = logging.getLogger(__name__)');
  lines.push('');
  return lines;
}

function modelFile(g, targetLines) {
  const st = g.pick(IMPORT_STYLES);
  const lines = header(g, st, 'Model');
  const names = [];
  while (lines.length < targetLines) {
    if (g.chance(0.7)) names.push(moduleClass(g, st, lines));
    else helperFunction(g, st, lines);
  }
  if (names.length && g.chance(0.5)) {
    lines.push(`__all__ = [${names.map((n) => `"${n}"`).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

function trainFile(g, targetLines) {
  const st = g.pick(IMPORT_STYLES);
  const lines = header(g, st, 'Training');
  lines.push(`import argparse`);
  lines.push(`from torch.optim import ${g.pick(['Adam', 'AdamW', 'SGD'])}`);
  lines.push(`from torch.optim.lr_scheduler import ${g.pick(['CosineAnnealingLR', 'StepLR', 'OneCycleLR'])}`);
  lines.push('');
  lines.push('');
  while (lines.length < targetLines) {
    const r = g.r();
    if (r < 0.35) {
      lines.push(`def train_one_epoch(model, loader, optimizer, scaler, device, epoch):`);
      lines.push(`    model.train()`);
      lines.push(`    total = 0.0`);
      lines.push(`    for step, (inputs, targets) in enumerate(loader):`);
      lines.push(`        inputs = inputs.to(device, non_blocking=True)`);
      lines.push(`        targets = targets.cuda(non_blocking=True)`);
      lines.push(`        optimizer.zero_grad(set_to_none=True)`);
      lines.push(`        with ${st.t}.autocast(device_type="cuda", dtype=${st.t}.float16):`);
      lines.push(`            outputs = model(inputs)`);
      lines.push(`            loss = ${st.F}.${g.pick(['cross_entropy', 'mse_loss', 'l1_loss', 'smooth_l1_loss'])}(outputs, targets${g.chance(0.5) ? ', reduction="mean"' : ''})`);
      lines.push(`        scaler.scale(loss).backward()`);
      lines.push(`        ${st.t}.nn.utils.clip_grad_norm_(model.parameters(), max_norm=${g.pick(['1.0', '5.0', 'args.clip'])})`);
      lines.push(`        scaler.step(optimizer)`);
      lines.push(`        scaler.update()`);
      lines.push(`        total += loss.item()`);
      lines.push(`        if step % ${g.pick([10, 50, 100])} == 0:`);
      lines.push(`            log.info("epoch %d step %d loss %.4f lr %.2e", epoch, step, loss.item(), optimizer.param_groups[0]["lr"])`);
      lines.push(`    return total / max(1, len(loader))`);
    } else if (r < 0.55) {
      lines.push(`@${st.t}.no_grad()`);
      lines.push(`def evaluate(model, loader, device):`);
      lines.push(`    model.eval()`);
      lines.push(`    correct, count = 0, 0`);
      lines.push(`    for inputs, targets in loader:`);
      lines.push(`        inputs, targets = inputs.to(device), targets.to(device)`);
      lines.push(`        logits = model(inputs)`);
      lines.push(`        pred = logits.argmax(dim=-1)`);
      lines.push(`        correct += (pred == targets).sum().item()`);
      lines.push(`        count += targets.numel()`);
      lines.push(`    acc = ${st.t}.tensor(correct / max(count, 1), device=device)`);
      lines.push(`    if dist.is_initialized():`);
      lines.push(`        dist.all_reduce(acc, op=dist.ReduceOp.SUM)`);
      lines.push(`    return acc.item()`);
    } else if (r < 0.7) {
      lines.push(`def build_optimizer(model, args):`);
      lines.push(`    decay, no_decay = [], []`);
      lines.push(`    for name, p in model.named_parameters():`);
      lines.push(`        if not p.requires_grad:`);
      lines.push(`            continue`);
      lines.push(`        (no_decay if p.ndim <= 1 or name.endswith(".bias") else decay).append(p)`);
      lines.push(`    optimizer = ${st.t}.optim.${g.pick(['AdamW', 'Adam', 'SGD'])}([{"params": decay, "weight_decay": args.wd}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr${g.chance(0.5) ? ', betas=(0.9, 0.95)' : ''})`);
      lines.push(`    scheduler = ${st.t}.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)`);
      lines.push(`    return optimizer, scheduler`);
    } else if (r < 0.8) {
      lines.push(`def save_checkpoint(model, optimizer, epoch, path):`);
      lines.push(`    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}`);
      lines.push(`    ${st.t}.save(state, os.path.join(path, f"ckpt_{epoch:04d}.pt"))`);
      lines.push('');
      lines.push('');
      lines.push(`def load_checkpoint(model, path, device="cpu"):`);
      lines.push(`    state = ${st.t}.load(path, map_location=device)`);
      lines.push(`    missing, unexpected = model.load_state_dict(state["model"], strict=False)`);
      lines.push(`    log.warning("missing=%s unexpected=%s", missing, unexpected)`);
      lines.push(`    return state.get("epoch", 0)`);
    } else if (r < 0.9) {
      helperFunction(g, st, lines);
      continue;
    } else {
      lines.push(`def main():`);
      lines.push(`    parser = argparse.ArgumentParser(description="${ident(g)}")`);
      for (let i = g.int(4, 14); i > 0; i--) lines.push(`    parser.add_argument("--${ident(g).replace('_', '-')}", type=${g.pick(['int', 'float', 'str'])}, default=${g.pick(['1', '0.1', '"auto"', 'None', '1e-4'])})`);
      lines.push(`    args = parser.parse_args()`);
      lines.push(`    device = ${st.t}.device("cuda" if ${st.t}.cuda.is_available() else "cpu")`);
      lines.push(`    ${st.t}.manual_seed(args.seed)`);
      lines.push(`    ${st.t}.backends.cudnn.benchmark = True`);
      lines.push(`    model = build_model(args).to(device)`);
      lines.push(`    if args.compile:`);
      lines.push(`        model = ${st.t}.compile(model)`);
      lines.push(`    model = ${st.t}.nn.parallel.DistributedDataParallel(model, device_ids=[args.local_rank])`);
      lines.push(`    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, num_workers=4, pin_memory=True)`);
      lines.push(`    optimizer, scheduler = build_optimizer(model, args)`);
      lines.push(`    scaler = ${st.t}.cuda.amp.GradScaler()`);
      lines.push(`    for epoch in range(args.epochs):`);
      lines.push(`        train_one_epoch(model, loader, optimizer, scaler, device, epoch)`);
      lines.push(`        scheduler.step()`);
      lines.push('');
      lines.push('');
      lines.push(`if __name__ == "__main__":`);
      lines.push(`    main()`);
    }
    lines.push('');
    lines.push('');
  }
  return lines.join('\n') + '\n';
}

function dataFile(g, targetLines) {
  const st = g.pick(IMPORT_STYLES);
  const lines = header(g, st, 'Data');
  while (lines.length < targetLines) {
    const name = `${g.pick(['Weather', 'Image', 'Text', 'Graph', 'Climate', 'Point', 'Audio'])}${g.pick(['Dataset', 'Reader', 'Source'])}${g.int(1, 99)}`;
    lines.push(`class ${name}(${g.chance(0.8) ? 'Dataset' : `${st.t}.utils.data.IterableDataset`}):`);
    lines.push(`    def __init__(self, root, split="train", transform=None):`);
    lines.push(`        self.root = root`);
    lines.push(`        self.files = sorted(os.listdir(os.path.join(root, split)))`);
    lines.push(`        self.transform = transform`);
    lines.push(`        self.mean = ${st.t}.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)`);
    lines.push('');
    lines.push(`    def __len__(self):`);
    lines.push(`        return len(self.files)`);
    lines.push('');
    lines.push(`    def __getitem__(self, idx):`);
    lines.push(`        arr = np.load(os.path.join(self.root, self.files[idx]))`);
    lines.push(`        x = ${st.t}.from_numpy(arr).float()`);
    lines.push(`        x = (x - self.mean) / ${g.pick(['self.std', '255.0', 'x.std()'])}`);
    lines.push(`        if self.transform is not None:`);
    lines.push(`            x = self.transform(x)`);
    lines.push(`        y = ${st.t}.${g.pick(['tensor', 'as_tensor'])}(${g.pick(['idx % 10', 'arr.shape[0]', '0'])}, dtype=${st.t}.long)`);
    lines.push(`        return x, y`);
    lines.push('');
    lines.push('');
    if (g.chance(0.5)) helperFunction(g, st, lines);
    if (g.chance(0.3)) {
      lines.push(`def collate(batch):`);
      lines.push(`    xs, ys = zip(*batch)`);
      lines.push(`    return ${st.t}.stack(xs, 0), ${st.t}.stack(ys, 0)`);
      lines.push('');
      lines.push('');
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * A research script that does everything at module level (the shape of many analysis and quick-experiment
 * scripts): one flat scope with thousands of assignments, name-indexed subscripts (`x[mask]`), tensor
 * arithmetic, small training loops, plots. Rules that look a name up in its scope see every statement here.
 */
const SCRIPT_FNS = ['exp', 'log', 'sqrt', 'abs', 'sigmoid', 'tanh', 'flatten', 'zeros_like', 'ones_like', 'erf', 'cumsum'];
const SCRIPT_METHODS = ['contiguous', 'float', 'half', 'detach', 'clone', 'abs', 'exp', 'cpu', 'softmax'];
function scriptFile(g, targetLines) {
  const st = g.pick(IMPORT_STYLES);
  const lines = ['"""Experiment script: load, train, evaluate, plot."""', ...st.lines, 'import numpy as np', 'import matplotlib.pyplot as plt', ''];
  lines.push(`device = ${st.t}.device("cuda" if ${st.t}.cuda.is_available() else "cpu")`);
  lines.push(`x_0 = ${st.t}.randn(${g.int(16, 256)}, ${g.int(8, 128)}, device=device)`);
  let n = 1;
  while (lines.length < targetLines) {
    const a = `x_${g.int(Math.max(0, n - 40), n - 1)}`;
    const r = g.r();
    if (r < 0.25) {
      lines.push(`mask_${n} = ${a} ${g.pick(['>', '<', '>='])} ${g.int(0, 9) / 10}`);
      lines.push(`x_${n} = ${a}[mask_${n}]`);
    } else if (r < 0.5) {
      const fn = g.pick(SCRIPT_FNS);
      const m = g.pick(SCRIPT_METHODS);
      lines.push(g.chance(0.5) ? `x_${n} = ${st.t}.${fn}(${fn === 'cumsum' ? `${a}, dim=0` : a})` : `x_${n} = ${a}.${m}(${m === 'softmax' ? 'dim=-1' : ''})`);
    } else if (r < 0.65) {
      lines.push(`x_${n} = (${a} - ${a}.mean()) / (${a}.std() + 1e-6)`);
    } else if (r < 0.75) {
      lines.push(`stats_${n} = {"mean": ${a}.mean().item(), "max": ${a}.max().item()}`);
      lines.push(`print("step ${n}", stats_${n})`);
      lines.push(`x_${n} = ${a}`);
    } else if (r < 0.85) {
      lines.push(`idx_${n} = ${st.t}.argsort(${a}.sum(dim=-1))[:${g.int(2, 32)}]`);
      lines.push(`x_${n} = ${a}[idx_${n}]`);
    } else if (r < 0.93) {
      lines.push(`w_${n} = ${st.nn}.Linear(${a}.shape[-1], ${a}.shape[-1]).to(device)`);
      lines.push(`opt_${n} = ${st.t}.optim.Adam(w_${n}.parameters(), lr=1e-3)`);
      lines.push(`for epoch in range(${g.int(2, 20)}):`);
      lines.push(`    opt_${n}.zero_grad()`);
      lines.push(`    loss = ${st.F}.mse_loss(w_${n}(${a}), ${a})`);
      lines.push(`    loss.backward()`);
      lines.push(`    opt_${n}.step()`);
      lines.push(`x_${n} = w_${n}(${a}).detach()`);
    } else {
      lines.push(`plt.plot(${a}.flatten().cpu().numpy()[:${g.int(10, 500)}])`);
      lines.push(`plt.savefig("fig_${n}.png")`);
      lines.push(`x_${n} = ${a}.clone()`);
    }
    n++;
  }
  return lines.join('\n') + '\n';
}

function notebook(g, targetLines) {
  const st = g.pick(IMPORT_STYLES);
  const cells = [];
  cells.push({ cell_type: 'markdown', metadata: {}, source: ['# Experiment notebook\n', '\n', 'Exploring the model on a small batch.\n'] });
  cells.push({ cell_type: 'code', metadata: {}, execution_count: 1, outputs: [], source: [...st.lines, 'import numpy as np', 'import matplotlib.pyplot as plt'].map((l, i, a) => (i < a.length - 1 ? `${l}\n` : l)) });
  let total = 0;
  let n = 2;
  while (total < targetLines) {
    const lines = [];
    const r = g.r();
    if (r < 0.4) moduleClass(g, st, lines);
    else if (r < 0.7) helperFunction(g, st, lines);
    else {
      lines.push(`x = ${st.t}.randn(${g.int(1, 16)}, ${g.int(3, 64)}, ${g.int(8, 256)})`);
      lines.push(`model = ${g.pick(CLASS_WORDS)}${g.pick(CLASS_WORDS)}(dim=${g.int(8, 256)})`);
      lines.push(`y = model(x)`);
      lines.push(`print(y.shape, y.mean().item())`);
      lines.push(`plt.imshow(y[0].detach().cpu().numpy())`);
      if (g.chance(0.3)) lines.push(`%timeit model(x)`);
    }
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    total += lines.length;
    cells.push({ cell_type: 'code', metadata: {}, execution_count: n++, outputs: g.chance(0.3) ? [{ output_type: 'stream', name: 'stdout', text: ['torch.Size([4, 64, 128]) 0.0123\n'] }] : [], source: lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)) });
    if (g.chance(0.3)) cells.push({ cell_type: 'markdown', metadata: {}, source: [`## ${ident(g)}\n`] });
  }
  return JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } }, nbformat: 4, nbformat_minor: 5 }, null, 1) + '\n';
}

/** The files of the corpus: [relative path, content], deterministic for a seed. */
export function* corpusFiles(seed = 7, targetLines = 420_000) {
  const g = new Gen(seed);
  let lines = 0;
  let i = 0;
  const count = (text) => text.split('\n').length;
  // the 5,000-line file the edit benchmark types into, and a few longer ones
  const edit = modelFile(new Gen(seed + 1), 5000).split('\n').slice(0, 5000).join('\n') + '\n';
  yield ['models/long/edit_target_5000.py', edit];
  lines += count(edit);
  for (const n of [8000, 12000]) {
    const t = modelFile(g, n);
    yield [`models/long/generated_${n}.py`, t];
    lines += count(t);
  }
  // a 5,000-line module-level script: one scope with thousands of names (a shape that once made a rule quadratic)
  const script = scriptFile(g, 5000);
  yield ['scripts/long/dense_script_5000.py', script];
  lines += count(script);
  const projects = ['weather', 'vision', 'nlp', 'graph', 'diffusion', 'rl'];
  while (lines < targetLines) {
    const proj = projects[i % projects.length];
    const r = g.r();
    let path;
    let text;
    if (r < 0.55) {
      path = `${proj}/models/${ident(g)}_${i}.py`;
      text = modelFile(g, g.chance(0.06) ? g.int(1500, 3000) : g.int(60, 450));
    } else if (r < 0.75) {
      path = `${proj}/train_${ident(g)}_${i}.py`;
      text = trainFile(g, g.int(80, 450));
    } else if (r < 0.87) {
      path = `${proj}/data/${ident(g)}_${i}.py`;
      text = dataFile(g, g.int(50, 300));
    } else if (r < 0.91) {
      path = `${proj}/scripts/${ident(g)}_${i}.py`;
      text = scriptFile(g, g.int(100, 1200));
    } else if (r < 0.95) {
      path = `${proj}/notebooks/${ident(g)}_${i}.ipynb`;
      text = notebook(g, g.int(80, 600));
    } else {
      path = `${proj}/${ident(g)}/__init__.py`.replace(/\/__init__\.py$/, `_${i}/__init__.py`);
      text = `from .${ident(g)} import *\nfrom .layers import MLP  # noqa: F401\n__version__ = "0.${i}"\n`;
    }
    yield [path, text];
    lines += path.endsWith('.ipynb') ? 0 : count(text);
    if (path.endsWith('.ipynb')) lines += JSON.parse(text).cells.reduce((n, c) => n + (c.cell_type === 'code' ? c.source.length : 0), 0);
    i++;
  }
}

/**
 * One long class (not part of the corpus, whose figures it would change): a model whose `__init__` builds many
 * layers and whose methods are forward-like bodies, as large research models and trainers are written. The
 * edit benchmark types into it: the whole file is one top-level statement.
 */
export function bigClassFile(seed = 11, targetLines = 3000) {
  const g = new Gen(seed);
  const st = IMPORT_STYLES[0];
  const lines = header(g, st, 'Model');
  lines.push('class OceanModel(nn.Module):');
  lines.push(...docstring(g, '    '));
  lines.push('    def __init__(self, dim, hidden=256, num_heads=8, depth=4, drop=0.0):');
  lines.push('        super().__init__()');
  const attrs = [];
  for (let i = 0; i < 40; i++) {
    const a = `${ident(g)}_${i}`;
    attrs.push(a);
    lines.push(`        self.${a} = ${g.pick(LAYERS)(g, st.nn)}`);
  }
  lines.push('        self.scale = (dim // num_heads) ** -0.5');
  for (let m = 0; lines.length < targetLines; m++) {
    lines.push('');
    lines.push(`    def ${ident(g)}_${m}(self, x, mask=None):`);
    if (g.chance(0.4)) lines.push(...docstring(g, '        '));
    lines.push('        B, N, C = x.shape');
    const vars = ['x'];
    for (let i = g.int(6, 22); i > 0; i--) {
      const v = g.pick(VARS);
      const r = g.r();
      if (r < 0.6) lines.push(`        ${v} = ${tensorExpr(g, st, vars)}`);
      else if (r < 0.75) {
        lines.push('        if mask is not None:');
        lines.push(`            ${v} = ${g.pick(vars)}.masked_fill(mask == 0, float('-inf'))`);
      } else if (r < 0.9) lines.push(`        ${v} = self.${g.pick(attrs)}(${tensorExpr(g, st, vars)})`);
      else {
        lines.push(`        for blk in self.${g.pick(attrs)}:`);
        lines.push('            x = blk(x) + x');
      }
      if (!vars.includes(v)) vars.push(v);
    }
    lines.push(`        return ${g.pick(vars)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * A class file (bigClassFile) with commented-out code, as research code has: a method commented out at column 0
 * between the second and third methods, and a line of the third commented out at column 0.
 */
export function withCommentedOutCode(text) {
  const lines = text.split('\n');
  const methods = lines.flatMap((l, i) => (/^ {4}def /.test(l) ? [i] : []));
  if (methods.length < 3) return text;
  const third = methods[2];
  lines.splice(third + 1, 0, '#        x = x * self.scale');
  lines.splice(third, 0, '# def old_forward(self, x):', '#     return self.scale * x');
  return lines.join('\n');
}

/**
 * A script (the corpus's dense one) as one long function: its leading docstring and imports stay at module level,
 * its next `bodyLines` lines become the body of `main()`, called under `if __name__ == "__main__":`, as
 * experiment scripts are often written. The edit benchmark types into it: the function is most of the file.
 */
export function asLongFunction(script, bodyLines = 2000) {
  const lines = script.split('\n');
  let k = 0;
  while (k < lines.length && /^(import |from |"""|#|$)/.test(lines[k])) k++;
  const body = lines.slice(k, k + bodyLines).map((l) => (l ? `    ${l}` : l));
  return [...lines.slice(0, k), '', 'def main():', '    """The experiment, in one function."""', ...body, '', '', 'if __name__ == "__main__":', '    main()', ''].join('\n');
}

/** Writes the corpus once into a cache folder (outside the repo) and returns its path and file list. */
export function ensureCorpus({ seed = 7, targetLines = 420_000, cacheDir = process.env.MINDPORT_BENCH_CACHE ?? join(tmpdir(), 'mindport-bench') } = {}) {
  const dir = join(cacheDir, `corpus-v${CORPUS_VERSION}-s${seed}-${targetLines}`);
  const manifest = join(dir, 'manifest.json');
  if (existsSync(manifest)) {
    return { dir, ...JSON.parse(readFileSync(manifest, 'utf8')), cached: true };
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const files = [];
  const hash = createHash('sha256');
  for (const [rel, text] of corpusFiles(seed, targetLines)) {
    const p = join(tmp, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    hash.update(rel).update(text);
    files.push(rel);
  }
  const meta = { files, sha256: hash.digest('hex'), editTarget: 'models/long/edit_target_5000.py' };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(meta));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, ...meta, cached: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const c = ensureCorpus();
  console.log(`${c.dir}: ${c.files.length} files, sha256 ${c.sha256.slice(0, 16)}${c.cached ? ' (cached)' : ''}`);
}
