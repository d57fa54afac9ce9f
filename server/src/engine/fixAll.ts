// "Fix all": applies the fixes of a document again and again (as Ruff does) until none is left or the
// text stops changing, because fixes that touch neighbouring text are applied one pass at a time.
import type { MappingDatabase } from '../mappings/database';
import { analyzeText, parseModule } from './analyze';
import { applyFixes } from './edits';
import type { Finding, Fix } from './findings';
import type { Settings } from './settings';

export interface FixAllResult {
  text: string;
  /** Fixes applied, by rule code. */
  applied: Map<string, number>;
  /** Set when a pass would have produced text that no longer parses: that pass was dropped. */
  refused?: string;
}

const MAX_PASSES = 10;

export interface FixAllOptions {
  /** Apply unsafe fixes too. */
  unsafe?: boolean;
  /** The findings of `text` under `settings`, when the caller has them (the editor's last analysis): the first pass uses them. */
  findings?: readonly Finding[];
}

export function fixAll(text: string, settings: Settings, db: MappingDatabase, opts: FixAllOptions = {}): FixAllResult {
  const applied = new Map<string, number>();
  let current = text;
  let refused: string | undefined;
  // each text is parsed once: its syntax errors are counted on the tree the next pass analyses
  let tree = parseModule(text);
  try {
    const baseErrors = tree.errorCount;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const findings = pass === 0 && opts.findings ? opts.findings : analyzeText(current, settings, db, tree).findings;
      const fixes: { code: string; fix: Fix }[] = [];
      for (const f of findings) {
        const fix = f.fixes.find((x) => x.applicability === 'safe' || opts.unsafe);
        if (fix && fix.edits.length) fixes.push({ code: f.code, fix });
      }
      if (fixes.length === 0) break;
      const res = applyFixes(current, fixes.map((f) => f.fix));
      if (res.applied.length === 0 || res.text === current) break;
      // a fix must never make the code worse: refuse a pass that adds syntax errors
      const next = parseModule(res.text);
      if (next.errorCount > baseErrors) {
        next.delete();
        refused = 'a fix would have broken the syntax; those fixes were not applied';
        break;
      }
      tree.delete();
      tree = next;
      const took = new Set(res.applied);
      for (const f of fixes) if (took.has(f.fix)) applied.set(f.code, (applied.get(f.code) ?? 0) + 1);
      current = res.text;
    }
  } finally {
    tree.delete();
  }
  return { text: current, applied, refused };
}

export function countSyntaxErrors(text: string): number {
  const tree = parseModule(text);
  try {
    return tree.errorCount;
  } finally {
    tree.delete();
  }
}
