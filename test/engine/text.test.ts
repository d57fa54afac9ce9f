// Line index: positions and offsets, and an index derived after an edit equals one built afresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from '../../server/src/engine/text';
import { prng } from './helpers';

/** Every offset's position and every position's offset, to compare two indexes. */
function table(idx: LineIndex): string {
  const rows: string[] = [];
  for (let o = 0; o <= idx.text.length; o++) rows.push(JSON.stringify(idx.positionAt(o)));
  for (let l = 0; l < idx.lineCount; l++) rows.push(`${l}: ${idx.lineStart(l)}-${idx.lineEnd(l)}`);
  return `${idx.lineCount} lines\n${rows.join('\n')}`;
}

test('positions count LF, CR LF and lone CR as line breaks', () => {
  const idx = new LineIndex('a\nbc\r\nd\re');
  assert.equal(idx.lineCount, 4);
  assert.deepEqual(idx.positionAt(4), { line: 1, character: 2 });
  assert.deepEqual(idx.positionAt(6), { line: 2, character: 0 });
  assert.equal(idx.offsetAt({ line: 3, character: 0 }), 8);
  assert.equal(idx.lineText(1), 'bc');
});

for (const seed of [1, 2, 3]) {
  test(`an index derived after each of 500 random edits equals a fresh one (seed ${seed})`, () => {
    const rand = prng(seed);
    const pieces = ['\n', 'x', '\n\n', 'ab\ncd', '', '\r\n', 'é😀'];
    let idx = new LineIndex('import torch\n\ndef f(x):\n    return x\n');
    for (let i = 0; i < 500; i++) {
      const text = idx.text;
      const start = Math.floor(rand() * (text.length + 1));
      const end = Math.min(text.length, start + (rand() < 0.4 ? Math.floor(rand() * 6) : 0));
      const insert = pieces[Math.floor(rand() * pieces.length)];
      const next = text.slice(0, start) + insert + text.slice(end);
      idx = idx.edited(next, { start, end: start + insert.length, delta: next.length - text.length });
      assert.equal(table(idx), table(new LineIndex(next)), `edit ${i}: ${JSON.stringify(insert)} at ${start}-${end}`);
      if (idx.text.length > 400 || (i % 50 === 49 && idx.text.includes('\r'))) idx = new LineIndex(idx.text.replace(/\r/g, '').slice(0, 200));
    }
  });
}
