// The porting report as the extension normalises and exports it (client/src/reportModel.ts), from the server's
// own report of a real workspace scan: the counts add up, also with uses that are not needed.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { normalizeReport, reportToMarkdown } from '../../client/src/reportModel';
import { analyzeFile } from '../../server/src/engine/project';
import { initParser } from '../../server/src/engine/parser';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import { buildReport } from '../../server/src/lsp/report';
import { realDb } from '../engine/helpers';

before(async () => {
  await initParser();
});

test('per file and in total: same + differs + not needed + no equivalent = API uses, in the model and in the Markdown', () => {
  const ws = mkdtempSync(join(tmpdir(), 'mindport-report-'));
  writeFileSync(join(ws, 'a.py'), 'import torch\nx = torch.abs(y).cuda()\ntorch.cuda.empty_cache()\nz = torch.nn.EmbeddingBag(3, 4)\n');
  writeFileSync(join(ws, 'b.py'), 'import torch\nw = torch.sin(v)\n');
  const results = [join(ws, 'a.py'), join(ws, 'b.py')].map((p) => analyzeFile(p, DEFAULT_SETTINGS, realDb()));
  const report = normalizeReport(JSON.parse(JSON.stringify(buildReport(results, ws))));
  const a = report.files.find((f) => f.path === 'a.py')!;
  // torch.abs (same), .cuda() and empty_cache (not needed), EmbeddingBag (no equivalent)
  assert.deepEqual([a.apiUses, a.mappedSame, a.mappedDiff, a.notNeeded, a.unmapped], [4, 1, 0, 2, 1]);
  for (const f of report.files) assert.equal(f.mappedSame + f.mappedDiff + f.notNeeded + f.unmapped, f.apiUses, f.path);
  assert.deepEqual([report.totals.apiUses, report.totals.notNeeded, report.totals.unmapped], [5, 2, 1]);
  const md = reportToMarkdown(report);
  assert.match(md, /\| Same in MindSpore \| Differs \| Not needed \| No equivalent \|\n.*\n\| 2 \| \d+ \| 0 \| \d+ \| 5 \| 2 \| 0 \| 2 \| 1 \|/);
  assert.match(md, /\| a\.py \| 75% \| \d+ \| 4 \| 1 \| 0 \| 2 \| 1 \|/);
  // a report from an older server, without the field: zero, never NaN
  const old = normalizeReport({ files: [{ path: 'c.py', apiUses: 2, mappedSame: 1, mappedDiff: 0, unmapped: 1, findings: [] }] });
  assert.equal(old.files[0].notNeeded, 0);
  assert.equal(old.totals.notNeeded, 0);
});
