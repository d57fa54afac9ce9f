import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('init_process_group, DDP, get_rank, DistributedSampler', () => {
  const src = lines('import torch.distributed as dist', 'from torch.nn.parallel import DistributedDataParallel as DDP', 'from torch.utils.data.distributed import DistributedSampler', 'dist.init_process_group("nccl")', 'model = DDP(model, device_ids=[rank])', 'r = dist.get_rank()', 's = DistributedSampler(ds)');
  const f = findings(src, 'MSP407');
  assert.equal(f.length, 4);
  const r = fix(src, 'MSP407');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /^ms\.communication\.init\(\)\nms\.set_auto_parallel_context\(parallel_mode=ms\.ParallelMode\.DATA_PARALLEL, gradients_mean=True\)$/m);
  assert.match(fix(src, 'MSP407', 1).text, /^model = model$/m);
  assert.match(f[0].message, /msrun/);
});

test('a local dist module is not flagged', () => {
  assert.equal(findings(lines('import mydist as dist', 'dist.init_process_group()'), 'MSP407').length, 0);
});

test('on Ascend (2.6) collectives and group functions are mint.distributed\'s, renamed safely; on GPU the old advice', () => {
  const src = lines(
    'import torch.distributed as dist',
    'if dist.is_initialized():',
    '    r = dist.get_rank()',
    '    dist.all_reduce(x, op=dist.ReduceOp.SUM)',
    '    dist.barrier()',
  );
  const f = findings(src, 'MSP407');
  assert.deepEqual(
    f.map((x) => x.fixes[0]?.applicability),
    ['safe', 'safe', 'safe', 'safe', 'safe'],
  );
  assert.match(f[2].message, /`torch\.distributed\.all_reduce` → `mindspore\.mint\.distributed\.all_reduce`: .*in place, as torch does/);
  assert.doesNotMatch(f[4].message, /in place/); // barrier
  assert.match(f[3].message, /`mindspore\.ops\.ReduceOp\.SUM`: the same/);
  const r = fix(src, 'MSP407', 2);
  assert.match(r.text, /^from mindspore\.mint\.distributed import all_reduce$/m);
  assert.match(r.text, /^    all_reduce\(x, op=dist\.ReduceOp\.SUM\)$/m);
  // MindSpore's classic API (GPU) has no torch-like collectives: operators that return new tensors
  const gpu = findings(src, 'MSP407', settings({ device: 'GPU' }));
  assert.match(gpu[2].message, /collectives are operators/);
  assert.notEqual(gpu[2].fixes[0]?.applicability, 'safe');
});

test('DistributedSampler.set_epoch: no fix, since deleting it is right only once the loader is a MindSpore dataset', () => {
  const src = lines(
    'from torch.utils.data.distributed import DistributedSampler',
    's = DistributedSampler(ds)',
    'for epoch in range(3):',
    '    s.set_epoch(epoch)',
    '    train(epoch)',
  );
  const f = findings(src, 'MSP407');
  assert.equal(f.length, 2);
  // while torch's sampler stays, its order changes only through set_epoch: deleted, every epoch would repeat
  assert.deepEqual(f[1].fixes, []);
  assert.match(f[1].message, /set_epoch`: Once the loader is a MindSpore dataset .*shuffle=True.*keep it/);
});

test('nn.DataParallel (the torch.nn alias) is MSP407 as nn.parallel.DataParallel is: the model is used as it is', () => {
  const src = lines('import torch.nn as nn', 'net = nn.DataParallel(Net())');
  const f = findings(src, 'MSP407');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /no wrapper in MindSpore/);
  assert.equal(findings(src, 'MSP103').length, 0, 'not also "no equivalent"');
  assert.match(fix(src, 'MSP407').text, /^net = Net\(\)$/m);
});

test('torch.distributed types in annotations are hints (a process group is a string name in MindSpore)', () => {
  const src = lines('from typing import Optional', 'import torch.distributed as dist', 'from torch.distributed.distributed_c10d import ProcessGroup', 'def f(x, group: Optional[ProcessGroup] = None):', '    dist.all_reduce(x, group=group)');
  const f = findings(src, 'MSP407');
  assert.deepEqual(f.map((x) => x.severity), ['hint', 'warning']);
  assert.match(f[0].message, /names communication groups by strings/);
});

test("an FSDP method (state_dict_type, a context manager) is not the wrapper's constructor: no 'model' rewrite", () => {
  const src = lines('from torch.distributed.fsdp import FullyShardedDataParallel as FSDP', 'model = FSDP(model)', 'with FSDP.state_dict_type(model, kind):', '    sd = model.state_dict()');
  const f = findings(src, 'MSP407');
  assert.match(fix(src, 'MSP407', 0).text, /^model = model$/m);
  const ctxManager = f.find((x) => x.message.includes('state_dict_type'))!;
  assert.deepEqual(ctxManager.fixes, []);
  assert.match(ctxManager.message, /drop the call/);
});

test('all_reduce with a reduction MindSpore lacks (ReduceOp.AVG) gets no rename: torch op passed on would raise', () => {
  const src = lines('import torch.distributed as dist', 'dist.all_reduce(t, op=dist.ReduceOp.AVG, group=g)', 'dist.all_reduce(t, op=dist.ReduceOp.SUM)');
  const f = findings(src, 'MSP407').filter((x) => x.message.includes('`torch.distributed.all_reduce`'));
  assert.equal(f.length, 2);
  assert.deepEqual(f[0].fixes, []);
  assert.match(f[0].message, /no `AVG` reduction: reduce with SUM, then divide by the group size/);
  assert.equal(f[1].fixes[0]?.applicability, 'safe');
});

test('2.10: DistributedSampler becomes MindSpore\'s torch-like sampler (safe), and set_epoch is kept: that sampler has it', () => {
  const src = lines(
    'from torch.utils.data.distributed import DistributedSampler',
    'sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True)',
    'for epoch in range(3):',
    '    sampler.set_epoch(epoch)',
  );
  const s = settings({ mindsporeVersion: '2.10' });
  const f = findings(src, 'MSP407', s);
  assert.equal(f.length, 2);
  assert.equal(f[0].severity, 'info');
  assert.equal(f[0].fixes[0].applicability, 'safe');
  assert.match(fix(src, 'MSP407', 0, s).text, /^sampler = mindspore\.dataset\.dataloader\.DistributedSampler\(ds, num_replicas=world, rank=rank, shuffle=True\)$/m);
  assert.equal(f[1].fixes.length, 0);
  assert.match(f[1].message, /set_epoch`: keep it/);
  // once the sampler is MindSpore's, its set_epoch is no torch use any more
  const after = fix(src, 'MSP407', 0, s).text;
  assert.deepEqual(findings(after, 'MSP407', s), []);
});
