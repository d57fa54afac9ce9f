import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

const LOOP = lines('import torch', 'for x, y in loader:', '    loss = crit(model(x), y)', '    loss.backward()', '    opt.step()');

test('a training loop without mixed precision gets an info at the loop', () => {
  const f = findings(LOOP, 'MSP304');
  assert.equal(f.length, 1);
  assert.equal(f[0].severity, 'info');
  assert.equal(f[0].range.start.line, 1);
});

test('silent with autocast, off Ascend, or without a step', () => {
  assert.equal(findings(LOOP.replace('import torch', 'import torch\nfrom torch.cuda.amp import GradScaler\ns = GradScaler()'), 'MSP304').length, 0);
  assert.equal(findings(LOOP, 'MSP304', settings({ device: 'GPU' })).length, 0);
  assert.equal(findings(LOOP.replace('opt.step()', 'pass'), 'MSP304').length, 0);
});
