import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('nonzero, masked_select, unique, one-argument where', () => {
  const src = lines('import torch', 'def f(x: torch.Tensor, m):', '    a = torch.nonzero(x)', '    b = x.masked_select(m)', '    c = torch.unique(x)', '    d = torch.where(x > 0)', '    e = torch.where(x > 0, x, 0)');
  assert.equal(findings(src, 'MSP203').length, 4);
  assert.ok(!all(src).some((f) => f.code.startsWith('MSP10') && /nonzero|unique|masked_select/.test(f.message)));
});

test('boolean-mask indexing through a name and directly; assignment targets are fine', () => {
  const src = lines('import torch', 'def f(x: torch.Tensor, t):', '    valid = x > t', '    a = x[valid]', '    b = x[x < 0]', '    x[x < 0] = 0', '    c = x[0]');
  const f = findings(src, 'MSP203');
  assert.equal(f.length, 2);
  assert.equal(f[0].severity, 'warning');
});

test('data-dependent reshape', () => {
  assert.equal(findings(lines('import torch', 'y = x.reshape(int(m.sum()), -1)', 'z = x.view(n.item(), 3)', 'w = x.view(4, -1)'), 'MSP203').length, 2);
});

test('local rebinding of nonzero is not flagged', () => {
  assert.equal(findings(lines('from torch import nonzero', 'def nonzero(a):', '    return a', 'y = nonzero(x)'), 'MSP203').length, 0);
});
