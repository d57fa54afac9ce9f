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
