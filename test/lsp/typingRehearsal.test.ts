// The typing rehearsal (lsp/typingRehearsal.ts): a line typed into the opened document one step per turn of the
// event loop and taken back. Whatever happens (finished, stopped by input part-way, a failing step), the
// document's text is the editor's again, and incremental analysis from where the rehearsal left it gives what a
// whole-file analysis of the text gives.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { analyzeText } from '../../server/src/engine/analyze';
import { PythonDocument } from '../../server/src/engine/document';
import { IncrementalAnalyzer } from '../../server/src/engine/incremental';
import { initParser } from '../../server/src/engine/parser';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { REHEARSED_LINE, rehearsalPlace, TypingRehearsal, type RehearsalEnd } from '../../server/src/lsp/typingRehearsal';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { realDb, ROOT } from '../engine/helpers';

let db: MappingDatabase;
before(async () => {
  await initParser();
  db = realDb();
});

const MODEL = readFileSync(join(ROOT, 'test/fixtures/incremental/model.py'), 'utf8');
const turns = (n: number) => new Promise<void>((resolve) => (function next(k: number): void { if (k === 0) resolve(); else setImmediate(() => next(k - 1)); })(n));

function rehearsal(doc: PythonDocument, step: (text: string) => void) {
  const ends: { how: RehearsalEnd; err?: unknown }[] = [];
  const place = rehearsalPlace(doc);
  assert.ok(place, 'a place to type');
  const r = new TypingRehearsal(doc, place, () => step(doc.text), (how, err) => ends.push({ how, err }));
  return { r, ends, place };
}

test('the place is the end of an indented line of code near the middle, with its indentation', () => {
  const doc = new PythonDocument(MODEL);
  const place = rehearsalPlace(doc)!;
  const lineNo = doc.lines.positionAt(place.at).line;
  assert.ok(lineNo >= Math.floor(doc.lines.lineCount / 2), `line ${lineNo} of ${doc.lines.lineCount}`);
  const line = MODEL.slice(doc.lines.lineStart(lineNo), place.at);
  assert.ok(line.startsWith(place.indent) && place.indent.length > 0 && line.trim().length > 0, JSON.stringify(line));
  assert.equal(place.at, doc.lines.lineEnd(lineNo));
  // a file of top-level statements only has no such line, nor has one whose indented line goes on after a backslash
  assert.equal(rehearsalPlace(new PythonDocument('import torch\nx = torch.abs(y)\n')), undefined);
  assert.equal(rehearsalPlace(new PythonDocument('def f(y):\n    y = 1 + \\\n2')), undefined);
  assert.ok(rehearsalPlace(new PythonDocument('def f(y):\n    y = 1 + 2\n')));
  // indented with a tab; a comment line is passed over for the code after it
  assert.deepEqual(rehearsalPlace(new PythonDocument('def f(y):\n\ty = 1\n')), { at: 16, indent: '\t' });
  const commented = 'def f(y):\n    # note\n    y = 1';
  assert.equal(rehearsalPlace(new PythonDocument(commented))?.at, commented.indexOf('y = 1') + 5);
  assert.equal(rehearsalPlace(new PythonDocument('')), undefined);
});

test('run to the end, it types the line one character at a time, takes it back, and leaves the text as it was', async () => {
  const doc = new PythonDocument(MODEL);
  const seen: string[] = [];
  const { r, ends, place } = rehearsal(doc, (text) => seen.push(text));
  r.start();
  assert.equal(seen.length, 0, 'nothing before the next turn');
  while (r.running) await turns(1);
  assert.deepEqual(ends, [{ how: 'finished', err: undefined }]);
  assert.equal(doc.text, MODEL);
  // Enter (with the indentation), each character, then the text taken back
  assert.equal(seen.length, 1 + REHEARSED_LINE.length + 1);
  assert.equal(seen[0], MODEL.slice(0, place.at) + '\n' + place.indent + MODEL.slice(place.at));
  assert.equal(seen[seen.length - 2], MODEL.slice(0, place.at) + '\n' + place.indent + REHEARSED_LINE + MODEL.slice(place.at));
  assert.equal(seen[seen.length - 1], MODEL);
});

test('stopped part-way, the typed text is taken back at once and no step runs after', async () => {
  const doc = new PythonDocument(MODEL);
  let steps = 0;
  const { r, ends } = rehearsal(doc, () => steps++);
  r.start();
  await turns(5);
  assert.ok(steps >= 3 && r.running, `${steps} steps so far`);
  assert.notEqual(doc.text, MODEL);
  r.stop();
  assert.equal(doc.text, MODEL);
  const at = steps;
  await turns(5);
  assert.equal(steps, at);
  r.stop(); // twice: nothing more
  assert.deepEqual(ends, [{ how: 'stopped', err: undefined }]);
});

test('a step that fails ends the rehearsal with the error and the text taken back', () => {
  const doc = new PythonDocument(MODEL);
  let steps = 0;
  const boom = new Error('analysis failed');
  const { r, ends } = rehearsal(doc, () => {
    if (++steps === 4) throw boom;
  });
  r.runAll();
  assert.equal(steps, 4);
  assert.equal(doc.text, MODEL);
  assert.deepEqual(ends, [{ how: 'failed', err: boom }]);
  assert.equal(r.running, false);
});

test('incremental analysis after a rehearsal stopped part-way and an edit gives what a whole-file analysis gives', async () => {
  for (const stopAfter of [1, 4, 9, 30]) {
    const doc = new PythonDocument(MODEL);
    const inc = new IncrementalAnalyzer();
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    const { r } = rehearsal(doc, () => inc.analyzeDocument(doc, DEFAULT_SETTINGS, db));
    r.start();
    await turns(stopAfter);
    r.stop();
    // the user's edit, which stopped it: a line typed as the first of the first forward method
    const at = MODEL.indexOf('\n', MODEL.indexOf('def forward'));
    doc.edit({ start: at, end: at, newText: '\n        z = torch.abs(x).double()' });
    const got = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    const want = analyzeText(doc.text, DEFAULT_SETTINGS, db, doc.tree);
    assert.deepEqual(JSON.parse(JSON.stringify(got.findings)), JSON.parse(JSON.stringify(want.findings)), `stopped after ${stopAfter} turns`);
    assert.ok(got.findings.some((f) => f.code === 'MSP202' && doc.text.slice(f.start, f.end).includes('double')), 'the typed .double() is reported');
  }
});
