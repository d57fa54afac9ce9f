// Applying edits and fixes: text order, inserts at one offset, clashes, edits shared by two fixes, and random
// sets of edits checked against the simplest correct way (one edit at a time, from the end of the text).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, applyFixes } from '../../server/src/engine/edits';
import type { Fix, TextEdit } from '../../server/src/engine/findings';
import { prng } from './helpers';

const edit = (start: number, end: number, newText: string): TextEdit => ({ start, end, newText });
const fix = (title: string, ...edits: TextEdit[]): Fix => ({ title, applicability: 'safe', edits });

test('edits given in any order are made in text order', () => {
  const r = applyEdits('x = torch.abs(y)', [edit(14, 15, 'z'), edit(4, 9, 'ops'), edit(0, 1, 'w')]);
  assert.equal(r.text, 'w = ops.abs(z)');
  assert.equal(r.applied.length, 3);
});

test('inserts at one offset keep their order; one at an edit start comes before it, one at its end after it', () => {
  assert.equal(applyEdits('ab', [edit(1, 1, '1'), edit(1, 1, '2'), edit(1, 1, '3')]).text, 'a123b');
  assert.equal(applyEdits('abc', [edit(1, 2, 'B'), edit(1, 1, '<'), edit(2, 2, '>')]).text, 'a<B>c');
});

test('an edit overlapping an earlier one is skipped; an insert inside one too; the same edit twice is made once', () => {
  const r = applyEdits('abcdef', [edit(1, 4, 'X'), edit(3, 5, 'Y'), edit(2, 2, 'in'), edit(1, 4, 'X'), edit(5, 6, 'F')]);
  assert.equal(r.text, 'aXeF');
  assert.deepEqual(r.skipped, [edit(3, 5, 'Y'), edit(2, 2, 'in')]);
  assert.equal(r.applied.length, 2);
});

test('a fix that clashes with one taken before is left out whole; an import line two fixes add is added once', () => {
  const src = 'import torch\nx = torch.abs(y)\nz = torch.cat(a)\n';
  const imp = () => edit(12, 12, '\nimport mindspore as ms');
  const abs = fix('abs', edit(17, 26, 'ms.ops.abs'), imp());
  const cat = fix('cat', edit(34, 43, 'ms.ops.cat'), imp());
  const clashing = fix('other abs', edit(17, 30, 'f(y)'), edit(0, 0, '# moved\n'));
  const r = applyFixes(src, [abs, clashing, cat]);
  assert.equal(r.text, 'import torch\nimport mindspore as ms\nx = ms.ops.abs(y)\nz = ms.ops.cat(a)\n');
  assert.deepEqual(r.applied, [abs, cat]);
  assert.deepEqual(r.skipped, [clashing]);
});

/** The plain way: keep each edit that overlaps none kept before, then make them one by one from the end. */
function reference(text: string, edits: TextEdit[]): string {
  const kept: { e: TextEdit; i: number }[] = [];
  for (const e of edits) {
    if (kept.some((k) => k.e.start === e.start && k.e.end === e.end && k.e.newText === e.newText)) continue;
    if (kept.some((k) => e.start < k.e.end && k.e.start < e.end)) continue;
    kept.push({ e, i: kept.length });
  }
  kept.sort((a, b) => b.e.start - a.e.start || b.e.end - a.e.end || b.i - a.i);
  let out = text;
  for (const { e } of kept) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

for (const seed of [1, 2, 3, 4]) {
  test(`random edits, many of them clashing, give the text the plain way gives (seed ${seed})`, () => {
    const rand = prng(seed);
    const text = 'def f(x):\n    return torch.abs(x) + torch.cat([x, x])\n'.repeat(40);
    for (let round = 0; round < 40; round++) {
      const edits: TextEdit[] = [];
      const n = 1 + Math.floor(rand() * 300);
      for (let k = 0; k < n; k++) {
        const start = Math.floor(rand() * text.length);
        const width = rand() < 0.3 ? 0 : Math.floor(rand() * 12);
        const end = Math.min(text.length, start + width);
        edits.push(rand() < 0.1 && edits.length ? { ...edits[Math.floor(rand() * edits.length)] } : edit(start, end, ['', 'ms', '\n', 'ops.x(', String(k)][k % 5]));
      }
      assert.equal(applyEdits(text, edits).text, reference(text, edits), `round ${round}`);
    }
  });
}
