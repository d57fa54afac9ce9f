import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

const SRC = lines('import torch', 'losses = []', 'total = 0', 'acc = x0', 'for x in data:', '    loss = model(x).sum()', '    loss.backward(retain_graph=True)', '    losses.append(loss)', '    total += loss', '    acc = torch.cat([acc, x])', 'losses.append(loss)');

test('append, +=, growing cat and retain_graph inside a loop', () => {
  const f = findings(SRC, 'MSP306');
  assert.equal(f.length, 4);
});

test('fixes add .item() (unsafe) and remove retain_graph', () => {
  const f = findings(SRC, 'MSP306');
  const iAppend = f.findIndex((x) => x.message.includes('append'));
  const r = fix(SRC, 'MSP306', iAppend);
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /    losses\.append\(loss\.item\(\)\)\n/);
  assert.match(r.text, /\nlosses\.append\(loss\)\n$/, 'outside the loop: untouched');
  const iPlus = f.findIndex((x) => x.message.includes('+='));
  assert.match(fix(SRC, 'MSP306', iPlus).text, /total \+= loss\.item\(\)/);
  const iRetain = f.findIndex((x) => x.message.includes('retain_graph'));
  assert.match(fix(SRC, 'MSP306', iRetain).text, /loss\.backward\(\)/);
});

test('item() already used: nothing to report', () => {
  assert.equal(findings(lines('for x in d:', '    losses.append(loss.item())', '    total += loss.item()'), 'MSP306').length, 0);
});

test('a growing concatenation of NumPy arrays or of unknown values: not a graph, not reported', () => {
  const src = lines('import numpy as np', 'import torch', 'for x in data:', '    acc = np.concatenate((acc, x), 0)', '    other = pkg.cat([other, x])', '    grown = torch.stack([grown, x])');
  const f = findings(src, 'MSP306');
  assert.deepEqual(f.map((x) => x.message.split(' ')[0]), ['`grown`']);
});

test('a name concatenated and then made anew in the same loop does not grow', () => {
  // makani's blocks: the auxiliary channels are appended to the input of each block, whose output replaces it
  const src = lines('import torch', 'for blk in blocks:', '    if aux is not None:', '        x = torch.cat([x, aux], dim=-3)', '    x = blk(x)', 'for part in parts:', '    acc = torch.cat([acc, part])');
  assert.deepEqual(findings(src, 'MSP306').map((x) => x.message.split(' ')[0]), ['`acc`']);
});

test('a sliding window (the oldest step dropped, the newest appended) keeps its size: not reported', () => {
  const src = lines('import torch', 'for t in range(steps):', '    out = model(x)', '    x = torch.concat([x[:, 1:, ...], out], dim=1)');
  assert.deepEqual(findings(src, 'MSP306'), []);
});
