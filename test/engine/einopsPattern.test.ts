// engine/einopsPattern.ts: each pattern's generated code is run on a NumPy stand-in for MindSpore's Tensor and
// compared, element by element, with the pattern evaluated by its definition (fixtures/einops_oracle.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { einopsToMethods, einsumEquation, type EinopsOp } from '../../server/src/engine/einopsPattern';

interface Case {
  op: EinopsOp;
  pattern: string;
  shape: number[];
  /** Sizes passed as keyword arguments: each becomes a Python variable of that name, passed by name. */
  sizes?: Record<string, number>;
  reduction?: string;
}

const CASES: Case[] = [
  // from weather and climate model code
  { op: 'rearrange', pattern: 'b l (h d) -> b h l d', shape: [2, 3, 8], sizes: { h: 2 } },
  { op: 'rearrange', pattern: 'B H L1 D -> B L1 (H D)', shape: [2, 3, 4, 5] },
  { op: 'rearrange', pattern: 'b t c n m -> b (t c) n m', shape: [2, 3, 2, 2, 3] },
  { op: 'rearrange', pattern: '(b c) l d -> b c l d', shape: [6, 2, 3], sizes: { b: 2, c: 3 } },
  { op: 'rearrange', pattern: 'n -> 1 n 1 1', shape: [5] },
  { op: 'rearrange', pattern: 'B H W C P1 P2 V -> B V C H P1 W P2', shape: [2, 2, 3, 1, 2, 2, 3] },
  { op: 'rearrange', pattern: 'b t v c h w -> (b c) v t h w', shape: [2, 2, 3, 2, 2, 1] },
  { op: 'rearrange', pattern: 'b lat lon c -> b c lat lon', shape: [2, 3, 4, 5] },
  { op: 'rearrange', pattern: 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)', shape: [2, 3, 4, 6], sizes: { p1: 2, p2: 3 } },
  { op: 'rearrange', pattern: 'b (h w) c -> b c h w', shape: [2, 12, 3], sizes: { h: 3 } },
  { op: 'rearrange', pattern: 'b (h w) c -> b c h w', shape: [2, 12, 3], sizes: { h: 3, w: 4 } },
  { op: 'rearrange', pattern: 'b c h w -> (b h w) c', shape: [2, 3, 2, 2] },
  { op: 'rearrange', pattern: 'n 1 d -> n d', shape: [4, 1, 3] },
  { op: 'rearrange', pattern: 'a () b -> b a', shape: [2, 1, 3] },
  { op: 'rearrange', pattern: 'a b -> a b', shape: [2, 3] },
  { op: 'rearrange', pattern: '(a b c) -> c b a', shape: [24], sizes: { a: 2, b: 3 } },
  // repeat: new axes, tiles and interleaves
  { op: 'repeat', pattern: 'n f -> b n f', shape: [3, 2], sizes: { b: 4 } },
  { op: 'repeat', pattern: 'h w -> h (w r)', shape: [2, 3], sizes: { r: 2 } },
  { op: 'repeat', pattern: 'h w -> h (r w)', shape: [2, 3], sizes: { r: 2 } },
  { op: 'repeat', pattern: 'h w -> (h 2) w 3', shape: [2, 3] },
  { op: 'repeat', pattern: 'b n -> (b k) n', shape: [2, 3], sizes: { k: 3 } },
  { op: 'repeat', pattern: 'c -> b c h w', shape: [3], sizes: { b: 2, h: 2, w: 2 } },
  { op: 'repeat', pattern: 'b n d -> b d n', shape: [2, 3, 4] },
  // reduce
  { op: 'reduce', pattern: 'b c (h 2) (w 2) -> b c h w', shape: [2, 3, 4, 6], reduction: 'max' },
  { op: 'reduce', pattern: 'b c h w -> b c', shape: [2, 3, 4, 5], reduction: 'mean' },
  { op: 'reduce', pattern: 'b n d -> b d', shape: [2, 3, 4], reduction: 'sum' },
  { op: 'reduce', pattern: 't b c -> b c t', shape: [3, 2, 2], reduction: 'min' },
  { op: 'reduce', pattern: 'b (n k) -> b n', shape: [2, 6], sizes: { k: 3 }, reduction: 'prod' },
  { op: 'reduce', pattern: 'b c h w -> b (h w)', shape: [2, 3, 2, 2], reduction: 'mean' },
];

/** A Python with NumPy: the one on PATH, else the system's (CI installs python3-numpy for it). */
const PYTHON = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0);

function generate(c: Case): string {
  const plan = einopsToMethods({
    op: c.op,
    pattern: c.pattern,
    sizes: new Map(Object.keys(c.sizes ?? {}).map((k) => [k, k])),
    tensor: 'x',
    repeatable: true,
    reduction: c.reduction,
    reduceFunction: (name) => `mint.${name}`,
  });
  assert.ok(plan.ok, `${c.op} ${c.pattern}: ${plan.ok ? '' : plan.why}`);
  return plan.code;
}

test('each written-out pattern gives what einops defines, element by element (NumPy stand-in)', (t) => {
  if (!PYTHON) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const input = CASES.map((c) => ({ ...c, code: generate(c), env: c.sizes ?? {} }));
  const run = spawnSync(PYTHON, [join(__dirname, 'fixtures', 'einops_oracle.py')], { input: JSON.stringify(input), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(results.length, CASES.length);
  const wrong = results.flatMap((r, i) => (r.ok ? [] : [`${CASES[i].op} '${CASES[i].pattern}' → ${input[i].code}: ${JSON.stringify(r)}`]));
  assert.deepEqual(wrong, []);
});

test('the oracle notices a wrong translation', (t) => {
  if (!PYTHON) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  // the interleave written as a tile, and a transpose that is not one: both must be caught
  const input = [
    { op: 'repeat', pattern: 'h w -> h (w r)', shape: [2, 3], env: { r: 2 }, code: 'x.unsqueeze(1).broadcast_to((-1, r, -1)).reshape(x.shape[0], -1)' },
    { op: 'rearrange', pattern: 'b (h w) -> b h w', shape: [2, 6], env: { h: 2 }, code: 'x.reshape(x.shape[0], -1, h).permute(0, 2, 1)' },
  ];
  const run = spawnSync(PYTHON, [join(__dirname, 'fixtures', 'einops_oracle.py')], { input: JSON.stringify(input), encoding: 'utf8' });
  assert.deepEqual(run.stdout.trim().split('\n').map((l) => JSON.parse(l).ok), [false, false]);
});

test('the simplest code: one reshape or one permute, -1 where a size is worked out', () => {
  const code = (op: EinopsOp, pattern: string, sizes: Record<string, string> = {}) => {
    const p = einopsToMethods({ op, pattern, sizes: new Map(Object.entries(sizes)), tensor: 'x', repeatable: true });
    return p.ok ? p.code : `(${p.why})`;
  };
  assert.equal(code('rearrange', 'b lat lon c -> b c lat lon'), 'x.permute(0, 3, 1, 2)');
  assert.equal(code('rearrange', 'b l (h d) -> b h l d', { h: 'self.heads' }), 'x.reshape(x.shape[0], x.shape[1], self.heads, -1).permute(0, 2, 1, 3)');
  assert.equal(code('rearrange', 'n -> 1 n 1 1'), 'x.reshape(1, -1, 1, 1)');
  assert.equal(code('repeat', 'e f -> b e f', { b: 'n + 1' }), 'x.unsqueeze(0).broadcast_to((n + 1, -1, -1))');
  assert.equal(code('rearrange', 'a b -> a b'), 'x');
});

test('what cannot be written out exactly says why', () => {
  const why = (op: EinopsOp, pattern: string, sizes: Record<string, string> = {}, repeatable = true) => {
    const p = einopsToMethods({ op, pattern, sizes: new Map(Object.entries(sizes)), tensor: repeatable ? 'x' : '(a + b)', repeatable });
    return p.ok ? `written: ${p.code}` : p.why;
  };
  assert.match(why('rearrange', 'b ... -> b (...)'), /ellipsis/);
  assert.match(why('rearrange', 'b (h w) -> b h w'), /sizes of all but one/);
  assert.match(why('rearrange', 'b h -> b h w'), /`w` is only on the right/);
  assert.match(why('rearrange', 'b h w -> b h'), /`w` is only on the left/);
  assert.match(why('repeat', 'b h -> b h w'), /new axis `w` has no size/);
  assert.match(why('rearrange', 'a a -> a'), /twice/);
  assert.match(why('rearrange', 'a (b -> a b'), /unclosed/);
  assert.match(why('rearrange', 'a b c'), /one `->`/);
  assert.match(why('reduce', 'a b -> a'), /reduction given is not one of/);
  assert.match(why('rearrange', 'b c h -> b (c h)', {}, false), /more than once/);
  // without a size from the tensor, a non-repeatable expression is fine
  assert.equal(why('rearrange', 'b c h -> b h c', {}, false), 'written: (a + b).permute(0, 2, 1)');
});

test('einsum patterns: one letter per axis name (its own if it is one, else its first while free), ... kept', () => {
  const eq = (p: string) => {
    const r = einsumEquation(p);
    return r.ok ? r.equation : `(${r.why})`;
  };
  assert.equal(eq('b i d, b j d -> b i j'), 'bid,bjd->bij');
  assert.equal(eq('batch head i d, batch head j d -> batch head i j'), 'bhid,bhjd->bhij');
  assert.equal(eq('... c, c o -> ... o'), '...c,co->...o');
  assert.equal(eq('time t, tt -> t'), 'at,b->t', 'single-letter names keep their letter; the others take free ones');
  assert.match(eq('a (b c) -> a'), /brackets/);
  assert.match(eq('a b'), /one `->`/);
});
