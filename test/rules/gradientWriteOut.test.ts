// torch.gradient written out (MSP103's fix, rules/gradientWriteOut.ts): the calls it rewrites, and the helper it
// inserts checked against NumPy's gradient (torch's definition for edge_order=1: central differences inside,
// one-sided at the edges), run in CPython with MindSpore's two ops (narrow, cat) played by NumPy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, test } from 'node:test';
import { applyFixes } from '../../server/src/engine/edits';
import { GRADIENT_HELPER_MARKER, GRADIENT_HELPER_SOURCE } from '../../server/src/engine/rules/gradientWriteOut';
import { findings, fix, lines, setup, findPython } from './helpers';

before(setup);

const PYTHON = findPython('numpy');

test('torch.gradient(x, dim=d) calls the helper, inserted once after the imports; the result is still a tuple', () => {
  const src = lines('import torch', 'def adv(data, v, dx):', '    u = torch.gradient(data, dim=3)[0]', '    w, = torch.gradient(v, spacing=dx, dim=(2,))', '    return u + w');
  const all = findings(src, 'MSP103');
  assert.equal(all.length, 2);
  assert.ok(all.every((f) => f.fixes[0]?.applicability === 'safe'));
  const once = fix(src, 'MSP103', 0).text;
  assert.ok(once.startsWith(`import torch\n\n${GRADIENT_HELPER_MARKER}`), once);
  assert.match(once, /    u = torch_gradient\(data, dim=3\)\[0\]/);
  // both fixes together insert the helper once
  const both = applyFixes(src, all.map((f) => f.fixes[0])).text;
  assert.equal(both.split(GRADIENT_HELPER_MARKER).length, 2);
  assert.match(both, /    w, = torch_gradient\(v, spacing=dx, dim=\(2,\)\)/);
});

test('what the helper does not do gets no fix: per-point spacing, edge_order=2, a computed dim', () => {
  for (const call of ['torch.gradient(x, spacing=[xs], dim=1)', 'torch.gradient(x, dim=1, edge_order=2)', 'torch.gradient(x, dim=axis + 1)']) {
    const f = findings(lines('import torch', `g = ${call}`), 'MSP103');
    assert.equal(f.length, 1, call);
    assert.deepEqual(f[0].fixes, [], call);
  }
});

test("the helper computes NumPy's (torch's) gradient: every dim, negative dims, all dims, a spacing", (t) => {
  if (!PYTHON) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const program = `
import sys, types
import numpy as np
ops = types.ModuleType("mindspore.ops")
ops.narrow = lambda x, d, start, length: np.take(x, range(start, start + length), axis=d)
ops.cat = lambda xs, d: np.concatenate(xs, axis=d)
ms = types.ModuleType("mindspore"); ms.ops = ops
sys.modules["mindspore"] = ms; sys.modules["mindspore.ops"] = ops
exec(sys.stdin.read())
rng = np.random.default_rng(7)
x = rng.standard_normal((2, 3, 5, 7))
bad = []
for dim in [0, 1, 2, 3, -1, -2, (1, 3), None]:
    for h in [1, 0.25]:
        got = torch_gradient(x, spacing=h, dim=dim)
        want = np.gradient(x, h, axis=dim)
        want = [want] if isinstance(want, np.ndarray) else list(want)
        if len(got) != len(want) or not all(np.allclose(a, b) for a, b in zip(got, want)):
            bad.append((dim, h))
print("bad", bad)
`;
  const run = spawnSync(PYTHON, ['-c', program], { input: GRADIENT_HELPER_SOURCE, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'bad []');
});
