import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

const SRC = lines(
  'import torch',
  'import torch.nn as nn',
  'class Block(nn.Module):',
  '    def __init__(self, dim):',
  '        super().__init__()',
  '        self.fc = nn.Linear(dim, dim)',
  '    def forward(self, x):',
  '        return torch.softmax(self.fc(x), -1)',
  'class Net(nn.Module):',
  '    def __init__(self, dim=512, depth=DEPTH):',
  '        super().__init__()',
  '        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])',
  '    def forward(self, x):',
  '        for blk in self.blocks:',
  '            x = blk(x)',
  '        return x',
);

test('a deep ModuleList stack with an estimate', () => {
  const f = findings(SRC.replace('DEPTH', '24'), 'MSP302');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /24 identical Block blocks/);
  assert.match(f[0].message, /D=512, 24 blocks/);
  const r = fix(SRC.replace('DEPTH', '24'), 'MSP302');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /\n        for _blk in self\.blocks:\n            _blk\.recompute\(\)\n/);
});

test('shallow stacks, checkpointed files and CPU are left alone', () => {
  assert.equal(findings(SRC.replace('DEPTH', '2'), 'MSP302').length, 0);
  assert.equal(findings(SRC.replace('DEPTH', '24') + 'net.blocks[0].recompute()\n', 'MSP302').length, 0);
  assert.equal(findings(SRC.replace('DEPTH', '24'), 'MSP302', settings({ device: 'CPU' })).length, 0);
  assert.equal(findings(SRC.replace('DEPTH', '24').replace('for blk in self.blocks:', 'for blk in []:'), 'MSP302').length, 0);
});
