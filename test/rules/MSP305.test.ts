import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { applyFixes } from '../../server/src/engine/edits';
import { ATTENTION_HELPER_MARKER, ATTENTION_HELPER_SOURCE } from '../../server/src/engine/rules/msp305Attention';
import { findings, fix, lines, settings, setup, all, findPython } from './helpers';

before(setup);

test('softmax over q @ k^T (directly, via names, torch.matmul and F.softmax)', () => {
  const src = lines('import torch', 'import torch.nn.functional as F', 'def f(q, k, v):', '    s = (q @ k.transpose(-2, -1)) * 0.1', '    a = s.softmax(dim=-1)', '    b = F.softmax(torch.matmul(q, k.mT), dim=-1)', '    c = torch.softmax(v, -1)', '    return a, b, c');
  const f = findings(src, 'MSP305');
  assert.equal(f.length, 2);
  assert.match(f[0].message, /flash_attention_score/);
  assert.equal(findings(src, 'MSP305', settings({ device: 'GPU' })).length, 0);
});

test('scaled_dot_product_attention is claimed with advice', () => {
  const src = lines('from torch.nn.functional import scaled_dot_product_attention as sdpa', 'o = sdpa(q, k, v)');
  assert.equal(findings(src, 'MSP305').length, 1);
  assert.ok(!all(src).some((f) => f.code.startsWith('MSP10')));
});

test('F.scaled_dot_product_attention is written out with MindSpore ops: a helper of the same name, inserted once (safe)', () => {
  const src = lines('import torch.nn.functional as F', 'def attend(q, k, v, mask):', '    a = F.scaled_dot_product_attention(q, k, v)', '    b = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.1)', '    c = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)', '    return a, b, c');
  const f = findings(src, 'MSP305');
  assert.deepEqual(f.map((x) => x.fixes[0]?.applicability ?? null), ['safe', 'safe', null]);
  const out = applyFixes(src, f.filter((x) => x.fixes.length).map((x) => x.fixes[0])).text;
  assert.equal(out.split(ATTENTION_HELPER_MARKER).length, 2);
  assert.match(out, /^    a = ms_scaled_dot_product_attention\(q, k, v\)$/m);
  assert.match(out, /^    b = ms_scaled_dot_product_attention\(q, k, v, attn_mask=mask, dropout_p=0\.1\)$/m);
  // the file's own function of that name (an audit): no fix rather than a call taken over
  const own = lines('import torch.nn.functional as F', 'def ms_scaled_dot_product_attention(q, k, v):', '    return F.scaled_dot_product_attention(q, k, v, is_causal=True)');
  assert.deepEqual(findings(own, 'MSP305')[0].fixes, []);
});

test('the attention helper computes what torch defines: scale, causal, boolean and additive masks', (t) => {
  const python = findPython('numpy');
  if (!python) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const program = `
import sys, types
import numpy as np
ops = types.ModuleType("mindspore.ops")
ops.matmul = np.matmul
ops.tril = np.tril
ops.ones = lambda shape, dtype: np.ones(shape, dtype)
ops.masked_fill = lambda x, m, v: np.where(m, v, x)
ops.logical_not = np.logical_not
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
ops.softmax = softmax
ops.dropout = lambda x, p: x
ops.all = lambda x, axis, keep_dims: np.all(x, axis=axis, keepdims=keep_dims)
dtype = types.ModuleType("mindspore.dtype"); dtype.bool_ = np.bool_; dtype.float16 = np.float16; dtype.float32 = np.float32; dtype.bfloat16 = "bfloat16"
ms = types.ModuleType("mindspore"); ms.ops = ops; ms.dtype = dtype
sys.modules.update({"mindspore": ms, "mindspore.ops": ops, "mindspore.dtype": dtype})
np.ndarray.swapaxes  # numpy arrays have it, as MindSpore Tensors do
exec(sys.stdin.read())
rng = np.random.default_rng(4)
q, k, v = (rng.standard_normal((2, 3, 5, 4)) for _ in range(3))
def torch_sdpa(q, k, v, mask=None, causal=False, scale=None):
    s = (q @ np.swapaxes(k, -2, -1)) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if causal: s = np.where(np.tril(np.ones((5, 5), bool)), s, -np.inf)
    if mask is not None: s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    return softmax(s) @ v
bmask = rng.random((5, 5)) > 0.3
np.fill_diagonal(bmask, True)
fmask = rng.standard_normal((5, 5))
bad = []
for kw, ref in [({}, {}), ({"is_causal": True}, {"causal": True}), ({"attn_mask": bmask}, {"mask": bmask}), ({"attn_mask": fmask}, {"mask": fmask}), ({"scale": 0.3}, {"scale": 0.3})]:
    if not np.allclose(ms_scaled_dot_product_attention(q, k, v, **kw), torch_sdpa(q, k, v, **ref)): bad.append(list(kw))
# a row with every key masked gives 0 (torch's safe softmax), not NaN
none = np.ones((5, 5), bool); none[2] = False
got = ms_scaled_dot_product_attention(q, k, v, attn_mask=none)
if np.isnan(got).any() or not np.allclose(got[..., 2, :], 0): bad.append("masked row")
# float16 scores that would overflow are computed in float32; the result keeps float16
big = np.full((1, 1, 2, 64), 40, np.float16)
h = ms_scaled_dot_product_attention(big, big, big)
if h.dtype != np.float16 or not np.allclose(h.astype(np.float32), 40): bad.append(("fp16", h))
try:
    ms_scaled_dot_product_attention(q, k, v, attn_mask=bmask, is_causal=True); bad.append("mask and causal")
except ValueError:
    pass
print("bad", bad)
`;
  const run = spawnSync(python, ['-c', program], { input: ATTENTION_HELPER_SOURCE, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'bad []');
});

test("(an audit) imports a later fix adds go before a helper's block, not among its own imports", () => {
  const src = lines('import torch.nn.functional as F', 'import torch.nn as nn', '', 'def attend(q, k, v):', '    return F.scaled_dot_product_attention(q, k, v)', '', 'class M(nn.Module):', '    pass');
  let text = applyFixes(src, [findings(src, 'MSP305')[0].fixes[0]]).text;
  const f = findings(text, 'MSP401')[0];
  text = applyFixes(text, [f.fixes[0]]).text;
  assert.ok(text.indexOf('import mindspore as ms') < text.indexOf(ATTENTION_HELPER_MARKER), text);
});

test("enable_gqa=False, torch's default, is dropped; enable_gqa=True gets no fix", () => {
  const src = lines('import torch.nn.functional as F', 'a = F.scaled_dot_product_attention(q, k, v, enable_gqa=False)');
  assert.match(fix(src, 'MSP305').text, /^a = ms_scaled_dot_product_attention\(q, k, v\)$/m);
});
