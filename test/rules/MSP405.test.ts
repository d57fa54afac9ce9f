import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fixAll } from '../../server/src/engine/fixAll';
import { database, findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

/** A torch dataset class of (x, y) rows, with its imports. */
const PAIRS = [
  'from torch.utils.data import Dataset, DataLoader',
  'class Pairs(Dataset):',
  '    def __len__(self):',
  '        return 4',
  '    def __getitem__(self, i):',
  '        return self.x[i], self.y[i]',
];

const SRC = lines(
  ...PAIRS,
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
  // the message says why, and where the call would get a fix
  assert.match(f[0].message, /No fix: it passes a `collate_fn`, which receives samples .*target 2\.10 for that rename\)\.$/);
  assert.equal(findings(lines('class DataLoader:', '    pass', 'l = DataLoader()'), 'MSP405').length, 0);
});

test('a DataLoader left alone says why: unknown columns, spread arguments, an argument without counterpart', () => {
  const reason = (call: string) => findings(lines('from torch.utils.data import DataLoader', `l = ${call}`), 'MSP405')[0].message.replace(/^.*No fix: /, '');
  assert.match(reason('DataLoader(train_set, batch_size=2)'), /^the columns of `train_set` are not known \(GeneratorDataset needs `column_names`/);
  assert.match(reason('DataLoader(ds, **cfg)'), /^the call passes `\*args` \/ `\*\*kwargs`/);
  assert.match(reason('DataLoader(ds, batch_size=2, worker_init_fn=seed_worker)'), /^it passes a `worker_init_fn`/);
  assert.match(reason('DataLoader(ds, batch_size=2, in_order=False)'), /^it passes `in_order`, which the rewrite does not carry over\.$/);
});

// MindSpore 2.10's mindspore.dataset.dataloader: torch's DataLoader, Dataset, samplers with torch's arguments
const V210 = settings({ mindsporeVersion: '2.10' });
const LOADER = lines(
  'import torch',
  ...PAIRS,
  'def collate(batch):',
  '    return batch',
  'loader = DataLoader(Pairs(), batch_size=8, shuffle=True, num_workers=4, pin_memory=True, collate_fn=collate, drop_last=True)',
);

test('2.10: DataLoader and the Dataset base become mindspore.dataset.dataloader\'s, safely, arguments kept (pin_memory, collate_fn too)', () => {
  const f = findings(LOADER, 'MSP405', V210);
  assert.equal(f.length, 2);
  assert.ok(f.every((x) => x.fixes[0]?.applicability === 'safe'), f.map((x) => x.message).join('\n'));
  assert.match(f[1].message, /mindspore\.dataset\.dataloader\.DataLoader`, from MindSpore 2\.10/);
  // the torch import still binds DataLoader/Dataset: the package is imported by its full name (which loads it)
  const loader = fix(LOADER, 'MSP405', 1, V210).text;
  assert.match(loader, /^import mindspore\.dataset\.dataloader$/m);
  assert.match(loader, /^loader = mindspore\.dataset\.dataloader\.DataLoader\(Pairs\(\), batch_size=8, shuffle=True, num_workers=4, pin_memory=True, collate_fn=collate, drop_last=True\)$/m);
  assert.match(fix(LOADER, 'MSP405', 0, V210).text, /^class Pairs\(mindspore\.dataset\.dataloader\.Dataset\):$/m);
  // nothing else flags the arguments MindSpore's loader takes (pin_memory is no MSP104 here)
  assert.deepEqual(all(LOADER, V210).filter((x) => x.code === 'MSP104'), []);
});

test('2.10: names free in the file are imported from the package, as its docs write them', () => {
  const src = lines('import torch', 'loader = torch.utils.data.DataLoader(ds, batch_size=2)', 'info = torch.utils.data.get_worker_info()');
  const r = fix(src, 'MSP405', 0, V210);
  assert.equal(r.applicability, 'safe');
  assert.match(r.text, /^from mindspore\.dataset\.dataloader import DataLoader$/m);
  assert.match(r.text, /^loader = DataLoader\(ds, batch_size=2\)$/m);
  const info = findings(src, 'MSP101', V210);
  assert.equal(info.length, 1);
  assert.match(fix(src, 'MSP101', 0, V210).text, /^info = get_worker_info\(\)$/m);
});

test('2.10: a torch.Generator passed as generator= makes the rename unsafe, and the message says why', () => {
  const src = lines('import torch', 'g = torch.Generator()', 'loader = torch.utils.data.DataLoader(ds, batch_size=2, generator=g)');
  const f = findings(src, 'MSP405', V210);
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes[0].applicability, 'unsafe');
  assert.match(f[0].message, /`generator`: a torch\.Generator is not MindSpore's/);
});

test('before 2.10, or with targetApi classic, DataLoader is still written out as GeneratorDataset(...).batch(...)', () => {
  for (const s of [settings({ mindsporeVersion: '2.9' }), settings({ mindsporeVersion: '2.10', targetApi: 'classic' })]) {
    const r = fix(SRC, 'MSP405', 1, s);
    assert.equal(r.applicability, 'unsafe');
    assert.match(r.text, /ms\.dataset\.GeneratorDataset\(ds, column_names=\["x", "y"\]/);
  }
  // get_worker_info: no equivalent before 2.10, and the message names the version that has one
  const f = findings(lines('import torch', 'info = torch.utils.data.get_worker_info()'), 'MSP103', settings({ mindsporeVersion: '2.7' }));
  assert.match(f[0].message, /mindspore\.dataset\.dataloader\.get_worker_info` exists only from MindSpore 2\.10 \(target 2\.7\)/);
});

test('2.10: fix-all of a loader file ports the data pipeline in one pass, one import line for the package', () => {
  const out = fixAll(LOADER, V210, database()).text;
  assert.equal(out.match(/^import mindspore\.dataset\.dataloader$/gm)?.length, 1, out);
  assert.match(out, /class Pairs\(mindspore\.dataset\.dataloader\.Dataset\)/);
  assert.match(out, /loader = mindspore\.dataset\.dataloader\.DataLoader\(/);
});

/** A dataset of (x, y) rows and a DistributedSampler of it, held in a name. */
const SHARDED = [
  'from torch.utils.data import Dataset, DataLoader',
  'from torch.utils.data.distributed import DistributedSampler',
  'class Pairs(Dataset):',
  '    def __getitem__(self, i):',
  '        return self.x[i], self.y[i]',
  'ds = Pairs()',
  'train_sampler = DistributedSampler(ds)',
];

test('sampler=DistributedSampler(...) becomes GeneratorDataset\'s own sharding (its shuffle, num_replicas and rank); other samplers get no fix', () => {
  const src = lines(
    'import torch',
    ...SHARDED,
    'a = DataLoader(ds, batch_size=4, sampler=train_sampler, shuffle=False, drop_last=True)',
    'b = DataLoader(ds, batch_size=4, sampler=DistributedSampler(ds, num_replicas=8, rank=r, shuffle=False))',
    'c = DataLoader(ds, batch_size=4, sampler=torch.utils.data.RandomSampler(ds))',
    'd = DataLoader(ds, batch_size=4, sampler=DistributedSampler(ds, drop_last=True))',
  );
  const loaders = findings(src, 'MSP405').filter((f) => /DataLoader/.test(f.message));
  assert.equal(loaders.length, 4);
  const a = fix(src, 'MSP405', 1).text;
  assert.match(a, /^a = ms\.dataset\.GeneratorDataset\(ds, column_names=\["x", "y"\], num_shards=ms\.communication\.get_group_size\(\), shard_id=ms\.communication\.get_rank\(\), shuffle=True\)\.batch\(4, drop_remainder=True\)$/m);
  assert.match(fix(src, 'MSP405', 2).text, /^b = ms\.dataset\.GeneratorDataset\(ds, column_names=\["x", "y"\], num_shards=8, shard_id=r, shuffle=False\)\.batch\(4, drop_remainder=True\)$/m);
  // any other sampler, or a DistributedSampler whose drop_last GeneratorDataset has no word for: advice only
  assert.deepEqual([loaders[2].fixes.length, loaders[3].fixes.length], [0, 0]);
  assert.match(loaders[2].message, /No fix: its `sampler` is not a `DistributedSampler`/);
});

test('dataset types in type hints are hints, not warnings: the value becomes a plain class or a MindSpore dataset', () => {
  const src = lines(
    'from typing import Optional',
    'from torch.utils.data import Dataset, DataLoader',
    'class Module:',
    '    def __init__(self):',
    '        self.data_train: Optional[Dataset] = None',
    '    def loader(self) -> DataLoader:',
    '        return self.cached',
  );
  const f = findings(src, 'MSP405');
  assert.deepEqual(f.map((x) => x.severity), ['hint', 'hint']);
  assert.match(f[0].message, /`torch\.utils\.data\.Dataset` in a type hint: in MindSpore the value is a plain Python class/);
  assert.match(f[1].message, /`mindspore\.dataset\.Dataset`/);
  // the dataset class has no type to name; the loader's hint becomes MindSpore's dataset type (hintTypes.test.ts)
  assert.deepEqual(f.map((x) => x.fixes.length), [0, 1]);
});

test('2.10: pin_memory_device (torch 1.12+) goes in the rename, which stays safe; the engine\'s samplers, which that loader cannot iterate, get advice', () => {
  const src = lines(
    'import torch',
    'loader = torch.utils.data.DataLoader(ds, batch_size=2, pin_memory=True, pin_memory_device="cuda")',
    's = torch.utils.data.WeightedRandomSampler(w, 2)',
  );
  const f = findings(src, 'MSP405', V210);
  assert.equal(f.length, 2);
  const r = fix(src, 'MSP405', 0, V210);
  assert.equal(r.applicability, 'safe');
  assert.match(r.text, /^loader = DataLoader\(ds, batch_size=2, pin_memory=True\)$/m);
  assert.match(f[1].message, /has no WeightedRandomSampler.*cannot be iterated.*mindspore\.dataset\.dataloader\.Sampler/);
  assert.equal(f[1].fixes.length, 0);
  // before 2.10 the engine's sampler is the twin, as before (the generic mapping rules)
  assert.deepEqual(findings(src, 'MSP405').map((x) => x.message.includes('WeightedRandomSampler')), [false]);
});

test('a sampler held in a name is consumed by the rewrite: the message says to delete it and its set_epoch calls', () => {
  const src = lines(
    ...SHARDED,
    'loader = DataLoader(ds, batch_size=4, sampler=train_sampler, drop_last=False)',
  );
  const f = findings(src, 'MSP405').find((x) => /^`DataLoader` →/.test(x.message))!;
  assert.match(f.message, /`train_sampler` is then unused: delete it and its set_epoch calls/);
  assert.match(f.message, /dropped unless the call says drop_last=False/);
  assert.match(f.fixes[0].edits[0].newText, /\.batch\(4, drop_remainder=False\)$/);
});

test('a __getitem__ returning one call (a row of unknown width) or a name holding a tuple gives no column names', () => {
  for (const ret of ['return self._load(i)', 'sample = (self.x[i], self.y[i])\n        return sample']) {
    const src = lines('from torch.utils.data import Dataset, DataLoader', 'class P(Dataset):', '    def __getitem__(self, i):', `        ${ret}`, 'l = DataLoader(P(), batch_size=2)');
    assert.equal(findings(src, 'MSP405').find((x) => /^`DataLoader` →/.test(x.message))?.fixes.length, 0, ret);
  }
});

test('(an audit) collate_fn=None and other arguments given their defaults do not keep a loader from its rewrite', () => {
  const src = lines('from torch.utils.data import Dataset, DataLoader', 'class P(Dataset):', '    def __getitem__(self, i):', '        return self.x[i], self.y[i]', 'l = DataLoader(P(), batch_size=2, collate_fn=None, worker_init_fn=None, timeout=0)');
  const f = findings(src, 'MSP405').find((x) => /^`DataLoader` →/.test(x.message))!;
  assert.equal(f.fixes.length, 1, f.message);
  assert.match(fix(src, 'MSP405', 1).text, /^l = ms\.dataset\.GeneratorDataset\(P\(\), column_names=\["x", "y"\], shuffle=False\)\.batch\(2, drop_remainder=True\)$/m);
});
