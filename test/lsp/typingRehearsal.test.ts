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

function rehearsal(doc: PythonDocument, step: (text: string) => boolean | void) {
  const ends: { how: RehearsalEnd; err?: unknown }[] = [];
  const place = rehearsalPlace(doc);
  assert.ok(place, 'a place to type');
  const r = new TypingRehearsal(doc, place, () => step(doc.text), (how, err) => ends.push({ how, err }));
  return { r, ends, place };
}

test('the place is the end of an indented line of code inside a definition near the middle, with its indentation', () => {
  const doc = new PythonDocument(MODEL);
  const place = rehearsalPlace(doc)!;
  const lineNo = doc.lines.positionAt(place.at).line;
  assert.ok(lineNo >= Math.floor(doc.lines.lineCount / 2), `line ${lineNo} of ${doc.lines.lineCount}`);
  const line = MODEL.slice(doc.lines.lineStart(lineNo), place.at);
  assert.ok(line.startsWith(place.indent) && place.indent.length > 0 && line.trim().length > 0, JSON.stringify(line));
  assert.equal(place.at, doc.lines.lineEnd(lineNo));
  assert.equal(place.line, REHEARSED_LINE);
  assert.ok(rehearsalPlace(new PythonDocument('def f(y):\n    y = 1 + 2\n'))?.indent === '    ');
  // indented with a tab; a comment line is passed over for the code after it
  assert.deepEqual(rehearsalPlace(new PythonDocument('def f(y):\n\ty = 1\n')), { at: 16, indent: '\t', line: REHEARSED_LINE });
  const commented = 'def f(y):\n    # note\n    y = 1';
  assert.equal(rehearsalPlace(new PythonDocument(commented))?.at, commented.indexOf('y = 1') + 5);
  assert.equal(rehearsalPlace(new PythonDocument('')), undefined);
});

test('without a line of code inside a definition near the middle, the end of the document at module level, binding an unused name', () => {
  const atEnd = (text: string) => {
    const place = rehearsalPlace(new PythonDocument(text));
    assert.ok(place, JSON.stringify(text));
    assert.equal(place.at, text.length, JSON.stringify(text));
    assert.equal(place.indent, '');
    return place.line;
  };
  // top-level statements only; the body of a top-level loop; an indented line continued by a backslash
  assert.equal(atEnd('import torch\nx = torch.abs(y)\n'), REHEARSED_LINE);
  assert.equal(atEnd('for i in range(3):\n    y = i\n    z = y\n'), REHEARSED_LINE);
  assert.equal(atEnd('def f(y):\n    y = 1 + \\\n2'), REHEARSED_LINE);
  // the name it binds is one the document does not use (no statement depends on it)
  assert.equal(atEnd('h = 1\nprint(h)\n'), REHEARSED_LINE.replace(/^h /, 'h_1 '));
  assert.equal(atEnd('h = h_1 = 1\n'), REHEARSED_LINE.replace(/^h /, 'h_2 '));
});

test('run to the end, it types the line one character at a time, takes it back, and leaves the text as it was', async () => {
  const doc = new PythonDocument(MODEL);
  const seen: string[] = [];
  const { r, ends, place } = rehearsal(doc, (text) => void seen.push(text));
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
  const { r, ends } = rehearsal(doc, () => void steps++);
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
    const { r } = rehearsal(doc, () => void inc.analyzeDocument(doc, DEFAULT_SETTINGS, db));
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

/** A flat research script: module-level statements that read what a loop in the middle of the file binds. */
function flatScript(): string {
  const out = ['import torch', 'x = torch.randn(8, 4)'];
  for (let i = 0; i < 120; i++) out.push(`a_${i} = x[${i % 8}].sum() * ${i}`);
  out.push('for step in range(3):', '    y = x * step', '    z = torch.relu(y).double()');
  for (let i = 0; i < 120; i++) out.push(`b_${i} = (y + z)[${i % 8}].mean()`);
  return out.join('\n') + '\n';
}

/** A rehearsal whose steps analyse as the server's do: a step that went to the whole file says it is enough. */
function analysedRehearsal(doc: PythonDocument, inc: IncrementalAnalyzer) {
  return rehearsal(doc, () => {
    const whole = inc.stats.full;
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    return inc.stats.full > whole;
  });
}

test('in a flat script the rehearsal types at the end, and no step analyses the whole file', () => {
  const text = flatScript();
  const doc = new PythonDocument(text);
  const inc = new IncrementalAnalyzer();
  inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
  const { r, ends, place } = analysedRehearsal(doc, inc);
  assert.equal(place.at, text.length);
  r.runAll();
  assert.deepEqual(ends, [{ how: 'finished', err: undefined }]);
  assert.equal(inc.stats.full, 1, `whole-file analyses: ${inc.stats.full} (${inc.stats.lastFullReason})`);
  assert.equal(doc.text, text);
});

test('a step that goes to the whole file ends the typing: the text is taken back at the next step', () => {
  // typed in the loop's body, as the rehearsal once did: the bracket left open takes y and z from the rest
  const text = flatScript();
  const doc = new PythonDocument(text);
  const inc = new IncrementalAnalyzer();
  inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
  const at = text.indexOf('.double()') + '.double()'.length;
  const seen: string[] = [];
  const r = new TypingRehearsal(doc, { at, indent: '    ', line: REHEARSED_LINE }, () => {
    seen.push(doc.text);
    const whole = inc.stats.full;
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    return inc.stats.full > whole;
  }, () => {});
  r.runAll();
  assert.ok(inc.stats.full > 1, 'typing there goes to the whole file');
  assert.ok(seen.length < 1 + REHEARSED_LINE.length + 1, `${seen.length} steps: the typing stopped early`);
  assert.equal(seen[seen.length - 1], text, 'the last step analysed the text taken back');
  assert.equal(doc.text, text);
});

test('stopped part-way, the rehearsal is left behind; analysing the text taken back keeps a far edit incremental', async () => {
  // the model, in whose second half the rehearsal types, then long module-level lines: the edit at the end and the
  // typing taken back span more than half of the file
  const tail = Array.from({ length: 100 }, (_, i) => `b_${i} = torch.zeros(${i}) + torch.ones(${i}) * 2 + torch.full((${i},), 3.0) - torch.zeros(${i})\n`);
  const text = MODEL + tail.join('');
  for (const catchUp of [false, true]) {
    const doc = new PythonDocument(text);
    const inc = new IncrementalAnalyzer();
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    const { r, place } = analysedRehearsal(doc, inc);
    assert.ok(place.indent.length > 0, 'inside a definition of the model');
    r.start();
    await turns(6);
    r.stop();
    assert.equal(r.leftBehind, true);
    if (catchUp) inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    const whole = inc.stats.full;
    // the user's edit, at the end of the file
    const at = text.length;
    doc.edit({ start: at, end: at, newText: 'w = torch.zeros(2).double()\n' });
    const got = inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    assert.equal(inc.stats.full > whole, !catchUp, `caught up: ${catchUp}; ${inc.stats.lastFullReason}`);
    const want = analyzeText(doc.text, DEFAULT_SETTINGS, db, doc.tree);
    assert.deepEqual(JSON.parse(JSON.stringify(got.findings)), JSON.parse(JSON.stringify(want.findings)));
  }
  // finished, or stopped before its first step: nothing left behind
  const doc = new PythonDocument(MODEL);
  const finished = rehearsal(doc, () => {});
  finished.r.runAll();
  assert.equal(finished.r.leftBehind, false);
  const early = rehearsal(doc, () => {});
  early.r.start();
  early.r.stop();
  assert.equal(early.r.leftBehind, false);
});
