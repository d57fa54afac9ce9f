// Shared helpers for the rule tests: parser + mapping database setup, findings of one code, and applying a
// fix with the check that the file still parses as well as before.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { analyzeText } from '../../server/src/engine/analyze';
import { applyFixes } from '../../server/src/engine/edits';
import type { Finding } from '../../server/src/engine/findings';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { initParser } from '../../server/src/engine/parser';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/engine/settings';
import { MappingDatabase } from '../../server/src/mappings/database';

export const ROOT = resolve(__dirname, '..', '..');
let db: MappingDatabase | undefined;

export async function setup(): Promise<MappingDatabase> {
  await initParser();
  db ??= MappingDatabase.loadDir(join(ROOT, 'mappings'));
  return db;
}

/** The database setup() loaded. */
export function database(): MappingDatabase {
  return db!;
}

export function settings(raw: Record<string, unknown> = {}): Settings {
  return parseSettings(raw, DEFAULT_SETTINGS).settings;
}

export function findings(src: string, code: string, s: Settings = DEFAULT_SETTINGS): Finding[] {
  const a = analyzeText(src, s, db!);
  assert.deepEqual(a.internalErrors, []);
  return a.findings.filter((f) => f.code === code);
}

export function all(src: string, s: Settings = DEFAULT_SETTINGS): Finding[] {
  return analyzeText(src, s, db!).findings;
}

/** Applies the first fix of the i-th finding of `code`, checks it keeps parsing, and returns the new text. */
export function fix(src: string, code: string, i = 0, s: Settings = DEFAULT_SETTINGS): { text: string; applicability: string } {
  const f = findings(src, code, s)[i];
  assert.ok(f, `no ${code} finding #${i}`);
  const fx = f.fixes[0];
  assert.ok(fx, `${code} finding #${i} has no fix: ${f.message}`);
  const out = applyFixes(src, [fx]).text;
  assert.equal(countSyntaxErrors(out), countSyntaxErrors(src), `fix broke the syntax:\n${out}`);
  return { text: out, applicability: fx.applicability };
}

export function lines(...l: string[]): string {
  return l.join('\n') + '\n';
}

const pythons = new Map<string, string | undefined>();

/** A CPython that can import `modules` (none: any python3), or undefined; looked up once per set of modules. */
export function findPython(...modules: string[]): string | undefined {
  const key = modules.join(',');
  if (!pythons.has(key)) {
    const probe = modules.length ? `import ${modules.join(', ')}` : 'pass';
    pythons.set(key, ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', probe], { encoding: 'utf8' }).status === 0));
  }
  return pythons.get(key);
}
