import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { fixAll } from '../../server/src/engine/fixAll';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { findings, fix, lines, settings, setup, all } from './helpers';
import type { MappingDatabase } from '../../server/src/mappings/database';

let db: MappingDatabase;
before(async () => {
  db = await setup();
});

const forward = (...body: string[]) => lines('import torch', 'from einops import rearrange, repeat, reduce', 'def f(x, h):', ...body.map((b) => `    ${b}`));

test('rearrange called in every style gives the same written-out code', () => {
  const want = 'x.reshape(x.shape[0], x.shape[1], h, -1).permute(0, 2, 1, 3)';
  const styles = [
    "return rearrange(x, 'b l (h d) -> b h l d', h=h)", // positional
    "return rearrange(tensor=x, pattern='b l (h d) -> b h l d', h=h)", // keywords
    "return rearrange(pattern=\"b l (h d) -> b h l d\", h=h, tensor=x)", // reordered, double quotes
    "return rearrange(x, r'b l (h d) -> b h l d', h=h)", // raw string
  ];
  for (const s of styles) {
    const src = forward(s);
    const r = fix(src, 'MSP106');
    assert.match(r.text, new RegExp(`return ${want.replace(/[.()[\]]/g, '\\$&')}\\n`), s);
    assert.equal(r.applicability, 'unsafe', 'x is a parameter: not known to be a Tensor');
  }
});

test('through aliases: import einops as E, from einops import rearrange as rr, the layers module', () => {
  assert.match(fix(lines('import einops as E', 'y = E.rearrange(x, "b c h w -> b h w c")'), 'MSP106').text, /^y = x\.permute\(0, 2, 3, 1\)$/m);
  assert.match(fix(lines('from einops import rearrange as rr', 'y = rr(x, "b c h w -> b h w c")'), 'MSP106').text, /^y = x\.permute\(0, 2, 3, 1\)$/m);
  const layer = findings(lines('from einops.layers.torch import Rearrange', 'to_seq = Rearrange("b c h w -> b (h w) c")'), 'MSP106');
  assert.equal(layer.length, 1);
  assert.match(layer[0].message, /construct\(x\) returns `x\.permute\(0, 2, 3, 1\)\.reshape\(x\.shape\[0\], -1, x\.shape\[1\]\)`/);
  assert.equal(layer[0].fixes[0].applicability, 'unsafe');
});

test('einops layers become Cells of the file, sizes passed to them; names are fresh', () => {
  const src = lines(
    'import torch.nn as nn',
    'from einops.layers.torch import Rearrange, Reduce',
    'class EinopsRearrange:',
    '    pass',
    'class ViT(nn.Module):',
    '    def __init__(self, dim, p):',
    '        super().__init__()',
    '        self.to_patch = nn.Sequential(Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=p, p2=p), nn.Linear(p * p * 3, dim))',
    '        self.pool = Reduce("b n d -> b d", "mean")',
  );
  const r = fix(src, 'MSP106');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /^class EinopsRearrange2\(ms\.nn\.Cell\):$/m, 'EinopsRearrange is taken');
  assert.match(r.text, /^ {4}def __init__\(self, p1, p2\):\n {8}super\(\)\.__init__\(\)\n {8}self\.p1 = p1\n {8}self\.p2 = p2$/m);
  assert.match(r.text, /^ {8}return x\.reshape\(x\.shape\[0\], x\.shape\[1\], -1, self\.p1, x\.shape\[3\] \/\/ self\.p2, self\.p2\)/m);
  assert.match(r.text, /nn\.Sequential\(EinopsRearrange2\(p1=p, p2=p\), nn\.Linear/);
  assert.ok(r.text.indexOf('class EinopsRearrange2') < r.text.indexOf('class ViT'), 'the Cell comes before the class using it');
  const reduce = fix(src, 'MSP106', 1).text;
  assert.match(reduce, /^class EinopsReduce\(ms\.nn\.Cell\):\n {4}"""Reduce\("b n d -> b d", "mean"\) written out/m);
  assert.match(reduce, /^ {8}return mint\.mean\(x, 1\)$/m);
  assert.match(reduce, /self\.pool = EinopsReduce\(\)/);
});

test('safe on a known tensor, and fix all applies it; the einops import is left for port to remove', () => {
  const src = lines('import torch', 'import einops', 'x = torch.zeros(2, 3, 4)', 'y = einops.rearrange(x, "a b c -> c (a b)")', 'def g(t):', '    return einops.rearrange(t, "a b -> b a")');
  const f = findings(src, 'MSP106');
  assert.deepEqual(f.map((x) => x.fixes[0].applicability), ['safe', 'unsafe']);
  const out = fixAll(src, DEFAULT_SETTINGS, db).text;
  assert.match(out, /^y = x\.permute\(2, 0, 1\)\.reshape\(x\.shape\[2\], -1\)$/m);
  assert.match(out, /return einops\.rearrange\(t, "a b -> b a"\)/, 'the unsafe fix is not applied by fix all');
});

test('repeat and reduce; reduce imports mint', () => {
  assert.match(fix(forward("return repeat(x, 'n f -> b n f', b=h)"), 'MSP106').text, /return x\.unsqueeze\(0\)\.broadcast_to\(\(h, -1, -1\)\)/);
  const r = fix(forward("return reduce(x, 'b c (h 2) (w 2) -> b c h w', 'max')"), 'MSP106').text;
  assert.match(r, /^from mindspore import mint$/m);
  assert.match(r, /return mint\.amax\(x\.reshape\(x\.shape\[0\], x\.shape\[1\], -1, 2, x\.shape\[3\] \/\/ 2, 2\), \(3, 5\)\)/);
  assert.match(fix(forward("return reduce(x, 'b n d -> b d', reduction='mean')"), 'MSP106').text, /return mint\.mean\(x, 1\)/);
});

test('an expression as the tensor: parenthesised, and refused where its size would be needed', () => {
  assert.match(fix(forward("return rearrange(x + 1, 'b c -> c b')"), 'MSP106').text, /return \(x \+ 1\)\.permute\(1, 0\)/);
  const f = findings(forward("return rearrange(self.proj(x), 'b (h d) -> b h d', h=h)"), 'MSP106');
  assert.equal(f[0].fixes.length, 0);
  assert.match(f[0].message, /more than once \(give it a name first\)/);
  // attributes are names: self.x.shape is fine
  assert.match(fix(forward("return rearrange(self.w, 'b (h d) -> b h d', h=h)"), 'MSP106').text, /self\.w\.reshape\(self\.w\.shape\[0\], h, -1\)/);
});

test('no fix, with the reason, where the call cannot be written out', () => {
  const why = (call: string) => {
    const f = findings(forward(call), 'MSP106');
    assert.equal(f.length, 1, call);
    assert.equal(f[0].fixes.length, 0, call);
    return f[0].message;
  };
  assert.match(why('return rearrange(x, pattern, h=h)'), /not a plain string literal/);
  assert.match(why("return rearrange(x, f'b {h} -> b')"), /not a plain string literal/);
  assert.match(why("return rearrange(x, 'b (h w) -> b h w', **sizes)"), /passed with \*\*/);
  assert.match(why("return rearrange([x, x], 'n b -> b n')"), /stacks a list/);
  assert.match(why("return rearrange(x, 'b ... -> b (...)')"), /ellipsis/);
  assert.match(why("return reduce(x, 'b n -> b', torch.logsumexp)"), /reduction is not one of/);
  assert.match(why("return rearrange(x, 'b (h w) -> b h w')"), /sizes of all but one/);
});

test('other einops functions are reported with advice, not as missing from the database', () => {
  const src = lines('import einops', 'p, ps = einops.pack([a, b], "b * d")', 'shape = einops.parse_shape(x, "b c")');
  const f = findings(src, 'MSP106');
  assert.equal(f.length, 2);
  assert.match(f[0].message, /mint\.cat/);
  assert.match(f[1].message, /dict\(zip\(names, x\.shape\)\)/);
  assert.equal(all(src).filter((x) => x.code.startsWith('MSP10') && x.code !== 'MSP106').length, 0);
});

test('einops.einsum: the einsum of the target with one letter per axis, operands first', () => {
  const src = lines('import torch', 'from einops import einsum', 'q = torch.randn((2, 3, 4))', 'def f(k):', '    return einsum(q, k, "batch i d, batch j d -> batch i j")');
  const r = fix(src, 'MSP106');
  assert.match(r.text, /^from mindspore import mint$/m);
  assert.match(r.text, /return mint\.einsum\('bid,bjd->bij', q, k\)/);
  assert.equal(r.applicability, 'unsafe', 'k is not known to be a Tensor');
  // on GPU the classic einsum (mint.einsum runs on Ascend only)
  assert.match(fix(src, 'MSP106', 0, settings({ device: 'GPU' })).text, /return ops\.einsum\('bid,bjd->bij', q, k\)/);
  // both operands known: safe
  assert.equal(fix(lines('import torch, einops', 'a = torch.randn((2, 3))', 'b = torch.randn((3, 4))', 'c = einops.einsum(a, b, "i j, j k -> i k")'), 'MSP106').applicability, 'safe');
  const why = findings(lines('from einops import einsum', 'c = einsum(a, b, pattern)'), 'MSP106')[0];
  assert.equal(why.fixes.length, 0);
  assert.match(why.message, /not a plain string literal/);
});

test('a user function named rearrange is not einops', () => {
  assert.equal(findings(lines('def rearrange(x, p):', '    return x', 'y = rearrange(x, "a b -> b a")'), 'MSP106').length, 0);
});

test('the statistics count a written-out einops call as a use with differences, ready to port; pack as none', async () => {
  const { analyzeText } = await import('../../server/src/engine/analyze');
  const { realDb } = await import('../engine/helpers');
  const src = lines('import torch', 'import einops', 'x = torch.zeros(2, 3)', "y = einops.rearrange(x, 'a b -> b a')", 'p, ps = einops.pack([x, x], "b *")');
  const s = analyzeText(src, DEFAULT_SETTINGS, realDb()).stats;
  // torch.zeros (same), rearrange (written out: with differences), pack (none)
  assert.deepEqual([s.apiUses, s.same, s.args, s.none, s.ready], [3, 1, 1, 1, 2]);
  const { explainMarkdown } = await import('../../server/src/engine/explain');
  assert.match(explainMarkdown(realDb(), realDb().get('einops.rearrange')!), /Written out by MSP106/);
  assert.doesNotMatch(explainMarkdown(realDb(), realDb().get('einops.pack')!), /Written out/);
});
