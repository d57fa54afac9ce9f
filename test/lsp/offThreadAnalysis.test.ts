// Documents only opened are analysed in a worker thread (lsp/offThreadAnalysis.ts, running dist/scan-worker.js):
// the same findings and API uses as an analysis in this thread; the worker ends when idle and starts again when
// needed; a worker that cannot run fails its requests (the server then analyses in its own thread), and after a
// few such failures no more are started.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyzeText, useSpanOf } from '../../server/src/engine/analyze';
import { initParser } from '../../server/src/engine/parser';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { bundledWorkerScript } from '../../server/src/cli/scan';
import { AnalysisStuck, OffThreadAnalysis } from '../../server/src/lsp/offThreadAnalysis';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { realDb, ROOT } from '../engine/helpers';

let db: MappingDatabase;
before(async () => {
  await initParser();
  db = realDb();
});

const SCRIPT = bundledWorkerScript(join(ROOT, 'dist'));
const MODEL = readFileSync(join(ROOT, 'test/fixtures/incremental/model.py'), 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the bundled worker is found beside the bundle, and not beside the sources', () => {
  assert.ok(SCRIPT, 'dist/scan-worker.js (run scripts/build.mjs)');
  assert.equal(bundledWorkerScript(join(ROOT, 'server', 'src', 'lsp')), undefined);
});

test('an analysis in the worker has the findings and API uses of one in this thread', async () => {
  const off = new OffThreadAnalysis(SCRIPT!);
  try {
    const broken = MODEL.replace('def forward', 'def forward(((');
    for (const text of [MODEL, broken, '']) {
      const settings = { ...DEFAULT_SETTINGS, device: 'Ascend310P' as const };
      const got = await off.analyze(text, settings);
      const here = analyzeText(text, settings, db);
      assert.deepEqual(got.findings, JSON.parse(JSON.stringify(here.findings)));
      assert.deepEqual(got.useSpans, (here.resolution?.uses ?? []).map(useSpanOf));
      assert.deepEqual(got.internalErrors, []);
    }
    assert.ok((await off.analyze(MODEL, DEFAULT_SETTINGS)).findings.some((f) => f.code === 'MSP101'));
  } finally {
    off.dispose();
  }
});

test('the worker ends once idle and another starts for the next request; requests made together all come back', async () => {
  const off = new OffThreadAnalysis(SCRIPT!, 100);
  try {
    const texts = Array.from({ length: 5 }, (_, i) => `import torch\nx${i} = torch.abs(y)\n`);
    const all = await Promise.all(texts.map((t) => off.analyze(t, DEFAULT_SETTINGS)));
    assert.deepEqual(all.map((r) => r.useSpans.map((u) => u.qname)), texts.map(() => ['torch.abs']));
    assert.equal(off.running, true);
    for (let waited = 0; off.running && waited < 5000; waited += 50) await sleep(50);
    assert.equal(off.running, false, 'ended after 100 ms without requests');
    assert.equal((await off.analyze(texts[0], DEFAULT_SETTINGS)).useSpans[0]?.qname, 'torch.abs');
    assert.equal(off.usable, true, 'ending an idle worker is not a failure');
  } finally {
    off.dispose();
  }
});

test('a worker that cannot run fails its requests; after three failures none is started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mindport-offthread-'));
  const dying = join(dir, 'dying.js');
  writeFileSync(dying, 'process.exit(3);\n');
  const off = new OffThreadAnalysis(dying);
  for (let i = 0; i < 3; i++) {
    assert.equal(off.usable, true);
    await assert.rejects(off.analyze('x = 1\n', DEFAULT_SETTINGS));
  }
  assert.equal(off.usable, false);
  await assert.rejects(off.analyze('x = 1\n', DEFAULT_SETTINGS), /kept failing/);
  off.dispose();
});

test('stopping it fails what it had not finished', async () => {
  const off = new OffThreadAnalysis(SCRIPT!);
  const pending = off.analyze(MODEL, DEFAULT_SETTINGS);
  off.dispose();
  await assert.rejects(pending, /stopped/);
  assert.equal(off.running, false);
});

test('a worker that answers nothing is stopped: the request it was on fails as stuck, the others as usual, and the next starts another', async () => {
  // a worker that never answers stands in for an analysis that never ends
  const dir = mkdtempSync(join(tmpdir(), 'mindport-stuck-'));
  const silent = join(dir, 'silent.js');
  writeFileSync(silent, "require('node:worker_threads').parentPort.on('message', () => {});\n");
  const off = new OffThreadAnalysis(silent, 1000, 300);
  try {
    const first = off.analyze('x = 1\n', DEFAULT_SETTINGS);
    const second = off.analyze('y = 2\n', DEFAULT_SETTINGS);
    const [a, b] = await Promise.allSettled([first, second]);
    assert.equal(a.status, 'rejected');
    assert.ok((a as PromiseRejectedResult).reason instanceof AnalysisStuck, String((a as PromiseRejectedResult).reason));
    assert.match((a as PromiseRejectedResult).reason.message, /answered nothing for 0 s and was stopped/);
    assert.equal(b.status, 'rejected');
    assert.ok(!((b as PromiseRejectedResult).reason instanceof AnalysisStuck), 'the waiting request was not the stuck one');
    assert.equal(off.running, false, 'the stuck worker was stopped');
    assert.equal(off.busy, false);
    // the next request starts a new worker (which is stuck again here)
    await assert.rejects(off.analyze('z = 3\n', DEFAULT_SETTINGS), AnalysisStuck);
  } finally {
    off.dispose();
  }
});

test('a slow but answering worker is not stopped: each answer re-arms the watchdog', async () => {
  // a worker answering its first request at once (its start-up, however slow the machine, is not what is timed)
  // and each later one after 250 ms, one after the other: 12 requests take 3 s, the watchdog's limit is 2 s
  const dir = mkdtempSync(join(tmpdir(), 'mindport-slow-'));
  const slow = join(dir, 'slow.js');
  writeFileSync(
    slow,
    [
      "const { parentPort } = require('node:worker_threads');",
      'const queue = [];',
      'let busy = false;',
      'let first = true;',
      "const answer = (m) => parentPort.postMessage({ kind: 'text', id: m.id, analysis: { findings: [], internalErrors: [], useSpans: [] } });",
      'const next = () => {',
      '  const m = queue.shift();',
      '  if (!m) return void (busy = false);',
      '  busy = true;',
      '  setTimeout(() => { answer(m); next(); }, first ? 0 : 250);',
      '  first = false;',
      '};',
      "parentPort.on('message', (m) => { queue.push(m); if (!busy) next(); });",
      '',
    ].join('\n'),
  );
  const off = new OffThreadAnalysis(slow, 5000, 2000);
  try {
    await off.analyze('w = 0\n', DEFAULT_SETTINGS); // started: the watchdog waits for nothing now
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => off.analyze(`x = ${i}\n`, DEFAULT_SETTINGS)));
    assert.equal(all.length, 12);
    assert.ok(off.usable);
    assert.equal(off.running, true, 'the same worker answered them all');
  } finally {
    off.dispose();
  }
});
