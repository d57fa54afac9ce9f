// The language server's idle collector: after a burst of work has grown the heap, one collection runs once
// the server has been idle for a moment; small growth or continued work does not trigger one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdleCollector } from '../../server/src/lsp/idleCollector';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('collects once after the heap grew and work stopped', async () => {
  const c = new IdleCollector(300, 8 * 1024 * 1024);
  const garbage: unknown[] = [];
  for (let i = 0; i < 400_000; i++) garbage.push({ i, s: `item ${i}` }); // ~30 MB kept alive while "working"
  c.worked();
  await sleep(20);
  c.worked(); // more work: the idle period starts again
  await sleep(20);
  assert.equal(c.collections, 0, 'no collection while work keeps arriving');
  garbage.length = 0;
  await sleep(800);
  assert.equal(c.collections, 1);
  c.dispose();
});

test('does not collect when the heap has barely grown', async () => {
  const c = new IdleCollector(30, 512 * 1024 * 1024);
  c.worked();
  await sleep(100);
  assert.equal(c.collections, 0);
  c.dispose();
});
