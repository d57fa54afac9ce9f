import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

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
