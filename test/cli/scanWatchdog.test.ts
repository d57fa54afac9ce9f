// A scan worker that answers nothing for `stuckMs` while it has files is stopped (cli/scan.ts): the file it was
// on is reported skipped, with the reason, and not analysed again; its other files and the rest of the queue go
// to a new worker, and the report still has every file in input order. Stand-in workers play the analysis: one
// never answers for a file named hang*, one answers slowly; the real worker's results are tested in cli.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanFiles } from '../../server/src/cli/scan';
import type { FileResult } from '../../server/src/engine/project';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';

const dir = mkdtempSync(join(tmpdir(), 'mindport-watchdog-'));
const STAND_IN = join(dir, 'stand-in-worker.mjs');
writeFileSync(
  STAND_IN,
  `import { parentPort } from 'node:worker_threads';
const stats = { apiUses: 0, same: 0, args: 0, behavior: 0, none: 0, notNeeded: 0, ready: 0, lowConfidence: 0 };
parentPort.on('message', (t) => {
  if (t.path.includes('hang')) for (;;);
  const reply = () => parentPort.postMessage({ index: t.index, result: { path: t.path, findings: [], stats, syntaxErrors: 0, lineCount: 1, internalErrors: [] } });
  // slow: 400 ms of work, one file after the other (as an analysis blocks the worker)
  if (t.path.includes('slow')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
  reply();
});
`,
);

async function scan(names: string[], stuckMs: number, jobs: number) {
  const files = names.map((n) => join(dir, n));
  const reported: [number, FileResult][] = [];
  const out = await scanFiles(files, () => DEFAULT_SETTINGS, { jobs, stuckMs, workerScript: STAND_IN, onFile: (i, r) => reported.push([i, r]) });
  return { files, out, reported };
}

test('a file whose analysis never ends is skipped with the reason; every other file is analysed, in order', { timeout: 30_000 }, async () => {
  const names = Array.from({ length: 10 }, (_, i) => (i === 3 ? 'hang.py' : `m${i}.py`));
  const { files, out, reported } = await scan(names, 1500, 2);
  assert.deepEqual(
    out.results.map((r) => r.path),
    files,
  );
  const skipped = out.results.filter((r) => r.skipped);
  assert.deepEqual(
    skipped.map((r) => r.path),
    [files[3]],
  );
  assert.match(skipped[0].skipped!, /no answer for 1\.5 s and was stopped/);
  assert.ok(out.results.every((r, i) => i === 3 || r.lineCount === 1), 'the other files analysed by a worker');
  assert.deepEqual(
    reported.map(([i]) => i),
    files.map((_, i) => i),
  );
});

test('a worker stopped with files queued: a new worker takes them, also with one job', { timeout: 30_000 }, async () => {
  const names = ['a.py', 'hang.py', 'b.py', 'c.py', 'hang2.py', 'd.py'];
  const { files, out } = await scan(names, 1500, 1);
  assert.deepEqual(
    out.results.map((r) => [r.path, r.skipped ? 'skipped' : r.lineCount]),
    files.map((f) => [f, f.includes('hang') ? 'skipped' : 1]),
  );
});

test('a slow worker is not stopped while it keeps answering: each answer re-arms the watchdog', { timeout: 30_000 }, async () => {
  // 8 files of 400 ms on one worker (3.2 s in all) under a 2 s limit
  const names = Array.from({ length: 8 }, (_, i) => `slow${i}.py`);
  const { out } = await scan(names, 2000, 1);
  assert.deepEqual(
    out.results.map((r) => r.skipped ?? r.lineCount),
    names.map(() => 1),
  );
});
