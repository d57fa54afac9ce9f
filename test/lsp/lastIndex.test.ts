// Where an object of a re-published list was in the last publish (lsp/lastIndex.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LastIndex } from '../../server/src/lsp/lastIndex';
import { prng } from '../engine/helpers';

const objects = (n: number) => Array.from({ length: n }, (_, i) => ({ i }));
const positions = <T>(last: readonly T[], now: readonly T[]) => {
  const at = new LastIndex(last, now);
  return now.map((x, i) => at.of(i, x));
};

test('a keystroke’s re-publish (a run of new objects between kept ones) finds every kept object at its old place', () => {
  const last = objects(2000);
  const now = [...last.slice(0, 900), ...objects(40), ...last.slice(925)];
  const found = positions(last, now);
  assert.deepEqual(found.slice(0, 900), [...Array(900).keys()]);
  assert.deepEqual(found.slice(900, 940), Array(40).fill(-1));
  assert.deepEqual(found.slice(940), [...Array(1075).keys()].map((k) => k + 925));
});

test('objects removed, added, moved out of order or the list reversed: each is found where it was', () => {
  const last = objects(300);
  assert.deepEqual(positions(last, [...last].reverse()), [...Array(300).keys()].reverse());
  assert.deepEqual(positions(last, []), []);
  assert.deepEqual(positions([], last), Array(300).fill(-1));
  const rand = prng(5);
  for (let round = 0; round < 200; round++) {
    const now: { i: number }[] = [];
    for (const x of last) {
      const r = rand();
      if (r < 0.05) continue;
      if (r < 0.1) now.push({ i: -1 });
      else if (r < 0.12) now.splice(Math.floor(rand() * now.length), 0, x);
      else now.push(x);
    }
    positions(last, now).forEach((k, i) => assert.equal(k, last.indexOf(now[i]), `round ${round}, object ${i}`));
  }
});
