// Findings → LSP diagnostics (lsp/convert.ts): a re-publish reuses the diagnostic of a finding that did not move.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../server/src/engine/findings';
import { toDiagnostic, toDiagnostics } from '../../server/src/lsp/convert';
import { prng } from '../engine/helpers';

function finding(i: number): Finding {
  return {
    code: i % 3 ? 'MSP101' : 'MSP201',
    message: `finding ${i} → somewhere`,
    severity: i % 2 ? 'info' : 'warning',
    start: i * 10,
    end: i * 10 + 4,
    range: { start: { line: i, character: 2 }, end: { line: i, character: 6 } },
    fixes: [],
  };
}

test('a re-publish reuses the diagnostics of findings that did not move and makes new ones for the rest', () => {
  const rand = prng(3);
  let findings = Array.from({ length: 200 }, (_, i) => finding(i));
  let last = { findings, diagnostics: toDiagnostics(findings) };
  let made = 1000;
  let reused = 0;
  for (let round = 0; round < 50; round++) {
    const moved = new Set<Finding>();
    const next: Finding[] = [];
    for (const f of findings) {
      const r = rand();
      if (r < 0.03) continue; // its statement was re-checked: gone
      if (r < 0.1) {
        // moved, as incremental analysis moves a finding: the same object, a new range object
        f.range = { start: { ...f.range.start, line: f.range.start.line + 1 }, end: { ...f.range.end, line: f.range.end.line + 1 } };
        moved.add(f);
      }
      next.push(f);
      if (rand() < 0.03) next.push(finding(made++)); // a new finding
    }
    if (round === 25) next.reverse(); // out of order: looked up, still reused
    const diagnostics = toDiagnostics(next, last);
    assert.deepEqual(diagnostics, next.map((f) => toDiagnostic(f)), `round ${round}`);
    const before = new Map(last.findings.map((f, k) => [f, last.diagnostics[k]] as const));
    next.forEach((f, i) => {
      const was = before.get(f);
      if (moved.has(f) || !was) assert.notEqual(diagnostics[i], was, `round ${round}: a moved or new finding kept an old diagnostic`);
      else {
        assert.equal(diagnostics[i], was, `round ${round}: the diagnostic of an unmoved finding was made again`);
        reused++;
      }
    });
    findings = next;
    last = { findings, diagnostics };
  }
  assert.ok(reused > 5000, `${reused} diagnostics reused`);
});

test('after a run of new findings (a re-checked class), the unchanged findings after it are still reused', () => {
  const findings = Array.from({ length: 300 }, (_, i) => finding(i));
  const last = { findings, diagnostics: toDiagnostics(findings) };
  // findings 100-159 re-made by a re-check of their statement (new objects), 10 more than before
  const next = [...findings.slice(0, 100), ...Array.from({ length: 70 }, (_, i) => finding(1000 + i)), ...findings.slice(160)];
  const diagnostics = toDiagnostics(next, last);
  assert.deepEqual(diagnostics, next.map((f) => toDiagnostic(f)));
  const reused = diagnostics.filter((d, i) => i >= 170 && d === last.diagnostics[i - 10]).length;
  assert.equal(reused, 140, 'the diagnostics after the re-checked statement were made again');
});

test('a finding moved and moved back (a line typed and taken back above it) keeps its diagnostic', () => {
  const findings = Array.from({ length: 50 }, (_, i) => finding(i));
  const last = { findings, diagnostics: toDiagnostics(findings) };
  for (const f of findings.slice(20)) {
    const { start, end } = f.range;
    f.range = { start: { ...start, line: start.line + 1 }, end: { ...end, line: end.line + 1 } }; // the line typed
    f.range = { start: { ...start }, end: { ...end } }; // and taken back: where it was, a new range object
  }
  const diagnostics = toDiagnostics(findings, last);
  diagnostics.forEach((d, i) => assert.equal(d, last.diagnostics[i], `finding ${i}`));
  // one that did not come back to the same place gets a new diagnostic
  findings[30].range = { start: { line: 99, character: 0 }, end: { line: 99, character: 4 } };
  const after = toDiagnostics(findings, { findings, diagnostics });
  assert.notEqual(after[30], diagnostics[30]);
  assert.deepEqual(after[30].range, findings[30].range);
});
