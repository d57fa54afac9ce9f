import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('train()/eval() on module instances become set_train (safe)', () => {
  const src = lines('import torch.nn as nn', 'model = nn.Linear(2, 2)', 'model.train()', 'model.eval()', 'model.train(False)');
  assert.equal(findings(src, 'MSP402').length, 3);
  const r = fix(src, 'MSP402');
  assert.equal(r.applicability, 'safe');
  assert.match(r.text, /^model\.set_train\(True\)$/m);
  assert.match(fix(src, 'MSP402', 1).text, /^model\.set_train\(False\)$/m);
  assert.match(fix(src, 'MSP402', 2).text, /^model\.set_train\(False\)$/m);
});

test('user classes derived from Module; not on unknown objects or user methods', () => {
  const src = lines('from torch import nn', 'class Net(nn.Module):', '    def forward(self, x):', '        return x', 'net = Net()', 'net.eval()', 'trainer.train()', 'class T(nn.Module):', '    def train(self, mode=True):', '        return self', 't = T()', 't.train()');
  const f = findings(src, 'MSP402');
  assert.equal(f.length, 1);
});
