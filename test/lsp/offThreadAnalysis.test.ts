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
import { OffThreadAnalysis } from '../../server/src/lsp/offThreadAnalysis';
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
