import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { applyFixes } from '../../server/src/engine/edits';
import { SEGMENT_HELPER_MARKER, SEGMENT_HELPER_SOURCE } from '../../server/src/engine/rules/msp204Scatter';
import { findings, fix, lines, settings, setup, all, findPython } from './helpers';

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
  // a max over a data-dependent number of segments of an index that is a call: no fix
  assert.equal(findings(lines('from torch_scatter import scatter', 'a = scatter(m, g(dst), dim=0, reduce="max")'), 'MSP204')[0].fixes.length, 0);
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
  // an index that is a call would be computed twice; a mean goes to the segment helper
  assert.deepEqual(f.map((x) => x.fixes[0]?.applicability ?? null), ['unsafe', 'unsafe', 'unsafe', null, 'unsafe']);
  assert.match(fix(src, 'MSP204', 4).text, /^    f = segment_mean\(x, col, n\)$/m);
  assert.match(f[1].fixes[0].title, /along dim 1/);
});

test('a user function named scatter is not flagged', () => {
  assert.equal(findings(lines('def scatter(a, b):', '    return a', 'y = scatter(1, 2)'), 'MSP204').length, 0);
});

test('graph-library types in annotations are hints, not the message passing warning', () => {
  const f = findings(lines('from torch_geometric.typing import Adj', 'from torch_geometric.nn import MessagePassing', 'def f(edge_index: Adj) -> Adj:', '    return edge_index', 'class C(MessagePassing):', '    pass'), 'MSP204');
  assert.deepEqual(f.map((x) => x.severity), ['hint', 'hint', 'warning']);
  assert.match(f[0].message, /graph-library alias: in MindSpore code the same values have the plain type `Tensor`/);
  assert.match(f[2].message, /not available for MindSpore/);
});

test('mean, max and min reductions use a segment helper inserted once; scatter_max only for its values', () => {
  const src = lines(
    'from torch_scatter import scatter, scatter_mean, scatter_max, scatter_min',
    'from torch_geometric.utils import scatter as pyg_scatter',
    'def agg(m, dst, n):',
    '    a = scatter(m, dst, dim=0, dim_size=n, reduce="mean")',
    '    b = scatter_mean(m, dst, dim=1, dim_size=n)',
    '    c = scatter_max(m, dst, dim=0, dim_size=n)[0]',
    '    d, arg = scatter_min(m, dst, dim=0, dim_size=n)',
    '    e = pyg_scatter(m, dst, dim_size=n, reduce="max")',
    '    return a, b, c, d, e',
  );
  const f = findings(src, 'MSP204');
  assert.deepEqual(f.map((x) => x.fixes[0]?.applicability ?? null), ['unsafe', 'unsafe', 'unsafe', null, 'unsafe'], f.map((x) => x.message).join('\n'));
  const out = applyFixes(src, f.filter((x) => x.fixes.length).map((x) => x.fixes[0])).text;
  assert.equal(out.split(SEGMENT_HELPER_MARKER).length, 2, 'one helper');
  assert.match(out, /^    a = segment_mean\(m, dst, n\)$/m);
  assert.match(out, /^    b = segment_mean\(m, dst, n, dim=1\)$/m);
  assert.match(out, /^    c = segment_max\(m, dst, n\)$/m);
  // PyG's scatter reduces along dim 0 by default
  assert.match(out, /^    e = segment_max\(m, dst, n\)$/m);
});

test("the segment helper reduces as torch_scatter does: sum / count, max and min with 0 for empty segments, along any dim", (t) => {
  const python = findPython('numpy');
  if (!python) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const program = `
import sys, types
import numpy as np
def segment(reduce_at, fill):
    def f(x, ids, num):
        out = np.full((num,) + x.shape[1:], fill, dtype=x.dtype)
        reduce_at(out, ids, x)
        return out
    return f
ops = types.ModuleType("mindspore.ops")
ops.movedim = np.moveaxis
ops.unsorted_segment_sum = segment(np.add.at, 0)
ops.unsorted_segment_max = segment(np.maximum.at, np.finfo(np.float32).min)  # MindSpore fills empty segments with the lowest value
ops.unsorted_segment_min = segment(np.minimum.at, np.finfo(np.float32).max)
ops.ones_like = np.ones_like
ops.zeros_like = np.zeros_like
ops.clamp = lambda x, min=None: np.maximum(x, min)
ops.is_floating_point = lambda x: np.issubdtype(x.dtype, np.floating)
ops.floor_divide = np.floor_divide
ops.where = np.where
ms = types.ModuleType("mindspore"); ms.ops = ops
sys.modules.update({"mindspore": ms, "mindspore.ops": ops})
exec(sys.stdin.read())
rng = np.random.default_rng(2)
bad = []
for dim in [0, 1, -2]:
    src = rng.standard_normal((4, 6, 3)).astype(np.float32)
    n_along = src.shape[dim]
    index = rng.integers(0, 5, n_along)  # 7 segments: some stay empty
    for op, helper in [("mean", segment_mean), ("max", segment_max), ("min", segment_min)]:
        moved = np.moveaxis(src, dim, 0)
        want = np.zeros((7,) + moved.shape[1:], np.float32)
        for s in range(7):
            rows = moved[index == s]
            if len(rows): want[s] = {"mean": rows.mean(0), "max": rows.max(0), "min": rows.min(0)}[op]
        got = helper(src, index, 7, dim=dim)
        if not np.allclose(got, np.moveaxis(want, 0, dim), atol=1e-5): bad.append((op, dim))
# torch_scatter floors an integer mean
ints = np.array([[3], [-4], [5], [2]], dtype=np.int32)
if segment_mean(ints, np.array([0, 0, 1, 1]), 2).tolist() != [[-1], [3]]: bad.append(("int mean", segment_mean(ints, np.array([0, 0, 1, 1]), 2).tolist()))
print("bad", bad)
`;
  const run = spawnSync(python, ['-c', program], { input: SEGMENT_HELPER_SOURCE, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'bad []');
});

// found by an audit
test('dim_size=None counts segments from the index; a broadcast index, or a name both torch_scatter and PyG may bind, gets no fix', () => {
  const none = fix(lines('from torch_scatter import scatter', 'a = scatter(x, idx, dim=0, dim_size=None, reduce="mean")'), 'MSP204').text;
  assert.match(none, /a = segment_mean\(x, idx, int\(idx\.max\(\)\) \+ 1\)/);
  for (const src of [
    lines('from torch_scatter import scatter', 'a = scatter(x, idx.unsqueeze(-1).expand_as(x), dim=0, dim_size=n, reduce="mean")'),
    lines('from torch_scatter import scatter', 'a = scatter(x, idx[:, None], dim=0, dim_size=n)'),
    lines('try:', '    from torch_scatter import scatter', 'except ImportError:', '    from torch_geometric.utils import scatter', 'a = scatter(x, i, dim_size=n, reduce="mean")'),
  ]) {
    assert.deepEqual(findings(src, 'MSP204').filter((f) => f.fixes.length), [], src);
  }
});

test('a local named like a helper function takes no call; the helper already there is not a clash', () => {
  const local = lines('from torch_scatter import scatter_max', 'def f(x, idx):', '    segment_max = scatter_max(x, idx, dim=0, dim_size=3)[0]', '    return segment_max');
  assert.deepEqual(findings(local, 'MSP204')[0].fixes, []);
  const twice = lines('from torch_scatter import scatter_mean', 'def f(x, idx):', '    return scatter_mean(x, idx, dim=0, dim_size=3)', 'def g(x, idx):', '    return scatter_mean(x, idx, dim=0, dim_size=4)');
  const once = fix(twice, 'MSP204').text;
  const again = findings(once, 'MSP204').filter((f) => f.fixes.length);
  assert.equal(again.length, 1);
  const out = applyFixes(once, [again[0].fixes[0]]).text;
  assert.equal(out.split(SEGMENT_HELPER_MARKER).length, 2);
  assert.match(out, /return segment_mean\(x, idx, 4\)/);
});

test("PyG's utils.scatter takes dim_size and reduce by position (torch_scatter's fourth parameter is out=)", () => {
  const src = lines('from torch_geometric.utils import scatter', 'a = scatter(x, i, 0, n, "mean")', 'b = scatter(x, i, 0, n)');
  assert.match(fix(src, 'MSP204', 0).text, /^a = segment_mean\(x, i, n\)$/m);
  assert.match(fix(src, 'MSP204', 1).text, /^b = ops\.unsorted_segment_sum\(x, i, n\)$/m);
  assert.deepEqual(findings(lines('from torch_scatter import scatter', 'a = scatter(x, i, 0, out)'), 'MSP204')[0].fixes, []);
});

test('index_add_ / scatter_add_ in place: the statement assigns the out-of-place result; a fresh tensor takes it directly', () => {
  const src = lines(
    'import torch',
    'def mp(nodes, edges, dst):',
    '    agg = torch.zeros(nodes.shape[0], edges.shape[1])',
    '    agg.index_add_(0, dst, edges)',
    '    counts = torch.zeros(nodes.shape[0]).scatter_add_(0, dst, torch.ones_like(dst, dtype=torch.float32))',
    '    return agg / counts.clamp(min=1).unsqueeze(-1)',
  );
  const f = findings(src, 'MSP204');
  const at = (line: number) => f.find((x) => x.range.start.line === line)!;
  assert.match(applyFixes(src, [at(3).fixes[0]]).text, /^    agg = agg\.index_add\(0, dst, edges\)$/m);
  assert.match(applyFixes(src, [at(4).fixes[0]]).text, /^    counts = torch\.zeros\(nodes\.shape\[0\]\)\.scatter_add\(0, dst, /m);
  assert.equal(at(3).fixes[0].applicability, 'unsafe');
  // scatter_add runs on Ascend only in MindSpore 2.6: no fix for a CPU target
  assert.deepEqual(findings(src, 'MSP204', settings({ device: 'CPU' })).find((x) => x.range.start.line === 4)?.fixes, []);
});

test('(an audit) no out-of-place fix for a global name (assigning it would make it local), a view, an item, or scatter_add before MindSpore 2.5', () => {
  const cases = [
    lines('import torch', 'agg = torch.zeros(10, 4)', 'def accumulate(dst, msg):', '    agg.index_add_(0, dst, msg)'),
    lines('import torch', 'def f(x, i, s):', '    y = x.view(-1).index_add_(0, i, s)'),
    lines('import torch', 'def f(model, x, dst, msg):', '    outs = model(x)', '    outs[0].index_add_(0, dst, msg)'),
  ];
  for (const src of cases) assert.ok(findings(src, 'MSP204').every((f) => f.fixes.length === 0), src);
  const scatter = lines('import torch', 'def f(n, i, w):', '    return torch.zeros(n).scatter_add_(0, i, w)');
  assert.equal(findings(scatter, 'MSP204', settings({ mindsporeVersion: '2.4' }))[0].fixes.length, 0);
  assert.equal(findings(scatter, 'MSP204')[0].fixes.length, 1);
  // a global declared as such is assigned as one
  const declared = lines('import torch', 'agg = torch.zeros(10, 4)', 'def accumulate(dst, msg):', '    global agg', '    agg.index_add_(0, dst, msg)');
  assert.match(fix(declared, 'MSP204').text, /^    agg = agg\.index_add\(0, dst, msg\)$/m);
});
