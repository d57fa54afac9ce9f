import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

const SRC = lines(
  'import torch.nn as nn',
  'from torch.utils.checkpoint import checkpoint',
  'class Net(nn.Module):',
  '    def __init__(self):',
  '        super().__init__()',
  '        self.block = nn.Linear(4, 4)',
  '',
  '    def forward(self, x):',
  '        return checkpoint(self.block, x, use_reentrant=False)',
);

test('checkpoint → direct call + recompute() in __init__ (unsafe)', () => {
  assert.equal(findings(SRC, 'MSP301').length, 1);
  const r = fix(SRC, 'MSP301');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /self\.block = nn\.Linear\(4, 4\)\n        self\.block\.recompute\(\)\n/);
  assert.match(r.text, /return self\.block\(x\)/);
});

test('module-style import, checkpoint_sequential and library switches', () => {
  const src = lines('import torch.utils.checkpoint as cp', 'y = cp.checkpoint_sequential(layers, 2, x)', 'model.set_grad_checkpointing()', 'hf.gradient_checkpointing_enable()');
  assert.equal(findings(src, 'MSP301').length, 3);
  assert.match(fix(src, 'MSP301').text, /y = layers\(x\)/);
});

test('a local checkpoint function is not flagged', () => {
  assert.equal(findings(lines('def checkpoint(path):', '    return path', 'checkpoint("a.pt")'), 'MSP301').length, 0);
});
