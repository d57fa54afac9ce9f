// "Fix all": applies the fixes of a document again and again (as Ruff does) until none is left or the
// text stops changing, because fixes that touch neighbouring text are applied one pass at a time.
import type { MappingDatabase } from '../mappings/database';
import { analyzeCopied, parseModule, type DocumentAnalysis } from './analyze';
import type { ModuleTree } from './moduleTree';
import type { SyntaxTree } from './syntax';
import { LineIndex } from './text';
import { applyFixes, chooseFixes, withEdits } from './edits';
import type { Finding, Fix, TextEdit } from './findings';
import { cellOf, joinCells, type NotebookText } from './notebook';
import type { Settings } from './settings';

export interface FixAllResult {
  text: string;
  /** Fixes applied, by rule code. */
  applied: Map<string, number>;
  /** Set when a fix would have produced text that no longer parses: it was left out (the others were applied). */
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
  let chosen: KeyedFix[] = []; // the pass's fixes
  const broken = new Set<string>(); // fixes (by code and title at a place) that broke the syntax: not tried again
  let skipped = 0; // of them, those the last pass still met (not made unnecessary by the fixes after them)
  const res = fixPasses(text, settings, db, {
    maxPasses: MAX_PASSES,
    findings: opts.findings,
    choose: (findings, at) => {
      ({ chosen, skipped } = keyedFixes(findings, at, (f) => fixToApply(f, opts.unsafe), broken));
      return chosen.map((c) => c.fix);
    },
    // a fix must never make the code worse: those that would are left out, the others applied
    mend: (at, base) => {
      const good = keepParsing(at, chosen, base, broken);
      if (!good.length) skipped = chosen.length; // the run stops here: all of them were left out
      return good;
    },
    applied: (fixes) => countApplied(applied, chosen, fixes),
  });
  // the last pass found nothing to apply: what it skipped as broken is what was not applied
  return { text: res.text, applied, refused: skipped ? REFUSED : undefined };
}

const REFUSED = 'a fix would have broken the syntax; it was not applied';

/**
 * A fix as a pass meets it again: its rule, the text it applies to, its title and what it writes (a later pass may
 * offer another edit for the same finding: `pass` where a deletion would have emptied a block).
 */
function fixKey(f: Finding, fix: Fix, text: string): string {
  return `${f.code}:${text.slice(f.start, f.end)}:${fix.title}:${fix.edits.map((e) => e.newText).join('\u0000')}`;
}

/**
 * The fixes of `todo` that can be applied together without adding syntax errors; those that break it go into
 * `broken`. Halves are tried in order, each with the fixes kept before it, and a half that breaks is split again:
 * a few broken fixes among thousands cost a few dozen parses of the text, not one per fix.
 */
export function keepParsing(text: string, todo: readonly { fix: Fix; key: string }[], base: number, broken: Set<string>): Fix[] {
  const good: Fix[] = [];
  const tryGroup = (group: readonly { fix: Fix; key: string }[], knownBroken: boolean): void => {
    if (!group.length) return;
    if (!knownBroken) {
      const trial = applyFixes(text, [...good, ...group.map((t) => t.fix)]);
      if (countSyntaxErrors(trial.text) <= base) {
        const taken = new Set(trial.applied);
        for (const t of group) if (taken.has(t.fix)) good.push(t.fix);
        return;
      }
    }
    if (group.length === 1) {
      broken.add(group[0].key);
      return;
    }
    const mid = group.length >> 1;
    tryGroup(group.slice(0, mid), false);
    tryGroup(group.slice(mid), false);
  };
  tryGroup(todo, true); // all of them together broke the syntax
  return good;
}

/** A fix a fix all takes, with the code of the rule whose finding offered it. */
interface ChosenFix {
  code: string;
  fix: Fix;
}

/** A fix a pass takes, with fixKey's key. */
export interface KeyedFix extends ChosenFix {
  key: string;
}

/**
 * The fixes a pass takes: `pick`'s fix of each finding that has one, with its key, unless that key broke the syntax
 * before (`broken`); `skipped` counts those.
 */
export function keyedFixes(findings: readonly Finding[], text: string, pick: (f: Finding) => Fix | undefined, broken: ReadonlySet<string>): { chosen: KeyedFix[]; skipped: number } {
  const chosen: KeyedFix[] = [];
  let skipped = 0;
  for (const f of findings) {
    const fix = pick(f);
    if (!fix) continue;
    const key = fixKey(f, fix, text);
    if (broken.has(key)) skipped++;
    else chosen.push({ code: f.code, fix, key });
  }
  return { chosen, skipped };
}

/** Adds the fixes of `chosen` that were applied to `applied`'s count per rule code. */
function countApplied(applied: Map<string, number>, chosen: readonly ChosenFix[], taken: ReadonlySet<Fix>): void {
  for (const { code, fix } of chosen) if (taken.has(fix)) applied.set(code, (applied.get(code) ?? 0) + 1);
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
  let parsed = parseText(text);
  const base = parsed.problems;
  try {
    for (let pass = 0; pass < plan.maxPasses; pass++) {
      const current = parsed.text;
      const findings = pass === 0 && plan.findings ? plan.findings : analyzeParsed(parsed, settings, db).findings;
      const fixes = plan.choose(findings, current);
      if (!fixes.length) break;
      let res = applyFixes(current, fixes);
      if (!res.applied.length || res.text === current) break;
      let next = parseText(res.text);
      if (next.problems > base) {
        next.module.delete();
        const instead = plan.mend(current, base);
        if (!instead) return { text: current, refused: true, baseErrors: base };
        res = applyFixes(current, instead);
        if (!res.applied.length || res.text === current) break;
        next = parseText(res.text);
      }
      plan.applied(new Set(res.applied));
      parsed.module.delete();
      parsed = next;
    }
  } finally {
    parsed.module.delete();
  }
  return { text: parsed.text, refused: false, baseErrors: base };
}

/**
 * A text parsed once for a pass: its module tree (deleted by the caller), the engine's copy of it and the text's
 * line index, which the pass's analysis reads, and its syntax problems (countSyntaxErrors), counted on that copy.
 */
interface ParsedText {
  text: string;
  module: ModuleTree;
  tree: SyntaxTree;
  lines: LineIndex;
  problems: number;
}

function parseText(text: string): ParsedText {
  const module = parseModule(text);
  const lines = new LineIndex(text);
  const tree = module.copy(lines);
  return { text, module, tree, lines, problems: module.errorCount + tree.emptyBlockCount() };
}

/** analyzeText of a parsed text, on the copy its syntax problems were counted on. */
function analyzeParsed(p: ParsedText, settings: Settings, db: MappingDatabase): DocumentAnalysis {
  return analyzeCopied(p.text, p.tree, p.lines, settings, db);
}

/** The fix a fix all applies for a finding: its first safe one (any first one with `unsafe`), if it edits. */
function fixToApply(f: Finding, unsafe?: boolean): Fix | undefined {
  const fix = f.fixes.find((x) => x.applicability === 'safe' || unsafe);
  return fix?.edits.length ? fix : undefined;
}

export interface NotebookFixResult {
  /** The code cells after the fixes (the cells given when nothing applied). */
  cells: string[];
  /** Fixes applied, by rule code. */
  applied: Map<string, number>;
  /** Set when a fix would have added syntax errors: it was left out (the others were applied). */
  refused?: string;
}

/**
 * Fix all for a notebook's code cells, pass after pass as `fixAll` does. Each pass analyses the joined cells (an
 * import in one cell serves the others), applies its fixes to the cells themselves (so `%magic` lines, blanked for
 * the analysis, come back as they were) and joins them again for the next. A fix with an edit across two cells is
 * left out, and so is one that would add syntax errors to the joined text (the others are applied). `findings`: those of the joined
 * cells, when the caller has them (the editor's last analysis), for the first pass.
 */
export function fixAllCells(cells: readonly string[], settings: Settings, db: MappingDatabase, opts: FixAllOptions = {}): NotebookFixResult {
  const applied = new Map<string, number>();
  const broken = new Set<string>();
  let skipped = 0;
  let current = cells.slice();
  // as in fixPasses, a text is parsed once: the tree its syntax errors were counted on is the one the next pass
  // analyses (when the cells, joined again, are that text, as they are unless a fix moved a magic)
  const first = joinCells(current).text;
  let parsed = parseText(first);
  const base = parsed.problems;
  try {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const nb = joinCells(current);
      if (parsed.text !== nb.text) {
        parsed.module.delete();
        parsed = parseText(nb.text);
      }
      const findings = pass === 0 && opts.findings ? opts.findings : analyzeParsed(parsed, settings, db).findings;
      const pick = (f: Finding) => {
        const fix = fixToApply(f, opts.unsafe);
        return fix?.edits.every((e) => withinOneCell(nb, e)) ? fix : undefined;
      };
      const kept = keyedFixes(findings, nb.text, pick, broken);
      const chosen = kept.chosen;
      skipped = kept.skipped;
      let { edits, applied: fixes } = chooseFixes(chosen.map((c) => c.fix));
      if (!edits.length) break;
      let fixed = parseText(withEdits(nb.text, edits));
      if (fixed.problems > base) {
        // as in fixAll: the fixes that would break the syntax are left out, the others applied
        fixed.module.delete();
        ({ edits, applied: fixes } = chooseFixes(keepParsing(nb.text, chosen, base, broken)));
        if (!edits.length) {
          skipped = chosen.length; // the run stops here: all of them were left out
          break;
        }
        fixed = parseText(withEdits(nb.text, edits));
      }
      parsed.module.delete();
      parsed = fixed;
      const perCell: TextEdit[][] = current.map(() => []);
      for (const e of edits) {
        const { cell } = cellOf(nb, e.start);
        const at = nb.cellStarts[cell];
        perCell[cell].push({ start: e.start - at, end: e.end - at, newText: e.newText });
      }
      const next = current.map((c, i) => (perCell[i].length ? withEdits(c, perCell[i]) : c));
      if (next.every((c, i) => c === current[i])) break;
      countApplied(applied, chosen, new Set(fixes));
      current = next;
    }
  } finally {
    parsed.module.delete();
  }
  return { cells: current, applied, refused: skipped ? REFUSED : undefined };
}

/** Whether an edit of the joined cells stays inside one cell (an insertion at its end included, not the joining newline). */
function withinOneCell(nb: NotebookText, e: TextEdit): boolean {
  const { cell } = cellOf(nb, e.start);
  return e.end <= nb.cellStarts[cell] + nb.cellLengths[cell];
}

/** What makes a text not parse: tree-sitter's ERROR and MISSING nodes, and blocks left without a statement. */
export function countSyntaxErrors(text: string): number {
  const parsed = parseText(text);
  parsed.module.delete();
  return parsed.problems;
}
