import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('float64 dtypes, .double() and set_default_dtype', () => {
  assert.equal(findings(lines('import torch', 'a = torch.zeros(3, dtype=torch.float64)'), 'MSP202').length, 1);
  assert.equal(findings(lines('import torch as T', 'a = T.ones(2).double()'), 'MSP202').length, 1);
  assert.equal(findings(lines('from torch import double', 'a = x.to(double)'), 'MSP202').length, 1);
  assert.equal(findings(lines('import torch', 'torch.set_default_dtype(torch.float64)'), 'MSP202').length, 1);
  assert.equal(findings(lines('import torch', 'a = torch.zeros(3, dtype=torch.float32)'), 'MSP202').length, 0);
  assert.equal(findings(lines('import torch', 'float64 = 1', 'a = float64 + 1'), 'MSP202').length, 0);
});

test('float64 NumPy arrays turned into tensors', () => {
  const src = lines('import numpy as np', 'import torch', 'a = torch.from_numpy(np.zeros((2, 3)))', 'w = np.linspace(0, 1, 5)', 'b = torch.tensor(w)', 'c = torch.from_numpy(np.zeros(3, dtype=np.float32))');
  assert.equal(findings(src, 'MSP202').length, 2);
  assert.match(fix(src, 'MSP202').text, /torch\.from_numpy\(np\.zeros\(\(2, 3\)\)\.astype\(np\.float32\)\)/);
});

test('fixes: torch.float64 -> float32 and .double() -> .float(), unsafe, still parsing', () => {
  const r = fix(lines('import torch', 'a = torch.zeros(3, dtype=torch.float64)'), 'MSP202');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /dtype=ms\.float32/);
  assert.match(fix(lines('import torch', 'a = torch.ones(2).double()'), 'MSP202').text, /torch\.ones\(2\)\.float\(\)/);
});

test('torch.DoubleTensor: float64, with an unsafe fix making it float32', () => {
  const src = lines('import torch', 't = torch.DoubleTensor([1.0, 2.0])');
  const f = findings(src, 'MSP202');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /makes a float64 tensor/);
  const r = fix(src, 'MSP202');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /^t = ms\.Tensor\(\[1\.0, 2\.0\], dtype=ms\.float32\)$/m);
  assert.equal(all(src).filter((x) => x.code === 'MSP103').length, 0, 'MSP202 owns it');
});

test('info off Ascend', () => {
  assert.equal(findings(lines('import torch', 'a = torch.ones(2).double()'), 'MSP202', settings({ device: 'CPU' }))[0].severity, 'info');
});
