import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('index_add_, scatter_add_, torch_scatter, PyG and DGL', () => {
  const src = lines('import torch', 'import torch_scatter', 'from torch_geometric.nn import MessagePassing', 'import dgl.function as fn', 'def f(h: torch.Tensor, idx, m, g):', '    h.index_add_(0, idx, m)', '    h.scatter_add_(0, idx, m)', '    a = torch_scatter.scatter_add(m, idx, dim=0)', '    g.update_all(fn.copy_u("h", "m"), fn.sum("m", "h"))');
  const f = findings(src, 'MSP204');
  assert.ok(f.length >= 5, f.map((x) => x.message).join('\n'));
  assert.match(f[0].message, /slowest operations on Ascend/);
  assert.doesNotMatch(findings(src, 'MSP204', settings({ device: 'GPU' }))[0].message, /slowest/);
});

test('scatter(..., dim=0, dim_size=N) becomes unsorted_segment_sum (unsafe)', () => {
  const r = fix(lines('from torch_scatter import scatter as S', 'agg = S(m, dst, dim=0, dim_size=n, reduce="sum")'), 'MSP204');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /agg = ops\.unsorted_segment_sum\(m, dst, n\)/);
  assert.match(r.text, /from mindspore import ops/);
  assert.equal(findings(lines('from torch_scatter import scatter', 'a = scatter(m, dst, dim=0, reduce="max")'), 'MSP204')[0].fixes.length, 0);
});

test('another dim is moved to the front and back; without dim_size, torch_scatter\'s index.max() + 1 is written', () => {
  const src = lines(
    'from torch_scatter import scatter, scatter_add',
    'def mp(x, e, col, recv, n, idx):',
    '    a = scatter(x, col, dim=-2, reduce="sum")',
    '    b = scatter_add(e, recv, dim=1, dim_size=n)',
    '    c = scatter(x, col)',
    '    d = scatter(x, g(idx), dim=1)',
    '    f = scatter(x, col, 0, dim_size=n, reduce="mean")',
    '    return a, b, c, d, f',
  );
  const out = (i: number) => fix(src, 'MSP204', i).text.split('\n')[i + 3];
  assert.equal(out(0), '    a = ops.movedim(ops.unsorted_segment_sum(ops.movedim(x, -2, 0), col, int(col.max()) + 1), 0, -2)');
  assert.equal(out(1), '    b = ops.movedim(ops.unsorted_segment_sum(ops.movedim(e, 1, 0), recv, n), 0, 1)');
  // torch_scatter's default dim is -1
  assert.equal(out(2), '    c = ops.movedim(ops.unsorted_segment_sum(ops.movedim(x, -1, 0), col, int(col.max()) + 1), 0, -1)');
  const f = findings(src, 'MSP204');
  // an index that is a call would be computed twice; a mean is not a sum
  assert.deepEqual(f.map((x) => x.fixes[0]?.applicability ?? null), ['unsafe', 'unsafe', 'unsafe', null, null]);
  assert.match(f[1].fixes[0].title, /along dim 1/);
});

test('a user function named scatter is not flagged', () => {
  assert.equal(findings(lines('def scatter(a, b):', '    return a', 'y = scatter(1, 2)'), 'MSP204').length, 0);
});

test('graph-library types in annotations are hints, not the message passing warning', () => {
  const f = findings(lines('from torch_geometric.typing import Adj', 'from torch_geometric.nn import MessagePassing', 'def f(edge_index: Adj) -> Adj:', '    return edge_index', 'class C(MessagePassing):', '    pass'), 'MSP204');
  assert.deepEqual(f.map((x) => x.severity), ['hint', 'hint', 'warning']);
  assert.match(f[0].message, /graph-library type: in MindSpore the same values are plain Tensors/);
  assert.match(f[2].message, /not available for MindSpore/);
});
