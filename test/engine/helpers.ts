// Shared helpers of the engine tests: parsing, resolving, analysing with the real mapping database.
import { resolve as resolvePath } from 'node:path';
import { analyzeText, type DocumentAnalysis } from '../../server/src/engine/analyze';
import { applyFixes } from '../../server/src/engine/edits';
import type { Finding } from '../../server/src/engine/findings';
import { parsePython } from '../../server/src/engine/parser';
import { resolve, type ApiUse } from '../../server/src/engine/resolve';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/engine/settings';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { loadDatabase } from '../../server/src/mappings/location';

export const ROOT = resolvePath(__dirname, '..', '..');

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
  const tree = parsePython(src);
  try {
    return resolve(tree).uses.map((u) => ({
      qname: u.qname,
      line: u.node.startPosition.row + 1,
      context: u.context,
      confidence: u.confidence,
      via: u.via,
      text: u.node.text,
    }));
  } finally {
    tree.delete();
  }
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
