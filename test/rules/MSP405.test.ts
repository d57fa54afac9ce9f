import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

const SRC = lines(
  'from torch.utils.data import Dataset, DataLoader',
  'class Pairs(Dataset):',
  '    def __len__(self):',
  '        return 4',
  '    def __getitem__(self, i):',
  '        return self.x[i], self.y[i]',
  'ds = Pairs()',
  'loader = DataLoader(ds, batch_size=8, num_workers=4)',
);

test('Dataset base removed, DataLoader becomes GeneratorDataset + batch (unsafe)', () => {
  const f = findings(SRC, 'MSP405');
  assert.equal(f.length, 2);
  assert.match(fix(SRC, 'MSP405').text, /^class Pairs:$/m);
  const r = fix(SRC, 'MSP405', 1);
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /loader = ms\.dataset\.GeneratorDataset\(ds, column_names=\["x", "y"\], shuffle=False, num_parallel_workers=4\)\.batch\(8, drop_remainder=True\)/);
});

test('collate_fn or an unknown source: advice only; module import style', () => {
  const src = lines('import torch.utils.data as tud', 'l = tud.DataLoader(make(), batch_size=2, collate_fn=c)');
  const f = findings(src, 'MSP405');
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
  assert.equal(findings(lines('class DataLoader:', '    pass', 'l = DataLoader()'), 'MSP405').length, 0);
});
