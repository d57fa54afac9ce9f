// `fix --diff`'s unified diff: cut into pieces where both texts have long equal runs, diffed piece by piece. The
// patch must turn the old text into the new one (checked with jsdiff's own applyPatch), and for changes made in
// place, as fixes make them, it is the diff of the whole texts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyPatch, structuredPatch } from 'diff';
import { unifiedDiff } from '../../server/src/cli/unifiedDiff';
import { prng } from '../engine/helpers';

/** The same diff made in one go (jsdiff on the whole texts), formatted as unifiedDiff formats it. */
function whole(a: string, b: string): string {
  const out = ['--- a/x.py', '+++ b/x.py'];
  for (const h of structuredPatch('x.py', 'x.py', a, b, undefined, undefined, { context: 3 }).hunks) {
    out.push(`@@ -${h.oldLines ? h.oldStart : h.oldStart - 1},${h.oldLines} +${h.newLines ? h.newStart : h.newStart - 1},${h.newLines} @@`, ...h.lines);
  }
  return out.join('\n');
}

test('a file of repeated statements with fixes here and there: the diff of the whole texts, hunk for hunk', () => {
  const rand = prng(5);
  const before: string[] = ['import torch', ''];
  for (let i = 0; i < 3000; i++) before.push(i % 50 === 0 ? `def f${i}(x):` : `    y${i % 7} = torch.abs(x) + ${i % 11}`);
  const after = before.map((l) => (rand() < 0.05 ? l.replace('torch.abs', 'mint.abs') : l));
  after.splice(1, 0, 'from mindspore import mint');
  const a = before.join('\n') + '\n';
  const b = after.join('\n') + '\n';
  const d = unifiedDiff('x.py', a, b);
  assert.equal(d, whole(a, b));
  assert.ok((d.match(/^@@/gm)?.length ?? 0) > 20);
  assert.equal(applyPatch(a, d), b);
});

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`random edits of texts with many equal lines: the patch turns one into the other (seed ${seed})`, () => {
    const rand = prng(seed);
    const vocab = ['', 'x = 1', 'y = torch.abs(x)', '    return x', 'pass'];
    for (let round = 0; round < 30; round++) {
      const n = Math.floor(rand() * 400);
      const a: string[] = [];
      for (let i = 0; i < n; i++) a.push(rand() < 0.6 ? vocab[Math.floor(rand() * vocab.length)] : `line ${i}`);
      const b = [...a];
      for (let k = Math.floor(rand() * 12); k > 0; k--) {
        const at = Math.floor(rand() * (b.length + 1));
        const r = rand();
        if (r < 0.4 && at < b.length) b[at] = `changed ${k}`;
        else if (r < 0.7) b.splice(at, 0, ...(rand() < 0.5 ? [`new ${k}`] : [vocab[k % vocab.length], `new ${k}`]));
        else b.splice(at, 1 + Math.floor(rand() * 3));
      }
      const endA = rand() < 0.3 ? '' : '\n';
      const endB = rand() < 0.3 ? '' : '\n';
      const ta = a.join('\n') + (a.length ? endA : '');
      const tb = b.join('\n') + (b.length ? endB : '');
      const d = unifiedDiff('x.py', ta, tb);
      assert.equal(applyPatch(ta, d), tb, `round ${round}:\n${d}`);
      if (ta === tb) assert.equal(d, '--- a/x.py\n+++ b/x.py');
    }
  });
}

test('a file made from nothing, or emptied: the empty side starts at line 0, as diff writes it', () => {
  assert.equal(unifiedDiff('x.py', '', 'a\nb\n'), '--- a/x.py\n+++ b/x.py\n@@ -0,0 +1,2 @@\n+a\n+b');
  assert.equal(unifiedDiff('x.py', 'a\nb\n', ''), '--- a/x.py\n+++ b/x.py\n@@ -1,2 +0,0 @@\n-a\n-b');
});
