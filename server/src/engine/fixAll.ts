// "Fix all": applies the fixes of a document again and again (as Ruff does) until none is left or the
// text stops changing, because fixes that touch neighbouring text are applied one pass at a time.
import type { MappingDatabase } from '../mappings/database';
import { analyzeText, parseModule } from './analyze';
import { applyFixes, chooseFixes, withEdits } from './edits';
import type { Finding, Fix, TextEdit } from './findings';
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
  let chosen: { code: string; fix: Fix }[] = []; // the pass's fixes, with their rule codes
  const res = fixPasses(text, settings, db, {
    maxPasses: MAX_PASSES,
    findings: opts.findings,
    choose: (findings) => {
      chosen = [];
      for (const f of findings) {
        const fix = fixToApply(f, opts.unsafe);
        if (fix) chosen.push({ code: f.code, fix });
      }
      return chosen.map((c) => c.fix);
    },
    mend: () => undefined, // a fix must never make the code worse: the pass is refused
    applied: (fixes) => {
      for (const { code, fix } of chosen) if (fixes.has(fix)) applied.set(code, (applied.get(code) ?? 0) + 1);
    },
  });
  return { text: res.text, applied, refused: res.refused ? 'a fix would have broken the syntax; those fixes were not applied' : undefined };
}

/** What fixPasses asks its caller. */
export interface FixPassPlan {
  maxPasses: number;
  /** The findings of the text given, when the caller has them: the first pass uses them. */
  findings?: readonly Finding[];
  /** The fixes a pass applies, from the findings of its text. */
  choose(findings: readonly Finding[], text: string): Fix[];
  /** When the chosen fixes would add syntax errors to `text`: the fixes to apply instead (which must not), or undefined to stop. */
  mend(text: string, baseErrors: number): Fix[] | undefined;
  /** Told of the fixes each pass applied. */
  applied(fixes: ReadonlySet<Fix>): void;
}

/**
 * Applies fixes pass after pass (fixes that touch neighbouring text go one pass at a time) until a pass changes
 * nothing or `maxPasses` have run. Each text is parsed once: the tree its syntax errors were counted on is the one
 * the next pass analyses. `refused`: a pass would have added syntax errors and `mend` gave nothing instead;
 * `baseErrors`: the syntax errors of the text given.
 */
export function fixPasses(text: string, settings: Settings, db: MappingDatabase, plan: FixPassPlan): { text: string; refused: boolean; baseErrors: number } {
  let current = text;
  let tree = parseModule(text);
  const base = tree.errorCount;
  try {
    for (let pass = 0; pass < plan.maxPasses; pass++) {
      const findings = pass === 0 && plan.findings ? plan.findings : analyzeText(current, settings, db, tree).findings;
      const fixes = plan.choose(findings, current);
      if (!fixes.length) break;
      let res = applyFixes(current, fixes);
      if (!res.applied.length || res.text === current) break;
      let next = parseModule(res.text);
      if (next.errorCount > base) {
        next.delete();
        const instead = plan.mend(current, base);
        if (!instead) return { text: current, refused: true, baseErrors: base };
        res = applyFixes(current, instead);
        if (!res.applied.length || res.text === current) break;
        next = parseModule(res.text);
      }
      plan.applied(new Set(res.applied));
      tree.delete();
      tree = next;
      current = res.text;
    }
  } finally {
    tree.delete();
  }
  return { text: current, refused: false, baseErrors: base };
}

/** The fix a fix all applies for a finding: its first safe one (any first one with `unsafe`), if it edits. */
function fixToApply(f: Finding, unsafe?: boolean): Fix | undefined {
  const fix = f.fixes.find((x) => x.applicability === 'safe' || unsafe);
  return fix?.edits.length ? fix : undefined;
}

/**
 * One pass of the safe fixes of `findings` (the analysis of `text`) as edits of `text`, in text order, or none
 * when they would add syntax errors: a notebook's fix all over its joined cells, whose edits go back to each cell.
 */
export function fixAllEdits(text: string, findings: readonly Finding[]): readonly TextEdit[] {
  const { edits } = chooseFixes(findings.flatMap((f) => fixToApply(f) ?? []));
  return edits.length && countSyntaxErrors(withEdits(text, edits)) <= countSyntaxErrors(text) ? edits : [];
}

export function countSyntaxErrors(text: string): number {
  const tree = parseModule(text);
  try {
    return tree.errorCount;
  } finally {
    tree.delete();
  }
}
