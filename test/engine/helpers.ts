// Shared helpers of the engine tests: parsing, resolving, analysing with the real mapping database.
import assert from 'node:assert/strict';
import { resolve as resolvePath } from 'node:path';
import { describe, test } from 'node:test';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { analyzeText, type DocumentAnalysis } from '../../server/src/engine/analyze';
import { applyFixes } from '../../server/src/engine/edits';
import type { Finding } from '../../server/src/engine/findings';
import { parseSyntax } from '../../server/src/engine/moduleTree';
import { resolve, type ApiUse } from '../../server/src/engine/resolve';
import type { SyntaxTree } from '../../server/src/engine/syntax';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/engine/settings';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { loadDatabase } from '../../server/src/mappings/location';
import { mulberry32 } from '../../bench/prng.mjs';

export const ROOT = resolvePath(__dirname, '..', '..');

/** Seeded random numbers in [0, 1) (mulberry32, the benchmark corpus's generator). */
export const prng = mulberry32;

/** Every node of a copied tree, one line each (depth, type, offsets, field, flags, parent), to compare trees. */
export function dumpTree(tree: SyntaxTree): string {
  const lines: string[] = [];
  for (let i = 0; i < tree.size; i++) {
    lines.push(`${'  '.repeat(tree.depths[i])}${tree.types[tree.typeIds[i]]} ${tree.starts[i]}-${tree.ends[i]} f${tree.fields[i]} ${tree.flags[i]} p${tree.parents[i]} n${tree.nextSiblings[i]} l${tree.subtreeEnds[i]}`);
  }
  return `${lines.join('\n')}\nerrors ${tree.errorCount}`;
}

/** The real database, through loadDatabase() as the CLI and the server load it. */
export function realDb(): MappingDatabase {
  const db = loadDatabase();
  if (db.entries.size < 1000) throw new Error(`mapping database not loaded (${db.entries.size} entries): ${JSON.stringify(db.problems)}`);
  return db;
}

export interface UseRow {
  qname: string;
  line: number;
  context: ApiUse['context'];
  confidence: ApiUse['confidence'];
  via: ApiUse['via'];
  text: string;
}

/** Every recorded use of a source text, as plain rows (1-based lines). */
export function usesOf(src: string): UseRow[] {
  return resolve(parseSyntax(src)).uses.map((u) => ({
    qname: u.qname,
    line: u.node.startPosition.row + 1,
    context: u.context,
    confidence: u.confidence,
    via: u.via,
    text: u.node.text,
  }));
}

export function settings(over: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, ...over };
}

export function analyze(src: string, over: Partial<Settings> = {}): DocumentAnalysis {
  return analyzeText(src, settings(over), realDb());
}

/** Applies the preferred (first) fix of every finding, in one pass. */
export function applyPreferred(src: string, findings: Finding[]): string {
  return applyFixes(src, findings.flatMap((f) => (f.fixes[0] ? [f.fixes[0]] : []))).text;
}

/** One API of a PaConvert-style rewrite table. */
export interface RewriteApi {
  name: string;
  settings: Partial<Settings>;
  imports: string;
  /** The import line(s) the fix adds after `imports`. */
  added: string;
  /** [torch call, exact MindSpore call after the preferred fixes, applicability of the MSP101/MSP102 fix] */
  calls: [string, string, 'safe' | 'unsafe'][];
}

/** torch's dtypes: one passed to the call is a finding of its own (MSP101, renamed), not the call's. */
const DTYPE_VALUE = /^torch\.(float(16|32)?|half|bfloat16|int(8|16|32|64)?|long|short|uint8|bool)$/;

/**
 * One test per call: exactly one MSP101/MSP102 finding (besides a dtype's) with the given fix safety, and the preferred fixes turn
 * `y = <call>` into exactly `y = <expected>` (plus the added import) that parses.
 */
export function describeRewrites(apis: RewriteApi[]): void {
  for (const api of apis) {
    describe(api.name, () => {
      for (const [call, expected, applicability] of api.calls) {
        test(call, () => {
          const src = `${api.imports}\ny = ${call}\n`;
          const a = analyze(src, { select: ['MSP1'], ...api.settings });
          const f = a.findings.filter((x) => (x.code === 'MSP101' || x.code === 'MSP102') && !DTYPE_VALUE.test(String(x.data?.torchApi)));
          assert.equal(f.length, 1, JSON.stringify(a.findings.map((x) => [x.code, x.message])));
          assert.equal(f[0].fixes[0]?.applicability, applicability, f[0].message);
          const out = applyPreferred(src, a.findings);
          assert.equal(out, `${api.imports}\n${api.added}\ny = ${expected}\n`);
          assert.equal(countSyntaxErrors(out), 0);
        });
      }
    });
  }
}
