// Incremental analysis of an open document: after an edit, only the top-level statements the edit changed, and
// those that depend on them, are resolved and checked again; every other statement's findings, API uses,
// statistics and syntax errors are reused from the previous analysis, moved to their new offsets.
//
// The re-checked statements are analysed with their context as if they were the whole module: their subtrees
// of the document's tree (re-parsed chunk by chunk) are copied alone, at the document's offsets and lines. How a
// statement's result can depend on the rest of the file, and how each way is covered:
//  - by name: a statement reads what others bind at module level (imports, classes, functions, assignments).
//    Resolution records, per statement, the names it binds, the names it looks up at module level and what it
//    leaves each bound to (exports). A kept statement is resolved with the names it reads seeded to what their
//    last binder exported, as plain data; the binder itself is resolved with it only when that is not plain
//    data (a class of this file or an instance of one; any statement defining a class of that name too, as
//    rules look classes up by name). After a run, the statements reading a name whose exported value changed
//    (up to the next statement rebinding it) are re-checked in another round. A changed statement is first
//    assumed to read what its old version read, and analysed again if it turns out to read more.
//  - through another statement's nodes: a rule reading a module-level assignment (assignedValue, or
//    readsAssignments) makes the assigning statement part of the context, and re-checks the reader when
//    that statement changes; statements sharing a line with a re-checked one are in its context (noqa).
//  - through the whole text: rules get the document's text; an edit that adds or removes text rules search the
//    whole file for (FILE_TEXT_FACTS) is analysed as a whole.
//  - through the file's first statements (where fixes insert imports): they are always kept, and an edit there
//    is analysed as a whole.
//  - through facts about all uses (MSP304 asks whether the file uses mixed precision anywhere): statements with
//    such uses, imports, `global` or a file-level noqa are always kept; if such a use appears or goes, the whole
//    file is analysed.
//  - through the names bound anywhere (a fix picks an alias no statement binds): each statement's bound names are
//    kept, and the result is used only if every name a rule asked about gets the same answer as before.
// A large class is one top-level statement; an edit inside one of its methods re-checks the class with that
// method and the members others depend on (those rules read by name: __init__, forward, construct,
// __getitem__; any binding an attribute, defining a class, importing, or using mixed precision), and the
// other methods keep what they found (`Statement.members`, `tryMember`). What the re-check finds outside the
// edited method must be what was found there before, or the whole file is analysed.
// A long top-level function is one statement too; an edit inside its body re-checks the function with the body
// statements it changed and those they cannot be resolved without, the others left out and the names they bind
// seeded with what they left (`Statement.body`, `tryBody`): the same checks, in the function's scope.
// Whenever a check fails (also: a rule failed, the change is large, settings changed) the whole file is
// analysed instead. `test/engine/incremental-analysis.test.ts` replays
// random edits and compares every result with a whole-file analysis.
import type { MappingDatabase } from '../mappings/database';
import { emptyAnalysis, runAnalysis, useSpanOf, type AnalysisRun, type DocumentAnalysis, type RunOptions, type TextFacts, type UseSpan } from './analyze';
import { addStats, emptyStats, type Finding, type TextEdit, type UseStats } from './findings';
import { classBodyOf, definitionOf, memberNameOf } from './definitions';
import type { PythonDocument, TextChange, TextRange } from './document';
import type { ModuleTree } from './moduleTree';
import type { Node, Tree } from './parser';
import type { BodyBindings, MemberBindings, Seed, StatementBindings, Value } from './resolve';
import { countUse } from './rules/apiMapping';
import { DFT_HELPER_MARKER } from './rules/msp201Fft';
import { USES_MIXED_PRECISION } from './rules/msp304NoAmp';
import { eol } from './rules/util';
import type { Settings } from './settings';
import type { NodeFilter } from './syntax';
import { ownCopy, type LineIndex } from './text';

/** One top-level statement (or comment) of the module and what analysing the file found in it. */
interface Statement {
  start: number;
  end: number;
  type: string;
  text: string;
  findings: Finding[];
  /** The distinct fix edits of its findings (each edit belongs to one statement's findings). */
  edits: TextEdit[];
  /** The largest end of those edits, and of those starting before the statement (-1: none). */
  editsEnd: number;
  remoteEnd: number;
  uses: UseSpan[];
  stats: UseStats;
  suppressed: number;
  errors: number;
  /** Names bound in any scope inside the statement. */
  bound: ReadonlySet<string>;
  /** Names bound at module level by the statement. */
  moduleBound: ReadonlySet<string>;
  /**
   * Names the statement reads at module level, as resolution found them; before a changed statement is analysed,
   * a guess (what its old version read), checked afterwards.
   */
  refs: ReadonlySet<string>;
  /**
   * What each name in `moduleBound` is bound to once the statement has run, as resolution found it: given to the
   * statements after it when they are analysed without it. TREE: a class of this file (or an instance of one),
   * which only resolving the statement itself gives.
   */
  exports: ReadonlyMap<string, Export>;
  /** Names of the classes defined anywhere in the statement (rules look classes up by name, whatever binds the name last). */
  classes: ReadonlySet<string>;
  /** Names the statement assigns plainly at module level (`name = …`: what rules' `assignedValue` finds). */
  assigns: ReadonlySet<string>;
  /** Names whose module-level assignment the statement's rules read (assignedValue): their assigning statements are analysed with it. */
  assigned: ReadonlySet<string>;
  /** Names all of whose module-level assignments its rules read (readsAssignments). */
  assignedAnywhere: ReadonlySet<string>;
  /** Names whose reads after it its rules read (readsLaterReads): a statement that reads one, or read one, re-checks it. */
  readsLater: ReadonlySet<string>;
  /** Carries a fact rules read about the whole file, so it is analysed with every change. */
  pinned: boolean;
  /** Uses mixed precision (autocast, GradScaler, apex.amp): MSP304 asks whether any statement does. */
  mixedPrecision: boolean;
  /** For a top-level class of at least `memberMinChars`: what each member of its body found (see tryMember). */
  members?: Member[];
  /** For a top-level function of at least `memberMinChars`: what each statement of its body found (see tryBody). */
  body?: FunctionBody;
}

/** What the analysis of a long top-level function found, statement by statement of its body. */
interface FunctionBody {
  /** Where the function definition starts (after its decorators): the scope rules' `assignedValue` reads. */
  defStart: number;
  statements: BodyStatement[];
  /** What it found outside its body's statements (decorators, the `def` line, parameters, trailing comments). */
  header: Tally;
}

/** Counts kept for part of a statement, summed into the statement's. */
interface Tally {
  stats: UseStats;
  suppressed: number;
  errors: number;
}

/** A statement of a long function's body: what it binds and reads in the function's scope, and what it found. */
interface BodyStatement extends Tally {
  start: number;
  end: number;
  type: string;
  /** Names it binds in any scope. */
  all: ReadonlySet<string>;
  /** Names it binds in the function's scope, and what each is bound to after it (TREE: something of this file). */
  local: ReadonlySet<string>;
  exports: ReadonlyMap<string, Export>;
  /** Every name it looks up. */
  refs: ReadonlySet<string>;
  /** Names it assigns plainly in the function's scope (what `assignedValue` finds). */
  assigns: ReadonlySet<string>;
  /** Names whose last assignment before it (in the function's scope) its rules read, and those all of whose assignments they read. */
  assigned: ReadonlySet<string>;
  assignedAnywhere: ReadonlySet<string>;
  /** Names whose reads after it (in the function) its rules read, as Statement.readsLater. */
  readsLater: ReadonlySet<string>;
  /** Always part of a re-check: a comment, or it defines a class, imports, declares a global or holds a file-level noqa. */
  pinned: boolean;
  /** Holds `except` (an import fallback there keeps what came before: its bindings do not end a name's readers). */
  except: boolean;
  /** Uses mixed precision (MSP304 asks whether any statement does): pinned too. */
  mixed: boolean;
}

/** A member of a large class's body (a method, an assignment, a comment) and what the class's analysis found in it. */
interface Member {
  start: number;
  end: number;
  type: string;
  /** A method's name (a function definition, decorated or not); '' for anything else. */
  name: string;
  /** Names it binds (any scope) and reads at module level. */
  bound: ReadonlySet<string>;
  refs: ReadonlySet<string>;
  stats: UseStats;
  suppressed: number;
  errors: number;
  /**
   * What happens in it reaches beyond it other than by module-level names: it binds an attribute of the
   * instance (`self.x = …`, which other methods resolve), defines a class, imports, declares a global, holds a
   * file-level noqa, or uses mixed precision. It is always part of a class's re-check, and an edit in it re-checks the whole class.
   */
  reaching: boolean;
}

/**
 * Methods rules read by name from elsewhere (MSP301/302 `__init__`, MSP302/401 `forward`/`construct`, MSP405
 * `__getitem__`): always part of a class's re-check, and an edit in one re-checks the whole class. A rule that
 * starts reading another method by name must add it here.
 */
const SHARED_METHODS = new Set(['__init__', 'forward', 'construct', '__getitem__']);
/** A top-level class at least this long keeps what each member found, so that an edit in a method re-checks that method. */
const MEMBER_MIN_CHARS = 10000;

export interface IncrementalOptions {
  /** Classes and functions at least this long (in characters) are re-checked method by method, statement by statement (tests lower it). */
  memberMinChars?: number;
}

/** A value a statement leaves a module-level name bound to, as plain data (see Statement.exports). */
type Export = Value | null | typeof TREE;
const TREE = Symbol('bound to something of this file');

function exportOf(v: Value | null): Export {
  if (v === null) return null;
  if (v.kind === 'name') return { kind: 'name', qname: ownCopy(v.qname) };
  if (v.kind === 'instance' && !v.cls) return v.self === undefined ? { kind: 'instance', qname: ownCopy(v.qname), confidence: v.confidence } : { kind: 'instance', qname: ownCopy(v.qname), confidence: v.confidence, self: v.self };
  if (v.kind === 'function' && !v.returns.cls) return { kind: 'function', returns: { kind: 'instance', qname: ownCopy(v.returns.qname), confidence: v.returns.confidence } };
  return TREE;
}

/** Whether two exports are the same value (TREE never is: what it stands for can have changed). */
function sameExport(a: Export | undefined, b: Export | undefined): boolean {
  if (a === undefined || b === undefined || a === TREE || b === TREE) return a === undefined && b === undefined;
  if (a === null || b === null) return a === b;
  if (a.kind === 'name') return b.kind === 'name' && a.qname === b.qname;
  if (a.kind === 'function') return b.kind === 'function' && sameExport(a.returns, b.returns);
  return a.kind === 'instance' && b.kind === 'instance' && a.qname === b.qname && a.confidence === b.confidence && a.self === b.self;
}

/** What one analysis of a document starts from. */
interface Input {
  text: string;
  /** The text's tree (kept by the caller and re-parsed incrementally). */
  module: ModuleTree;
  settings: Settings;
  db: MappingDatabase;
  /** Where the syntax changed since the previous call's tree, when known. */
  changes: readonly TextRange[] | undefined;
  /** Where the text changed since the snapshot's (null: nowhere), when the document knows. */
  textChange: TextChange | null | undefined;
  /** The text's line index (the document's). */
  lines: LineIndex;
}

interface Snapshot {
  text: string;
  settings: Settings;
  db: MappingDatabase;
  statements: Statement[];
  /** Names any analysis asked `boundNames` about since the last full analysis. */
  queried: Set<string>;
  /** Every name the statements bind (their `bound` sets together). */
  bound: Set<string>;
  /** The file-level noqa in force (AnalysisRun.fileNoqa). */
  fileNoqa: string;
  /** What rules asked of the whole text (RuleContext.textHas): still true after an edit FILE_TEXT_FACTS allows. */
  textFacts: TextFacts;
}

export interface IncrementalStats {
  /** Analyses that reused statements, and whole-file analyses. */
  incremental: number;
  full: number;
  /** Of the incremental ones: those that re-checked one method of a large class. */
  members: number;
  /** Of the incremental ones: those that re-checked some statements of a long function's body. */
  bodies: number;
  /** Why the last whole-file analysis happened. */
  lastFullReason: string;
}

const EXCEPT = /\bexcept\b/;
/** An empty name set statements share (replaced, not added to). */
const NO_NAMES: ReadonlySet<string> = new Set<string>();

/** Statements whose text alone says they must always be analysed (imports, `global`, file-level noqa). */
const PIN_TEXT = /\bimport\b|\bglobal\b|mindport:\s*noqa/;
/**
 * Text that rules search the whole file for (through RuleContext.textHas: recompute/checkpointing calls,
 * mixed-precision set-up, GradScaler's step/update/unscale_ calls (msp303Amp.SCALER_CALLS) and what a scaler name is used for (any identifier with `scaler` in it); TODO markers left by fixes, the DFT helper, file-level noqa comments): a change that adds
 * or removes any of it analyses the whole file, so `textHas` answers carry over any other. A rule that starts
 * searching the whole text for something else must add it here.
 */
const FILE_TEXT_FACTS = new RegExp(
  String.raw`[\w.\[\]]*\.recompute\(\)?|set_grad_checkpointing|gradient_checkpointing_enable|auto_mixed_precision|amp_level|\.to_float\(|LossScale|\.(?:unscale_|step)\(|\.update\(\)|\w*[sS]caler\w*|TODO\(mindport\)[^\n]*|mindport:\s*noqa[^\r\n]*|` +
    DFT_HELPER_MARKER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  'g',
);
/** Above this share of the file changed, analysing everything is as cheap. */
const MAX_CHANGED_SHARE = 0.5;
/**
 * Above this share of the file to re-analyse (changed statements, those depending on them and their context),
 * analysing everything is cheaper, bookkeeping included (a flat script whose statements share a few names).
 */
const MAX_KEPT_SHARE = 0.3;
/** Below this many characters the share rule does not apply (either way is quick; the tests exercise the path). */
const SMALL_FILE = 20000;
/** Analyses of one edit (rounds of dependents, and re-runs for what a run found missing) before giving up. */
const MAX_RUNS = 12;

/**
 * Analyses one document again and again. The findings and use spans of an analysis are reused by the next one
 * (those after an edit are moved in place): use a result before analysing the document again.
 */
export class IncrementalAnalyzer {
  private snapshot: Snapshot | undefined;
  readonly stats: IncrementalStats = { incremental: 0, full: 0, members: 0, bodies: 0, lastFullReason: '' };
  private readonly memberMinChars: number;

  constructor(options: IncrementalOptions = {}) {
    this.memberMinChars = options.memberMinChars ?? MEMBER_MIN_CHARS;
  }
  private parsesSeen = -1;
  /** The document version the snapshot's text is, when it came from analyzeDocument. */
  private textVersionSeen: number | undefined;

  /** Analyses an open document (re-parsed incrementally, which tells where its syntax changed). */
  analyzeDocument(doc: PythonDocument, settings: Settings, db: MappingDatabase): DocumentAnalysis {
    const tree = doc.tree;
    // the changed ranges are relative to the previous parse: usable if that is the tree last analysed
    const changes = doc.parseCount === this.parsesSeen ? [] : doc.parseCount === this.parsesSeen + 1 ? doc.lastChangedRanges : undefined;
    this.parsesSeen = doc.parseCount;
    // where the text changed since the snapshot, when the document still knows: text outside it need not be compared
    const textChange = this.textVersionSeen === undefined ? undefined : doc.textChangeSince(this.textVersionSeen);
    const result = this.analyzeWith({ text: doc.text, module: tree, settings, db, changes, textChange, lines: doc.lines });
    this.textVersionSeen = doc.textVersion;
    return result;
  }

  private analyzeWith(input: Input): DocumentAnalysis {
    const { text, module, settings, db } = input;
    let result: DocumentAnalysis | string;
    try {
      result = this.snapshot ? this.tryIncremental(input, this.snapshot) : 'first analysis';
    } catch (err) {
      result = `incremental analysis failed: ${(err as Error).message}`;
    }
    if (typeof result !== 'string') {
      this.stats.incremental++;
      return result;
    }
    this.stats.full++;
    this.stats.lastFullReason = result;
    return this.full(text, module, settings, db, input.lines);
  }

  private full(text: string, module: ModuleTree, settings: Settings, db: MappingDatabase, lines: LineIndex): DocumentAnalysis {
    this.snapshot = undefined;
    let run: AnalysisRun;
    try {
      run = runAnalysis(text, module.copy(lines), lines, settings, db, { recordQueries: true, bodiesFrom: this.memberMinChars });
    } catch (err) {
      return { ...emptyAnalysis(), internalErrors: [`analysis failed: ${(err as Error).stack ?? err}`] };
    }
    const root = run.tree.rootNode;
    if (root.type === 'module' && !run.analysis.internalErrors.length) {
      const statements = root.children.map((c) => emptyStatement(text, c.startIndex, c.endIndex, c.type));
      fill(statements, new Set(statements), run, this.memberMinChars);
      this.snapshot = { text, settings, db, statements, queried: run.queried, bound: unionBound(statements), fileNoqa: run.fileNoqa, textFacts: run.textFacts };
    }
    return { ...run.analysis, useSpans: run.resolution.uses.map(useSpanOf) };
  }

  private tryIncremental(input: Input, old: Snapshot): DocumentAnalysis | string {
    const { text, module, settings, db, changes, textChange, lines } = input;
    if (settings !== old.settings || db !== old.db) return 'settings changed';
    const inMethod = this.tryMember(input, old);
    if (inMethod !== undefined) return inMethod;
    const inBody = this.tryBody(input, old);
    if (inBody !== undefined) return inBody;
    const delta = text.length - old.text.length;
    const fresh = module.statements;

    // statements before and after the change: same text at the same (or shifted) place
    const olds = old.statements;
    // what the old analysis knew about the whole file: taken now, since re-checking refills statements it shares
    const mixedBefore = olds.some((st) => st.mixedPrecision);
    const boundBefore = old.bound;
    // old text in [from, to) that the document says no edit touched, before the change (at the same place in the
    // new text) or after it (moved by delta): it need not be compared
    const untouchedBefore = (to: number) => textChange === null || (textChange !== undefined && to <= textChange.start);
    const untouchedAfter = (from: number) => textChange === null || (textChange !== undefined && from >= textChange.end - textChange.delta);
    let p = 0;
    while (p < olds.length && p < fresh.length && sameShape(olds[p], fresh[p], 0) && (untouchedBefore(olds[p].end) || sameText(text, olds[p], fresh[p].start))) p++;
    let s = 0;
    while (
      s < olds.length - p &&
      s < fresh.length - p &&
      sameShape(olds[olds.length - 1 - s], fresh[fresh.length - 1 - s], delta) &&
      (untouchedAfter(olds[olds.length - 1 - s].start) || sameText(text, olds[olds.length - 1 - s], fresh[fresh.length - 1 - s].start))
    )
      s++;
    // the changed region, old and new, from the end of the last statement before it to the start of the first after
    const oldFrom = p > 0 ? olds[p - 1].end : 0;
    const oldTo = s > 0 ? olds[olds.length - s].start : old.text.length;
    const newTo = oldTo + delta;
    // the matched statements' texts are equal; so must be the gaps between them (blank lines count for positions)
    const gapsEqual = (from: number, to: number, shift: number, untouched: (a: number, b: number) => boolean) => {
      for (let i = from; i < to; i++) {
        const a = i > 0 ? olds[i - 1].end : 0;
        const b = i < olds.length ? olds[i].start : old.text.length;
        if (!untouched(a, b) && old.text.slice(a, b) !== text.slice(a + shift, b + shift)) return false;
      }
      return true;
    };
    if (!gapsEqual(0, p, 0, (_, b) => untouchedBefore(b)) || !gapsEqual(olds.length - s + 1, olds.length + 1, delta, (a) => untouchedAfter(a))) {
      return 'text outside the changed statements differs';
    }
    if (newTo - oldFrom > MAX_CHANGED_SHARE * text.length) return 'large change';
    if (p <= leadingEnd(olds, old.text) || p <= leadingEnd(fresh, text)) return 'the leading imports changed';
    const oldRegion = old.text.slice(oldFrom, oldTo);
    const newRegion = text.slice(oldFrom, newTo);
    if (String(oldRegion.match(FILE_TEXT_FACTS)) !== String(newRegion.match(FILE_TEXT_FACTS))) return 'text the rules search the whole file for changed';
    if (eol(old.text) !== eol(text)) return 'line endings changed';

    // A statement with the same text can have a different tree after an edit elsewhere (an open bracket splits a
    // class into pieces whose parse depends on what precedes them): those tree-sitter re-built are re-checked.
    // Without tree-sitter's changed ranges, every statement whose parse may depend on its neighbours is: those
    // not starting a line, with a syntax error, or after one.
    const before = olds.slice(0, p);
    const after = olds.slice(olds.length - s);
    const afterAt = fresh.length - s; // index of the first statement after the change
    const delta0 = fresh.length - olds.length; // new index - old index, after the change
    // statements sharing a line with the change are re-checked too (a `# noqa` added after a one-line statement is
    // a statement of its own), in the new text or the old
    const noBreak = (t: string, a: number, b: number) => !/[\r\n]/.test(t.slice(a, b));
    const changedOld = olds.slice(p, olds.length - s);
    const changeStart = p < afterAt ? fresh[p].start : oldTo + delta; // in the new text
    const changeEnd = p < afterAt ? fresh[afterAt - 1].end : oldFrom;
    const oldChangeStart = changedOld.length ? changedOld[0].start : oldTo;
    const oldChangeEnd = changedOld.length ? changedOld[changedOld.length - 1].end : oldFrom;
    // what precedes a statement on its first line sets its columns
    const linePrefix = (t: string, at: number) => {
      let i = at;
      while (i > 0 && t.charCodeAt(i - 1) !== 10 && t.charCodeAt(i - 1) !== 13) i--;
      return t.slice(i, at);
    };
    const sharesLine = (i: number) =>
      i < p
        ? noBreak(text, fresh[i].end, changeStart) || noBreak(old.text, olds[i].end, oldChangeStart)
        : i >= afterAt &&
          (noBreak(text, changeEnd, fresh[i].start) || noBreak(old.text, oldChangeEnd, olds[i - delta0].start) || linePrefix(text, fresh[i].start) !== linePrefix(old.text, olds[i - delta0].start));
    const unsettled = fresh.map((f, i) => {
      if ((i < p || i >= afterAt) && sharesLine(i)) return true;
      if (changes) return changes.some((r) => (r.start < f.end && f.start < r.end) || (r.start === r.end && f.start <= r.start && r.start <= f.end));
      const prev = fresh[i - 1];
      return f.hasError || f.type === 'ERROR' || !atLineStart(text, f.start) || (prev !== undefined && (prev.hasError || prev.type === 'ERROR'));
    });
    // a cached fix that edits inside the changed region (an indented statement's fix that starts at its line's
    // start) cannot be moved with it: that statement is re-checked. Only statements whose edits reach the region
    // are looked at edit by edit: one before it with an edit ending at or after its start; one after it with an
    // edit starting before the statement (an import added at the top) and ending there, or, for an insertion
    // right at the statement's start, any edit.
    // An insertion right where the region starts clashes too: an import is inserted at the end of the line of the
    // statement before it, which text typed after that statement on its line moves.
    const clash = (st: Statement) => {
      // an edit touching the region counts: one ending where text is typed reaches the end of its line (an unwrap)
      for (const e of st.edits) if (e.end >= oldFrom && e.start <= oldTo) return true;
      return false;
    };
    for (let i = 0; i < before.length; i++) if (before[i].editsEnd >= oldFrom) unsettled[i] ||= clash(before[i]);
    for (let j = 0; j < after.length; j++) {
      const st = after[j];
      if (st.remoteEnd >= oldFrom || (oldFrom === oldTo && st.start === oldTo && st.edits.length > 0)) unsettled[afterAt + j] ||= clash(st);
    }

    // the new statement list: cached ones (moved by delta after the change) and fresh ones to analyse
    // until analysed, a changed statement is taken to read what the old ones read (checked below)
    const guess = new Set<string>();
    for (const st of changedOld) for (const n of st.refs) guess.add(n);
    const changed = fresh.slice(p, afterAt).map((f) => emptyStatement(text, f.start, f.end, f.type, new Set(guess)));
    const oldBreaks = lineBreaks(old.text, oldFrom, oldTo);
    const newBreaks = lineBreaks(text, oldFrom, newTo);
    const lineDelta = oldBreaks === undefined || newBreaks === undefined ? undefined : newBreaks - oldBreaks;
    const statements: Statement[] = [...before, ...changed, ...after.map((st) => shiftStatement(st, delta, lineDelta, oldTo, lines))];
    // the unsettled statements are analysed again too (each replaces its cached self, kept for comparison)
    const replaced = new Map<Statement, Statement>();
    let pending = new Set<Statement>(changed);
    statements.forEach((st, i) => {
      if (pending.has(st) || !unsettled[i]) return;
      statements[i] = emptyStatement(text, st.start, st.end, st.type, new Set(st.refs));
      replaced.set(statements[i], st);
      pending.add(statements[i]);
    });
    const graph = new Graph(statements, text);
    const regionFrom = p; // index of the first changed statement (or of the first after the change)
    let keptChars = 0;
    const queried = new Set(old.queried);
    const extra = new Set<Statement>(); // statements found needed as context by a run
    for (let round = 0, runs = 0; ; runs++) {
      if (runs >= MAX_RUNS) return 'dependencies kept growing';
      const keep = graph.contextFor(pending, extra);
      for (const st of keep) keptChars += st.end - st.start;
      // a script whose statements all share a few names re-checks most of itself: analyse it whole instead
      if (keptChars > MAX_KEPT_SHARE * text.length && text.length > SMALL_FILE) return 'much of the file depends on the change';
      const seeding = graph.seeding(keep);
      const run = analyseKept(module, text, lines, statements, keep, settings, db, seeding.seed, boundBefore, this.memberMinChars, undefined, { textFacts: old.textFacts });
      if (typeof run === 'string') return run;
      for (const q of run.queried) queried.add(q);
      // the pending statements as they were before this analysis (fill replaces their fields), to tell which names
      // now mean something else
      const before = round === 0 ? undefined : new Map([...pending].map((st) => [st, { ...st }] as const));
      fill(statements, pending, run, this.memberMinChars);
      // a name read by a kept statement whose value was not given to it, or an assignment a rule read in a
      // statement left out: analysed again with those
      if (seeding.missing.size || graph.unseeded(keep, run, seeding.considered) || graph.missedAssignments(keep, run)) {
        for (const st of seeding.missing) extra.add(st);
        graph.learnReads(keep, pending, run); // what kept statements turned out to read, for the next context
        if (before) for (const [st, b] of before) Object.assign(st, b); // compared again after the next analysis
        continue;
      }
      // names whose value (or assignment) later statements see changed: the statements reading them are next
      const next = new Set<Statement>();
      const changedAt = (i: number, d: Difference) => {
        for (const st of graph.readersAfter(i, d.values, d.assigns, (n) => d.tree.has(n))) if (!pending.has(st)) next.add(st);
      };
      // names re-checked statements started or stopped reading: statements whose rules read where those are read
      // (readsLaterReads) are next
      let reads: Set<string>;
      if (round === 0) {
        // the changed region as a whole: what the statements after it see of each name it binds, before and after
        changedAt(regionFrom + changed.length - 1, regionDifference(changedOld, statements.slice(regionFrom, regionFrom + changed.length)));
        for (const [now, was] of replaced) changedAt(graph.indexOf(now), regionDifference([was], [now]));
        const was = [...changedOld, ...replaced.values()];
        const now = [...statements.slice(regionFrom, regionFrom + changed.length), ...replaced.keys()];
        reads = readsChanged(was, now, [...was, ...now].some((st) => st.errors > 0) ? [...was, ...now].map((st) => st.text) : []);
      } else {
        for (const st of pending) changedAt(graph.indexOf(st), regionDifference([before!.get(st)!], [st]));
        reads = readsChanged([...before!.values()], [...pending]);
      }
      if (reads.size) for (const st of statements) if (st.readsLater.size && !pending.has(st) && [...st.readsLater].some((n) => reads.has(n))) next.add(st);
      if (next.size) {
        pending = next;
        round++;
        continue;
      }
      if (mixedBefore !== statements.some((st) => st.mixedPrecision)) return 'mixed precision use appeared or went';
      // a file-level noqa hides every statement's findings: the same comment text can start or stop counting
      // (a line of its own, a comment rather than a string), and the statements holding it are always kept
      if (run.fileNoqa !== old.fileNoqa) return 'a file-level noqa appeared or went';
      // every name a rule asked about (for a fresh alias) must get the answer it got when cached results were made
      const boundAfter = unionBound(statements);
      for (const q of queried) if (boundBefore.has(q) !== boundAfter.has(q)) return `bound names changed (${q})`;
      this.snapshot = { text, settings, db, statements, queried, bound: boundAfter, fileNoqa: run.fileNoqa, textFacts: run.textFacts };
      return merge(statements);
    }
  }

  /**
   * An edit inside one method of a large class (one with `members`): the class is re-checked with that method and
   * the members others depend on (SHARED_METHODS, `reaching` ones, anything not a method), the other methods left
   * out of its tree, and keep what they found. Undefined: not such an edit (nothing was changed; the statement by
   * statement analysis goes on); a string: why the re-check could not be used, after cached statements were moved
   * (the whole file is analysed then).
   */
  private tryMember(input: Input, old: Snapshot): DocumentAnalysis | string | undefined {
    const { text, module, settings, db, lines } = input;
    const edited = editedStatement(input, old, (st) => !!st.members && !st.mixedPrecision);
    if (!edited) return undefined;
    const { i, st, textChange, delta, oldEnd } = edited;
    const olds = old.statements;
    const members = st.members!;
    // the edited method: the change inside it; a method others do not read by name, binding nothing they resolve
    // (its region: up to the next member, as text typed after its last line, blank or not yet part of it, is)
    const k = lastStartingBy(members, textChange.start);
    const m = members[k];
    const regionEnd = k + 1 < members.length ? members[k + 1].start : st.end;
    if (!m || m.start > textChange.start || oldEnd > regionEnd || m.name === '' || m.reaching || SHARED_METHODS.has(m.name)) return undefined;
    const now = module.classMembers(i);
    if (!now || now.length !== members.length) return undefined;
    let retyped = false;
    for (let j = 0; j < members.length; j++) {
      const a = members[j];
      const b = now[j];
      const d = j > k ? delta : 0;
      // the edited method may turn into an ERROR node and back while a bracket is open in it (its name stays)
      if (j === k && b.type !== a.type && EDITABLE_TYPES.has(a.type) && EDITABLE_TYPES.has(b.type)) retyped = true;
      else if (b.type !== a.type) return undefined;
      if (b.start !== a.start + d) return undefined;
      if (j === k ? b.name !== a.name || b.end > regionEnd + delta : b.end !== a.end + d || b.hasError !== a.errors > 0) return undefined;
    }
    // as an ERROR node it defines no method for name resolution (and defines one again once it parses): where the
    // class refers to its name elsewhere, what that resolves to changes
    if (retyped && namedIn(m.name, text.slice(st.start, m.start) + '\n' + text.slice(regionEnd + delta, st.end + delta))) return undefined;
    const oldText = old.text.slice(m.start, regionEnd);
    const newText = text.slice(m.start, regionEnd + delta);
    if (PIN_TEXT.test(newText) || String(oldText.match(FILE_TEXT_FACTS)) !== String(newText.match(FILE_TEXT_FACTS))) return undefined;
    const lineDelta = lineDeltaOf(old.text, text, textChange);
    // cached fix edits reaching into the edited method, from other statements or the class's other members
    const outside = (f: { start: number }) => f.start < m.start || f.start >= regionEnd;
    if (lineDelta === undefined || editsReach(olds, i, m.start, regionEnd, outside)) return undefined;

    // ---- from here on cached statements are moved: a failure analyses the whole file ----
    const moved = (o: number) => (o >= oldEnd ? o + delta : o);
    const { statements, now: cls } = movedStatements(olds, i, text, edited, lineDelta, lines);
    // the members left out of the tree: methods, neither edited nor read by others
    const dropped = members.filter((x, j) => j !== k && x.name !== '' && !x.reaching && !SHARED_METHODS.has(x.name));
    const droppedAt = new Map(dropped.map((x) => [moved(x.start), moved(x.end)] as const));
    const dropNode: NodeFilter = { minDepth: 3, drop: (start, end) => droppedAt.get(start) === end };
    const droppedNames = [...new Set(dropped.map((x) => x.name))];
    const classMethods = (start: number) => (start === cls.start ? droppedNames : undefined);
    const graph = new Graph(statements, text);
    const pending = new Set([cls]);
    const extra = new Set<Statement>();
    let run: AnalysisRun | string;
    for (let runs = 0; ; runs++) {
      if (runs >= MAX_RUNS) return 'dependencies kept growing';
      const keep = graph.contextFor(pending, extra);
      const seeding = graph.seeding(keep);
      run = analyseKept(module, text, lines, statements, keep, settings, db, seeding.seed, old.bound, this.memberMinChars, dropNode, { classMethods, textFacts: old.textFacts });
      if (typeof run === 'string') return run;
      learnModuleReads(cls, run);
      if (seeding.missing.size || graph.unseeded(keep, run, seeding.considered) || graph.missedAssignments(keep, run)) {
        for (const x of seeding.missing) extra.add(x);
        graph.learnReads(keep, pending, run);
        continue;
      }
      break;
    }
    const b = run.resolution.bindingsByStatement.get(cls.start);
    const nodes = memberNodes(run.tree, cls.start);
    const mStart = m.start;
    const mEnd = regionEnd + delta;
    const mNode = nodes?.find((n) => n.startIndex === mStart);
    if (!b?.members || !mNode || mNode.endIndex > mEnd) return 'the edited method was not found again';
    const inNode = (at: number) => at >= mNode.startIndex && at < mNode.endIndex;
    const mUses: number[] = [];
    run.resolution.uses.forEach((u, j) => inNode(u.node.startIndex) && mUses.push(j));
    const fresh1 = memberRecord(mNode, run, b.members.get(mStart), text, mUses, run.suppressedAt.filter(inNode).length);
    if (fresh1.reaching || fresh1.name !== m.name) return 'the edited method binds what other members resolve';
    // what the re-check found outside the edited method must be what the class's last analysis found there
    const droppedSet = new Set(dropped);
    const isDropped = (o: number) => {
      const x = members[lastStartingBy(members, o)];
      return x !== undefined && o >= x.start && o < x.end && droppedSet.has(x);
    };
    const compared = (o: number) => o >= cls.start && o < cls.end && (o < mStart || o >= mEnd);
    const differs = foundAsBefore(
      { findings: st.findings.filter((f) => outside(f) && !isDropped(f.start)), uses: st.uses.filter((u) => outside(u) && !isDropped(u.start)) },
      { findings: run.analysis.findings.filter((f) => compared(f.start)), uses: run.resolution.uses.map(useSpanOf).filter((u) => compared(u.start)) },
      moved,
      oldEnd,
      lineDelta,
    );
    if (differs === 'findings') return 'the class found something else outside the edited method';
    if (differs === 'uses') return 'the class resolved something else outside the edited method';
    if (run.fileNoqa !== old.fileNoqa) return 'a file-level noqa appeared or went';

    // the class's results: the other members' as they were (moved), the edited method's from the re-check
    moveEdits(st.edits, oldEnd, delta);
    const after = st.findings.filter((f) => f.start >= regionEnd);
    for (const f of after) moveFinding(f, delta, lineDelta, lines);
    const inEdited = (o: number) => o >= mStart && o < mEnd;
    cls.findings = [...st.findings.filter((f) => f.start < m.start), ...run.analysis.findings.filter((f) => inEdited(f.start)).map(ownStrings), ...after];
    const newUses: UseSpan[] = [];
    run.resolution.uses.forEach((u) => {
      const span = useSpanOf(u);
      if (inEdited(span.start)) newUses.push({ ...span, qname: ownCopy(span.qname) });
    });
    const kept = st.uses.filter(outside);
    moveSpans(kept.filter((u) => u.start >= regionEnd), delta);
    moveSpans(members.slice(k + 1), delta);
    const list = (cls.members = [...members.slice(0, k), fresh1, ...members.slice(k + 1)]);
    // in the order resolution visits them: the class's header, then __init__, then the other members in text order
    const rank = (o: number) => {
      const j = lastStartingBy(list, o);
      return j < 0 ? -2 : list[j].name === '__init__' && o < list[j].end ? -1 : j;
    };
    cls.uses = [...kept, ...newUses].map((u) => [rank(u.start), u] as const).sort((x, y) => x[0] - y[0]).map(([, u]) => u);
    cls.stats = addStats(addStats(st.stats, m.stats, -1), fresh1.stats);
    cls.suppressed = st.suppressed - m.suppressed + fresh1.suppressed;
    cls.errors = st.errors - m.errors + fresh1.errors;
    cls.bound = union(b.all, ...dropped.map((x) => x.bound));
    cls.refs = union(b.refs, ...dropped.map((x) => x.refs));
    collectEdits(cls);
    const result = this.settle(input, old, statements, run);
    if (typeof result !== 'string') this.stats.members++;
    return result;
  }

  /**
   * The result of a re-check inside one statement (tryMember, tryBody), if every name a rule asked about (for a
   * fresh alias) gets the answer it got when the cached results were made; the snapshot for the next edit.
   */
  private settle(input: Input, old: Snapshot, statements: Statement[], run: AnalysisRun): DocumentAnalysis | string {
    const queried = new Set(old.queried);
    for (const q of run.queried) queried.add(q);
    const boundAfter = unionBound(statements);
    for (const q of queried) if (old.bound.has(q) !== boundAfter.has(q)) return `bound names changed (${q})`;
    this.snapshot = { text: input.text, settings: input.settings, db: input.db, statements, queried, bound: boundAfter, fileNoqa: run.fileNoqa, textFacts: run.textFacts };
    return merge(statements);
  }

  /**
   * An edit inside the body of a long top-level function (one with `body`): the function is re-checked with the
   * body statements the edit changed, those always kept (`pinned`) and those they cannot be resolved without (the
   * binder of a name they read whose value is not plain data, the assigner of a name whose assignment their rules
   * read); the other statements are left out of its tree, and the names kept ones read are seeded with what their
   * last binder left them bound to (`ResolveOptions.bodySeed`). Statements after the change reading a name whose
   * value it changed are re-checked in another round. What the re-check finds outside the re-checked statements
   * must be what was found there before (moved), or the whole file is analysed. Undefined: not such an edit.
   */
  private tryBody(input: Input, old: Snapshot): DocumentAnalysis | string | undefined {
    const { text, module, settings, db, lines } = input;
    // not in the decorators, `def` line or parameters
    const edited = editedStatement(input, old, (st, at) => !!st.body?.statements.length && at >= st.body.statements[0].start);
    if (!edited) return undefined;
    const { i, st, textChange, changes, delta, oldEnd } = edited;
    const olds = old.statements;
    const fb = st.body!;
    const body = fb.statements;
    const now = module.functionBody(i);
    if (!now) return undefined;
    // the body statements before and after the change: where they were (those after it moved), not re-built by
    // tree-sitter, and not on a line of the change
    const touched = (a: number, b: number) => changes.some((r) => (r.start < b && a < r.end) || (r.start === r.end && a <= r.start && r.start <= b));
    const lineBetween = (t: string, a: number, b: number) => a <= b && /[\r\n]/.test(t.slice(a, b));
    let p = 0;
    while (p < body.length && p < now.length) {
      const a = body[p];
      const b = now[p];
      if (a.start !== b.start || a.end !== b.end || a.type !== b.type || a.end > textChange.start || touched(b.start, b.end) || a.errors > 0 !== b.hasError) break;
      p++;
    }
    while (p > 0 && !lineBetween(text, body[p - 1].end, textChange.start)) p--;
    let s = 0;
    while (s < body.length - p && s < now.length - p) {
      const a = body[body.length - 1 - s];
      const b = now[now.length - 1 - s];
      if (a.start + delta !== b.start || a.end + delta !== b.end || a.type !== b.type || a.start < oldEnd || touched(b.start, b.end) || a.errors > 0 !== b.hasError) break;
      s++;
    }
    while (s > 0 && !lineBetween(old.text, oldEnd, body[body.length - s].start)) s--;
    const changedOld = body.slice(p, body.length - s);
    const changedNow = now.slice(p, now.length - s);
    // the changed span, old and new: the change and the statements it touched
    const oldA = Math.min(textChange.start, changedOld[0]?.start ?? Infinity);
    const oldB = Math.max(oldEnd, changedOld[changedOld.length - 1]?.end ?? -1);
    const newA = Math.min(textChange.start, changedNow[0]?.start ?? Infinity);
    const newB = Math.max(textChange.end, changedNow[changedNow.length - 1]?.end ?? -1);
    if (oldA !== newA) return undefined;
    const oldText = old.text.slice(oldA, oldB);
    const newText = text.slice(newA, newB);
    if (PIN_TEXT.test(oldText) || PIN_TEXT.test(newText) || CLASS_TEXT.test(oldText) || CLASS_TEXT.test(newText)) return undefined;
    if (String(oldText.match(FILE_TEXT_FACTS)) !== String(newText.match(FILE_TEXT_FACTS))) return undefined;
    const lineDelta = lineDeltaOf(old.text, text, textChange);
    // cached fix edits reaching into the changed span, from other statements or the function's other parts
    const outside = (f: { start: number }) => f.start < oldA || f.start >= oldB;
    if (lineDelta === undefined || editsReach(olds, i, oldA, oldB, outside)) return undefined;

    // ---- from here on cached statements are moved: a failure analyses the whole file ----
    const moved = (o: number) => (o >= oldEnd ? o + delta : o);
    const { statements, now: fn } = movedStatements(olds, i, text, edited, lineDelta, lines);
    // the body now: the statements before the change as they were, those after it moved, the changed ones to analyse
    // (until analysed, taken to read what the old ones read)
    const guess = new Set<string>();
    for (const x of changedOld) for (const n of x.refs) guess.add(n);
    const changed = changedNow.map((x) => emptyBodyStatement(x.start, x.end, x.type, new Set(guess)));
    const after = body.slice(body.length - s);
    moveSpans(after, delta);
    const list = [...body.slice(0, p), ...changed, ...after];
    const index = new Map(list.map((x, j) => [x, j] as const));
    const pending = new Set<BodyStatement>(changed);
    const replaced = new Map<BodyStatement, BodyStatement>(); // readers re-checked: their cached records
    const diffed = new Set<BodyStatement>();
    const extraBody = new Set<BodyStatement>();
    const graph = new Graph(statements, text);
    const pendingTop = new Set([fn]);
    const extraTop = new Set<Statement>();
    const defStart = fb.defStart;
    let run: AnalysisRun | string;
    let records: ReturnType<typeof bodyRecords>;
    let keptBody: Set<BodyStatement>;
    let keptChars = 0;
    let binders: LocalBinders | undefined;
    for (let runs = 0; ; runs++) {
      if (runs >= MAX_RUNS) return 'dependencies kept growing';
      binders ??= new LocalBinders(list);
      keptBody = bodyContext(list, index, binders, pending, extraBody);
      for (const x of keptBody) keptChars += x.end - x.start;
      // a body whose statements all share a few names re-checks most of itself: analyse it whole instead
      if (keptChars > MAX_KEPT_SHARE * (fn.end - fn.start) && fn.end - fn.start > SMALL_FILE) return 'much of the function depends on the change';
      const keep = graph.contextFor(pendingTop, extraTop);
      const seeding = graph.seeding(keep);
      const bodySeeding = bodySeedingFor(list, index, binders, keptBody);
      const droppedSpans = new Map<number, number>();
      for (const x of list) if (!keptBody.has(x)) droppedSpans.set(x.start, x.end);
      const dropNode: NodeFilter = { minDepth: 3, drop: (a, b) => droppedSpans.get(a) === b };
      run = analyseKept(module, text, lines, statements, keep, settings, db, seeding.seed, old.bound, this.memberMinChars, dropNode, {
        bodySeed: (f, at) => (f === fn.start ? bodySeeding.seed(at) : undefined),
        textFacts: old.textFacts,
      });
      if (typeof run === 'string') return run;
      // a rule read the whole function (MSP404's one-step function): it is for the statement's re-check to see it all
      if (run.wholeBodies.has(defStart)) return 'a rule reads the whole function';
      learnModuleReads(fn, run);
      const b = run.resolution.bindingsByStatement.get(fn.start);
      let again = false;
      if (seeding.missing.size || graph.unseeded(keep, run, seeding.considered) || graph.missedAssignments(keep, run)) {
        for (const x of seeding.missing) extraTop.add(x);
        graph.learnReads(keep, pendingTop, run);
        again = true;
      }
      const bodies = b?.body;
      const node = run.tree.rootNode.namedChildren.find((c) => c.startIndex === fn.start);
      if (!bodies || !node) return "the function's body was not found again";
      // body statements the kept ones turned out to need: binders without a plain value, names read beyond those
      // seeded, assignments their rules read
      for (const x of bodySeeding.missing) {
        extraBody.add(x);
        again = true;
      }
      for (const x of keptBody) {
        const refs = bodies.get(x.start)?.refs;
        if (!refs) return 'a kept statement of the function was not found again';
        const seen = bodySeeding.considered.get(x.start);
        const j = index.get(x)!;
        for (const n of refs) {
          if (seen?.has(n)) continue;
          const k = binders.last(j, n);
          if (k >= 0 && !keptBody.has(list[k])) again = true;
        }
        if ([...refs].some((n) => !x.refs.has(n))) x.refs = union(x.refs, refs);
      }
      for (const { fn: f, name, at } of run.functionLaterReads) {
        if (f !== defStart) continue;
        const r = lastStartingBy(list, at);
        if (r < 0 || at >= list[r].end) continue;
        for (let k = r + 1; k < list.length; k++) if (list[k].refs.has(name) && !keptBody.has(list[k])) extraBody.add(list[k]), (again = true);
        if (!list[r].readsLater.has(name)) list[r].readsLater = union(list[r].readsLater, [name]);
      }
      for (const { fn: f, name, before, anywhere } of run.functionAssignmentReads) {
        if (f !== defStart) continue;
        const r = lastStartingBy(list, before);
        const reader = r >= 0 && before < list[r].end ? list[r] : undefined;
        if (anywhere) {
          for (const x of list) if (x.assigns.has(name) && !keptBody.has(x)) extraBody.add(x), (again = true);
          if (reader && !reader.assignedAnywhere.has(name)) reader.assignedAnywhere = union(reader.assignedAnywhere, [name]);
        } else {
          const k = lastBodyAssigner(list, r < 0 ? 0 : reader ? r : r + 1, name);
          if (k >= 0 && !keptBody.has(list[k])) extraBody.add(list[k]), (again = true);
          if (reader && !reader.assigned.has(name)) reader.assigned = union(reader.assigned, [name]);
        }
      }
      if (again) continue;
      records = bodyRecords(run, node, bodies);
      if (!records) return "the function's body was not found again";
      const fresh1 = new Map(records.statements.map((x) => [x.start, x] as const));
      for (const x of pending) {
        const r = fresh1.get(x.start);
        if (!r || r.end !== x.end) return 'a re-checked statement of the function was not found again';
        Object.assign(x, r);
      }
      binders = undefined; // the re-checked statements may bind other names now
      // names whose value (or assignment) later statements see changed: those statements are next
      const next = new Set<BodyStatement>();
      const changedAt = (last: number, d: Difference) => {
        for (const x of bodyReadersAfter(list, last, d)) if (!pending.has(x)) next.add(x);
      };
      // names re-checked statements started or stopped reading: statements whose rules read where those are read
      // (readsLaterReads) are next
      const wasRead: BodyStatement[] = [];
      const nowRead: BodyStatement[] = [];
      if (!diffed.size) {
        changedAt(p + changed.length - 1, bodyDifference(changedOld, changed));
        wasRead.push(...changedOld);
        nowRead.push(...changed);
      }
      for (const x of pending) {
        if (diffed.has(x)) continue;
        diffed.add(x);
        const was = replaced.get(x);
        if (was) changedAt(index.get(x)!, bodyDifference([was], [x]));
        if (was) wasRead.push(was), nowRead.push(x);
      }
      const erring = [...wasRead, ...nowRead].some((x) => x.errors > 0);
      // (the old statements' text is the old text's; a re-checked one's, unchanged, the new text's)
      const textOf = (x: BodyStatement) => (changedOld.includes(x) ? old.text : text).slice(x.start, x.end);
      const reads = readsChanged(wasRead, nowRead, erring ? [...wasRead, ...nowRead].map(textOf) : []);
      if (reads.size) for (const x of list) if (x.readsLater.size && !pending.has(x) && [...x.readsLater].some((n) => reads.has(n))) next.add(x);
      if (!next.size) {
        // whether the file uses mixed precision (MSP304) is not for the re-checked statements to change
        if (changedOld.some((x) => x.mixed) !== changed.some((x) => x.mixed) || [...replaced].some(([x, was]) => x.mixed !== was.mixed)) return 'mixed precision use appeared or went';
        break;
      }
      for (const x of next) {
        replaced.set(x, { ...x });
        pending.add(x);
      }
    }

    // what the re-check found outside the re-checked statements must be what the last analysis found there
    const pendingAt = (o: number) => {
      const j = lastStartingBy(list, o);
      return j >= 0 && o < list[j].end && pending.has(list[j]);
    };
    const droppedAt = (o: number) => {
      const j = lastStartingBy(list, o);
      return j >= 0 && o < list[j].end && !keptBody.has(list[j]);
    };
    const inFn = (o: number) => o >= fn.start && o < fn.end;
    const compared = (o: number) => !pendingAt(o) && !droppedAt(o);
    const differs = foundAsBefore(
      { findings: st.findings.filter((f) => outside(f) && compared(moved(f.start))), uses: st.uses.filter((u) => outside(u) && compared(moved(u.start))) },
      { findings: run.analysis.findings.filter((f) => inFn(f.start) && compared(f.start)), uses: run.resolution.uses.map(useSpanOf).filter((u) => inFn(u.start) && compared(u.start)) },
      moved,
      oldEnd,
      lineDelta,
    );
    if (differs === 'findings') return 'the function found something else outside the re-checked statements';
    if (differs === 'uses') return 'the function resolved something else outside the re-checked statements';
    if (run.fileNoqa !== old.fileNoqa) return 'a file-level noqa appeared or went';

    // the function's results: the re-checked statements' from the run, the rest as they were (moved)
    moveEdits(st.edits, oldEnd, delta);
    const kept = st.findings.filter((f) => outside(f) && !pendingAt(moved(f.start)));
    for (const f of kept) if (f.start >= oldEnd) moveFinding(f, delta, lineDelta, lines);
    const fresh2 = run.analysis.findings.filter((f) => pendingAt(f.start)).map(ownStrings);
    fn.findings = [...kept, ...fresh2].sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
    const header: UseSpan[] = [];
    const newUses = new Map<BodyStatement, UseSpan[]>();
    for (const u of run.resolution.uses) {
      const at = u.node.startIndex;
      if (!inFn(at)) continue;
      const j = lastStartingBy(list, at);
      const x = j >= 0 && at < list[j].end ? list[j] : undefined;
      const span = useSpanOf(u);
      span.qname = ownCopy(span.qname);
      if (!x) header.push(span);
      else if (pending.has(x)) {
        const group = newUses.get(x);
        if (group) group.push(span);
        else newUses.set(x, [span]);
      }
    }
    // in the order resolution visits them: the function's header, then its body's statements in text order
    const uses = header;
    const order = list.filter((x) => pending.has(x));
    let q = 0;
    for (const u of st.uses) {
      if (!outside(u)) continue;
      const at = moved(u.start);
      const j = lastStartingBy(list, at);
      if (j < 0 || at >= list[j].end || pending.has(list[j])) continue;
      while (q < order.length && order[q].start < list[j].start) uses.push(...(newUses.get(order[q++]) ?? []));
      if (at !== u.start) moveSpans([u], delta);
      uses.push(u);
    }
    while (q < order.length) uses.push(...(newUses.get(order[q++]) ?? []));
    fn.uses = uses;
    // counts: the function's, less what the old header and the re-checked statements counted, plus what they count now
    let tally: Tally = { stats: addStats(st.stats, fb.header.stats, -1), suppressed: st.suppressed - fb.header.suppressed, errors: st.errors - fb.header.errors };
    const add = (t: Tally, x: Tally, sign: 1 | -1): Tally => ({ stats: addStats(t.stats, x.stats, sign), suppressed: t.suppressed + sign * x.suppressed, errors: t.errors + sign * x.errors });
    for (const x of changedOld) tally = add(tally, x, -1);
    for (const was of replaced.values()) tally = add(tally, was, -1);
    for (const x of pending) tally = add(tally, x, 1);
    tally = add(tally, records!.header, 1);
    fn.stats = tally.stats;
    fn.suppressed = tally.suppressed;
    fn.errors = tally.errors;
    const b = run.resolution.bindingsByStatement.get(fn.start)!;
    fn.bound = union(b.all, ...list.filter((x) => !keptBody.has(x)).map((x) => x.all));
    fn.body = { defStart, statements: list, header: records!.header };
    collectEdits(fn);
    const result = this.settle(input, old, statements, run);
    if (typeof result !== 'string') this.stats.bodies++;
    return result;
  }
}

/** `set` with `name` added (an own copy), in place unless it is the shared empty set (filling a statement's fresh sets). */
function withName(set: ReadonlySet<string>, name: string): ReadonlySet<string> {
  return (set === NO_NAMES ? new Set<string>() : (set as Set<string>)).add(ownCopy(name));
}

/**
 * Whether a re-check found outside the re-checked part what the last analysis found there (`before`, in the old
 * text), moved as the edit moved text (`moved`: offsets; lines after `oldEnd` by `lineDelta`): findings and uses.
 */
function foundAsBefore(
  before: { findings: readonly Finding[]; uses: readonly UseSpan[] },
  found: { findings: readonly Finding[]; uses: readonly UseSpan[] },
  moved: (o: number) => number,
  oldEnd: number,
  lineDelta: number,
): 'findings' | 'uses' | undefined {
  const f0 = before.findings;
  if (found.findings.length !== f0.length || found.findings.some((f, j) => !sameFinding(f0[j], f, moved, (l) => (f0[j].start >= oldEnd ? l + lineDelta : l)))) return 'findings';
  const u0 = before.uses;
  if (found.uses.length !== u0.length || found.uses.some((u, j) => u.qname !== u0[j].qname || u.start !== moved(u0[j].start))) return 'uses';
  return undefined;
}

/** Adds what a re-checked statement turned out to read at module level (names, assignments), for the next context. */
function learnModuleReads(st: Statement, run: AnalysisRun): void {
  const refs = run.resolution.bindingsByStatement.get(st.start)?.refs;
  if (refs) st.refs = union(st.refs, refs);
  for (const { name, before: at, anywhere } of run.assignmentReads) {
    if (at < st.start || at >= st.end) continue;
    if (anywhere) st.assignedAnywhere = union(st.assignedAnywhere, [name]);
    else st.assigned = union(st.assigned, [name]);
  }
  for (const { name, at } of run.laterReads) if (at >= st.start && at < st.end) st.readsLater = union(st.readsLater, [name]);
}

/** An edit inside one top-level statement that `wants` it, where nothing else moved but by the edit. */
interface EditedStatement {
  i: number;
  st: Statement;
  textChange: TextChange;
  changes: readonly TextRange[];
  delta: number;
  /** The changed span's end in the old text. */
  oldEnd: number;
}

/**
 * The top-level statement an edit is inside (`wants`: asked with the edit's start), when every other statement is
 * where it was (those after it moved by the edit), the statement itself kept its start and type, and tree-sitter
 * re-built nothing outside it. Undefined otherwise.
 */
function editedStatement(input: Input, old: Snapshot, wants: (st: Statement, at: number) => boolean): EditedStatement | undefined {
  const { text, module, changes, textChange } = input;
  if (!textChange || changes === undefined) return undefined;
  const olds = old.statements;
  const fresh = module.statements;
  if (fresh.length !== olds.length) return undefined;
  const { delta } = textChange;
  const oldEnd = textChange.end - delta;
  const i = statementAt(olds, textChange.start);
  const st = olds[i];
  if (!st || textChange.start < st.start || oldEnd > st.end || !wants(st, textChange.start)) return undefined;
  for (let j = 0; j < olds.length; j++) if (j !== i && !sameShape(olds[j], fresh[j], j < i ? 0 : delta)) return undefined;
  if (fresh[i].start !== st.start || fresh[i].end !== st.end + delta || fresh[i].type !== st.type) return undefined;
  // (its chunk is re-parsed, blank lines after it included: the callers compare its parts)
  const from = i > 0 ? fresh[i - 1].end : 0;
  const to = i + 1 < fresh.length ? fresh[i + 1].start : text.length;
  for (const r of changes) if (r.start < from || r.end > to) return undefined;
  return { i, st, textChange, changes, delta, oldEnd };
}

/** How many lines the edit added (negative: removed), undefined if line endings changed or a CR could straddle. */
function lineDeltaOf(oldText: string, text: string, change: TextChange): number | undefined {
  if (eol(oldText) !== eol(text)) return undefined;
  const oldBreaks = lineBreaks(oldText, change.start, change.end - change.delta);
  const newBreaks = lineBreaks(text, change.start, change.end);
  return oldBreaks === undefined || newBreaks === undefined ? undefined : newBreaks - oldBreaks;
}

/**
 * Whether a cached fix edit reaches into the old text [from, to) of statement `i`: one of its own findings
 * outside that span (`outside`), or one of another statement's.
 */
function editsReach(olds: readonly Statement[], i: number, from: number, to: number, outside: (f: Finding) => boolean): boolean {
  const inOld = (e: TextEdit) => e.end >= from && e.start <= to;
  for (const f of olds[i].findings) if (outside(f)) for (const fix of f.fixes) if (fix.edits.some(inOld)) return true;
  for (let j = 0; j < olds.length; j++) {
    const o = olds[j];
    if (j !== i && (j < i ? o.editsEnd >= from : o.remoteEnd >= from) && o.edits.some(inOld)) return true;
  }
  return false;
}

/** The statement list after the edit: statement `i` copied with its new end and text, those after it moved. */
function movedStatements(olds: readonly Statement[], i: number, text: string, edited: EditedStatement, lineDelta: number, lines: LineIndex): { statements: Statement[]; now: Statement } {
  const { st, delta, oldEnd } = edited;
  const now: Statement = { ...st, end: st.end + delta, text: ownCopy(text.slice(st.start, st.end + delta)) };
  const statements = olds.slice();
  statements[i] = now;
  for (let j = i + 1; j < statements.length; j++) statements[j] = shiftStatement(olds[j], delta, lineDelta, oldEnd, lines);
  return { statements, now };
}

interface Difference {
  values: string[];
  assigns: string[];
  /** Those of `values` bound to something of this file (before or after). */
  tree: ReadonlySet<string>;
}

/** What statements after a region (or a statement) see differently now: names bound to another value, and names assigned anew. */
/**
 * The names read by one list of statements and not the other (what `readsLater` listeners are told of); with a
 * syntax error about, every name in `texts` too (whether code an error cuts off counts as a read is not told by
 * what resolution read).
 */
function readsChanged(was: readonly { refs: ReadonlySet<string> }[], now: readonly { refs: ReadonlySet<string> }[], texts: readonly string[] = []): Set<string> {
  const before = new Set<string>();
  for (const x of was) for (const n of x.refs) before.add(n);
  const after = new Set<string>();
  for (const x of now) for (const n of x.refs) after.add(n);
  const out = new Set<string>();
  for (const n of before) if (!after.has(n)) out.add(n);
  for (const n of after) if (!before.has(n)) out.add(n);
  for (const t of texts) for (const m of t.matchAll(/[A-Za-z_]\w*/g)) out.add(m[0]);
  return out;
}

function regionDifference(was: readonly Statement[], now: readonly Statement[]): Difference {
  // a class changed or appeared or went: whatever refers to its name (rules find classes by name)
  const tree = new Set<string>();
  for (const st of [...was, ...now]) for (const n of st.classes) tree.add(n);
  return difference(was, now, (st) => st.moduleBound, tree);
}

/**
 * What statements after a region see differently, given what each statement binds (`bound`, with `exports` for
 * those names): the names in `tree` (bound to something of this file, always), those whose last binding in the
 * region left another value, and every name the region assigns.
 */
function difference<T extends { exports: ReadonlyMap<string, Export>; assigns: ReadonlySet<string> }>(
  was: readonly T[],
  now: readonly T[],
  bound: (x: T) => ReadonlySet<string>,
  tree = new Set<string>(),
): Difference {
  const visible = (region: readonly T[], n: string): Export | undefined => {
    for (let i = region.length - 1; i >= 0; i--) if (bound(region[i]).has(n)) return region[i].exports.get(n) ?? TREE;
    return undefined;
  };
  const values = [...tree];
  const names = new Set<string>();
  const assigns = new Set<string>();
  for (const x of [...was, ...now]) {
    for (const n of bound(x)) names.add(n);
    for (const n of x.assigns) assigns.add(n);
  }
  for (const n of names) {
    if (tree.has(n)) continue;
    const a = visible(was, n);
    const b = visible(now, n);
    if (sameExport(a, b)) continue;
    values.push(n);
    if (a === TREE || b === TREE) tree.add(n);
  }
  return { values, assigns: [...assigns], tree };
}

/** Which statements give which names their values, and which read them: the statement list of one analysis. */
class Graph {
  constructor(
    private readonly statements: readonly Statement[],
    private readonly text: string,
  ) {}

  /** The statement's index (statements are in text order: found by bisection on its start). */
  indexOf(st: Statement): number {
    for (let i = statementAt(this.statements, st.start); i >= 0 && this.statements[i].start === st.start; i--) if (this.statements[i] === st) return i;
    return this.statements.indexOf(st);
  }

  /** The last statement before index `i` binding `n` at module level (-1: none). */
  private lastBinder(i: number, n: string): number {
    for (let j = i - 1; j >= 0; j--) if (this.statements[j].moduleBound.has(n)) return j;
    return -1;
  }

  /** The last statement before index `i` assigning `n` plainly at module level (-1: none). */
  private lastAssigner(i: number, n: string): number {
    for (let j = i - 1; j >= 0; j--) if (this.statements[j].assigns.has(n)) return j;
    return -1;
  }

  /**
   * The statements to resolve with `pending`: the leading ones, those always kept, the top-level comments (a
   * `# noqa` after a one-line statement is one) and, transitively, the statements a kept one cannot be analysed
   * without: the one giving a name it reads a value that is not plain data, and any binding it to a class of this
   * file or an instance of one (rules look classes up by name, wherever they are), and the one assigning a name whose
   * assignment its rules read. Every other name it reads is given the value its last binder exported.
   */
  contextFor(pending: ReadonlySet<Statement>, extra: ReadonlySet<Statement>): Set<Statement> {
    const all = this.statements;
    const keep = new Set<Statement>([...pending, ...extra]);
    for (let i = 0; i <= leadingEnd(all, this.text); i++) keep.add(all[i]);
    for (const st of all) if (st.pinned || st.type === 'comment') keep.add(st);
    // the statements sharing a line with a re-checked one: a `# noqa` at the end of its line can belong to the next
    // statement's tree (after a syntax error), and noqa comments count only where the tree has a comment
    const sameLine = (a: number, b: number) => !/[\r\n]/.test(this.text.slice(a, b));
    for (const st of pending) {
      const i = this.indexOf(st);
      for (let j = i; j > 0 && sameLine(all[j - 1].end, all[j].start); j--) keep.add(all[j - 1]);
      for (let j = i; j + 1 < all.length && sameLine(all[j].end, all[j + 1].start); j++) keep.add(all[j + 1]);
    }
    const treeBinders = this.treeBinders();
    let frontier = [...keep];
    while (frontier.length) {
      const next: Statement[] = [];
      const add = (j: number) => {
        const st = all[j];
        if (j < 0 || keep.has(st)) return;
        keep.add(st);
        next.push(st);
      };
      for (const st of frontier) {
        const i = this.indexOf(st);
        for (const n of st.refs) {
          const j = this.lastBinder(i, n);
          if (j >= 0 && !keep.has(all[j])) {
            const e = all[j].exports.get(n);
            if (e === undefined || e === TREE) add(j);
          }
          for (const k of treeBinders.get(n) ?? []) add(k);
        }
        for (const n of st.assigned) add(this.lastAssigner(i, n));
        for (const n of st.assignedAnywhere) all.forEach((other, k) => other.assigns.has(n) && add(k));
        for (const n of st.readsLater) all.forEach((other, k) => k > i && other.refs.has(n) && add(k));
      }
      frontier = next;
    }
    return keep;
  }

  /** Per name, the statements binding it (anywhere) to something of this file: rules look such things up by name. */
  private treeBinders(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    const add = (n: string, i: number) => {
      const list = out.get(n);
      if (!list) out.set(n, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    this.statements.forEach((st, i) => {
      for (const n of st.classes) add(n, i);
      for (const [n, e] of st.exports) if (e === TREE) add(n, i);
    });
    return out;
  }

  /**
   * Resolution's seed for an analysis of `keep`: before each kept statement, the names it reads whose last binder
   * is not kept, bound to what that binder exported. `missing`: binders found exporting no plain value (to keep);
   * `considered`: the names each kept statement (by start offset) was seeded for.
   */
  seeding(keep: ReadonlySet<Statement>) {
    const missing = new Set<Statement>();
    const considered = new Map<number, ReadonlySet<string>>();
    const byStart = new Map<number, number>();
    for (const st of keep) byStart.set(st.start, this.indexOf(st));
    const seed = (start: number): Seed[] | undefined => {
      const i = byStart.get(start);
      if (i === undefined) return undefined;
      const st = this.statements[i];
      considered.set(start, st.refs);
      const out: Seed[] = [];
      for (const n of st.refs) {
        const j = this.lastBinder(i, n);
        if (j < 0 || keep.has(this.statements[j])) continue;
        const e = this.statements[j].exports.get(n);
        if (e === undefined || e === TREE) missing.add(this.statements[j]);
        else out.push([n, e, this.statements[j].start]);
      }
      return out;
    };
    return { seed, missing, considered };
  }

  /** Whether a kept statement read a name it was not seeded for whose last binder was left out (it reads more than guessed). */
  unseeded(keep: ReadonlySet<Statement>, run: AnalysisRun, considered: ReadonlyMap<number, ReadonlySet<string>>): boolean {
    const treeBinders = this.treeBinders();
    for (const st of keep) {
      const refs = run.resolution.bindingsByStatement.get(st.start)?.refs;
      const seen = considered.get(st.start);
      if (!refs) continue;
      const i = this.indexOf(st);
      for (const n of refs) {
        if (seen?.has(n)) continue;
        const j = this.lastBinder(i, n);
        if (j >= 0 && !keep.has(this.statements[j])) return true;
        for (const k of treeBinders.get(n) ?? []) if (!keep.has(this.statements[k])) return true;
      }
    }
    return false;
  }

  /**
   * Adds to the kept statements not being re-checked what this run found them reading (names, assignments) beyond
   * what their cached analysis recorded (the re-checked ones are refilled from the run).
   */
  learnReads(keep: ReadonlySet<Statement>, pending: ReadonlySet<Statement>, run: AnalysisRun): void {
    for (const st of keep) {
      if (pending.has(st)) continue;
      const refs = run.resolution.bindingsByStatement.get(st.start)?.refs;
      if (refs && [...refs].some((n) => !st.refs.has(n))) st.refs = new Set([...st.refs, ...refs]);
    }
    for (const { name, before, anywhere } of run.assignmentReads) {
      const st = this.statements[statementAt(this.statements, before)];
      if (!keep.has(st) || pending.has(st)) continue;
      if (anywhere && !st.assignedAnywhere.has(name)) st.assignedAnywhere = new Set([...st.assignedAnywhere, name]);
      if (!anywhere && !st.assigned.has(name)) st.assigned = new Set([...st.assigned, name]);
    }
    for (const { name, at } of run.laterReads) {
      const st = this.statements[statementAt(this.statements, at)];
      if (keep.has(st) && !pending.has(st) && !st.readsLater.has(name)) st.readsLater = new Set([...st.readsLater, name]);
    }
  }

  /**
   * Whether a rule read a module-level assignment made in a statement left out of the analysis, or where a name is
   * read after it (readsLaterReads) when a statement reading it was left out.
   */
  missedAssignments(keep: ReadonlySet<Statement>, run: AnalysisRun): boolean {
    for (const { name, at } of run.laterReads) {
      const all = this.statements;
      for (let k = statementAt(all, at) + 1; k < all.length; k++) if (all[k].refs.has(name) && !keep.has(all[k])) return true;
    }
    for (const { name, before, anywhere } of run.assignmentReads) {
      if (anywhere) {
        if (this.statements.some((st) => st.assigns.has(name) && !keep.has(st))) return true;
        continue;
      }
      const i = statementAt(this.statements, before);
      const j = this.lastAssigner(i, name);
      if (j >= 0 && !keep.has(this.statements[j])) return true;
    }
    return false;
  }

  /**
   * The statements after index `i` that see a changed value of one of `values` (up to the next statement binding
   * it; anywhere for a name bound to something of this file, which rules look up by name) or read the changed
   * assignment of one of `assigns`.
   */
  readersAfter(i: number, values: readonly string[], assigns: readonly string[], treeValued: (n: string) => boolean): Statement[] {
    const all = this.statements;
    const out: Statement[] = [];
    for (const n of values) {
      if (treeValued(n)) {
        for (const st of all) if (st.refs.has(n)) out.push(st);
        continue;
      }
      for (let k = i + 1; k < all.length; k++) {
        if (all[k].refs.has(n)) out.push(all[k]);
        if (!all[k].moduleBound.has(n)) continue;
        // a rebinding ends it, but for one in an except clause: resolution keeps an imported name a fallback
        // there sets to None (`except ImportError: X = None`), so what it leaves depends on what came before
        if (!EXCEPT.test(all[k].text)) break;
        out.push(all[k]);
      }
    }
    for (const n of assigns) {
      for (const st of all) if (st.assignedAnywhere.has(n)) out.push(st);
      for (let k = i + 1; k < all.length; k++) {
        if (all[k].assigned.has(n)) out.push(all[k]);
        if (all[k].assigns.has(n)) break;
      }
    }
    return out;
  }
}

function emptyStatement(text: string, start: number, end: number, type: string, refs: ReadonlySet<string> = new Set<string>()): Statement {
  return {
    start, end, type, text: ownCopy(text.slice(start, end)), findings: [], edits: [], editsEnd: -1, remoteEnd: -1, uses: [], stats: emptyStats(), suppressed: 0, errors: 0,
    bound: new Set(), moduleBound: new Set(), refs, exports: new Map(), classes: NO_NAMES, assigns: NO_NAMES, assigned: NO_NAMES, assignedAnywhere: NO_NAMES, readsLater: NO_NAMES, pinned: false, mixedPrecision: false,
    members: undefined, body: undefined, // every statement has the same fields (one hidden class for V8)
  };
}

/** Whether an offset starts a line. */
function atLineStart(text: string, offset: number): boolean {
  const c = offset > 0 ? text.charCodeAt(offset - 1) : 10;
  return c === 10 || c === 13;
}

function sameShape(a: Statement, b: { start: number; end: number; type: string }, delta: number): boolean {
  return a.start + delta === b.start && a.end + delta === b.end && a.type === b.type;
}

/** Whether the new text holds a cached statement's text (the old text's [start, end)) at `newStart`. */
function sameText(text: string, st: Statement, newStart: number): boolean {
  return text.startsWith(st.text, newStart);
}

/** The index of the last statement starting at or before `offset` (0 if none), by bisection. */
function statementAt(statements: readonly { start: number }[], offset: number): number {
  return Math.max(0, lastStartingBy(statements, offset));
}

/** The index of the last of `items` (in text order) starting at or before `offset` (-1 if none), by bisection. */
function lastStartingBy(items: readonly { start: number }[], offset: number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function unionBound(statements: Statement[]): Set<string> {
  const all = new Set<string>();
  for (const st of statements) for (const n of st.bound) all.add(n);
  return all;
}

/**
 * The index of the last of the file's leading statements: imports, docstring, comments and guarded imports, up to
 * and including the first other statement. Fixes insert imports (and the DFT helper) after them.
 */
function leadingEnd(statements: readonly { type: string; start: number }[], text: string): number {
  let i = 0;
  const leading = (st: { type: string; start: number }) =>
    /^(import_statement|import_from_statement|future_import_statement|comment|if_statement|try_statement)$/.test(st.type) ||
    // a docstring (ImportPlanner's anchor); any other expression (an assignment) ends them
    (st.type === 'expression_statement' && /^[rRbBuUfF]{0,2}['"]/.test(text.slice(st.start, st.start + 3)));
  while (i < statements.length - 1 && leading(statements[i])) i++;
  return i;
}

/**
 * Analyses the kept statements: their subtrees of the document's tree are copied as if they were the whole
 * module (offsets and lines are the document's), names are resolved and the rules run over them.
 */
function analyseKept(
  module: ModuleTree,
  text: string,
  lines: LineIndex,
  statements: Statement[],
  keep: Set<Statement>,
  settings: Settings,
  db: MappingDatabase,
  seed: RunOptions['seed'],
  boundBefore: ReadonlySet<string>,
  memberMinChars: number,
  dropNode?: NodeFilter,
  more: Pick<RunOptions, 'classMethods' | 'bodySeed' | 'textFacts'> = {},
): AnalysisRun | string {
  const kept = statements.map((st) => keep.has(st));
  const run = runAnalysis(text, module.copy(lines, (i) => kept[i], dropNode), lines, settings, db, {
    recordQueries: true,
    seed,
    bodiesFrom: memberMinChars,
    ...more,
    // what the kept statements bind, or any statement did at the last analysis: where a queried name's answer
    // differs from the whole file's (a re-checked statement stopped binding it), the bound-names check after the
    // analysis falls back to a whole-file one
    boundNames: (r) => {
      const own = r.boundNames;
      return { has: (n: string) => own.has(n) || boundBefore.has(n) };
    },
  });
  if (run.analysis.internalErrors.length) return 'a rule failed';
  return run;
}

/**
 * Stores the results of `run` for the statements in `which` (statements of `text`, in order); a top-level class
 * of at least `memberMinChars` also keeps them member by member.
 */
function fill(statements: Statement[], which: Set<Statement>, run: AnalysisRun, memberMinChars: number): void {
  const targets = statements.filter((st) => which.has(st));
  for (const st of targets) {
    st.members = undefined;
    st.body = undefined;
    st.findings = [];
    st.uses = [];
    st.stats = emptyStats();
    st.suppressed = 0;
    st.errors = 0;
    st.bound = new Set();
    st.moduleBound = new Set();
    st.refs = new Set();
    st.exports = new Map();
    st.classes = NO_NAMES;
    st.assigns = NO_NAMES;
    st.assigned = NO_NAMES;
    st.assignedAnywhere = NO_NAMES;
    st.readsLater = NO_NAMES;
    st.pinned = false;
    st.mixedPrecision = false;
  }
  const at = (offset: number): Statement | undefined => {
    const st = statements[statementAt(statements, offset)];
    return st && which.has(st) ? st : undefined;
  };
  for (const f of run.analysis.findings) {
    const st = at(f.start);
    if (st) st.findings.push(ownStrings(f));
  }
  for (const st of targets) collectEdits(st); // every target's edits, from the findings it now holds
  run.resolution.uses.forEach((u, i) => {
    const st = at(u.node.startIndex);
    if (!st) return;
    const span = useSpanOf(u);
    span.qname = ownCopy(span.qname);
    st.uses.push(span);
    const v = run.verdicts[i];
    if (v) countUse(st.stats, u, v);
    if (USES_MIXED_PRECISION.test(u.qname)) st.pinned = st.mixedPrecision = true;
  });
  for (const c of run.resolution.classes) {
    const st = at(c.node.startIndex);
    if (st) st.classes = (st.classes === NO_NAMES ? new Set<string>() : (st.classes as Set<string>)).add(ownCopy(c.name));
  }
  for (const { name, before, anywhere } of run.assignmentReads) {
    const st = at(before);
    if (st && anywhere) st.assignedAnywhere = withName(st.assignedAnywhere, name);
    else if (st) st.assigned = withName(st.assigned, name);
  }
  for (const { name, at: o } of run.laterReads) {
    const st = at(o);
    if (st) st.readsLater = withName(st.readsLater, name);
  }
  for (const off of run.suppressedAt) {
    const st = at(off);
    if (st) st.suppressed++;
  }
  const root = run.tree.rootNode;
  for (const c of root.children) {
    const st = at(c.startIndex);
    if (!st || st.start !== c.startIndex) continue;
    st.errors += run.tree.errorsIn(c.id);
    const b = run.resolution.bindingsByStatement.get(c.startIndex);
    if (b) {
      st.bound = ownNames(b.all);
      st.moduleBound = ownNames(b.module);
      st.refs = ownNames(b.refs);
      if (b.exports?.size) {
        const exports = new Map<string, Export>();
        for (const [n, v] of b.exports) exports.set(ownCopy(n), exportOf(v));
        st.exports = exports;
      }
      if (b.assigns) st.assigns = ownNames(b.assigns);
    }
    if (PIN_TEXT.test(st.text)) st.pinned = true;
    if (st.end - st.start >= memberMinChars && !st.mixedPrecision && b?.members) st.members = classMemberRecords(run, c, b);
    // (a function whose whole body a rule read is re-checked whole: no body records)
    if (st.end - st.start >= memberMinChars && b?.body && !run.wholeBodies.has(definitionOf(c)?.startIndex ?? -1)) st.body = bodyRecords(run, c, b.body);
  }
}

/** What the class statement `c` found, member by member (undefined if it is not a class). */
function classMemberRecords(run: AnalysisRun, c: Node, b: StatementBindings): Member[] | undefined {
  const nodes = memberNodes(run.tree, c.startIndex);
  if (!nodes) return undefined;
  // the run's uses and hidden findings by member, in one pass each
  const uses = nodes.map(() => [] as number[]);
  const hidden = nodes.map(() => 0);
  const starts = nodes.map((n) => ({ start: n.startIndex }));
  const memberAt = (at: number) => {
    const j = lastStartingBy(starts, at);
    return j >= 0 && at < nodes[j].endIndex ? j : -1;
  };
  run.resolution.uses.forEach((u, i) => uses[memberAt(u.node.startIndex)]?.push(i));
  for (const at of run.suppressedAt) {
    const j = memberAt(at);
    if (j >= 0) hidden[j]++;
  }
  return nodes.map((n, j) => memberRecord(n, run, b.members?.get(n.startIndex), run.tree.text, uses[j], hidden[j]));
}

/**
 * What the function statement `c` of the run's tree found, statement by statement of its body (those the tree
 * holds: a re-check leaves some out), and outside them. Undefined if it is not a function definition.
 */
function bodyRecords(run: AnalysisRun, c: Node, bodies: ReadonlyMap<number, BodyBindings>): FunctionBody | undefined {
  const def = definitionOf(c);
  const block = def?.type === 'function_definition' ? def.childForFieldName('body') : null;
  if (!def || !block) return undefined;
  const nodes = block.namedChildren;
  const text = run.tree.text;
  const header: Tally = { stats: emptyStats(), suppressed: 0, errors: run.tree.errorsIn(c.id) };
  const records: BodyStatement[] = nodes.map((n) => {
    const b = bodies.get(n.startIndex);
    const own = text.slice(n.startIndex, n.endIndex);
    const record: BodyStatement = {
      start: n.startIndex,
      end: n.endIndex,
      type: n.type,
      all: ownNames(b?.all ?? NO_NAMES),
      local: ownNames(b?.local ?? NO_NAMES),
      exports: new Map(),
      refs: ownNames(b?.refs ?? NO_NAMES),
      assigns: ownNames(b?.assigns ?? NO_NAMES),
      assigned: NO_NAMES,
      assignedAnywhere: NO_NAMES,
      readsLater: NO_NAMES,
      pinned: n.type === 'comment' || PIN_TEXT.test(own) || run.tree.nodesOfTypeIn(n.id, ['class_definition']).length > 0,
      except: EXCEPT.test(own),
      mixed: false,
      stats: emptyStats(),
      suppressed: 0,
      errors: run.tree.errorsIn(n.id),
    };
    if (b?.exports) for (const [name, v] of b.exports) (record.exports as Map<string, Export>).set(ownCopy(name), exportOf(v));
    header.errors -= record.errors;
    return record;
  });
  const at = (offset: number): Tally | undefined => {
    if (offset < c.startIndex || offset >= c.endIndex) return undefined;
    const j = lastStartingBy(records, offset);
    return j >= 0 && offset < records[j].end ? records[j] : header;
  };
  run.resolution.uses.forEach((u, i) => {
    const t = at(u.node.startIndex);
    const v = run.verdicts[i];
    if (t && v) countUse(t.stats, u, v);
    if (t && t !== header && USES_MIXED_PRECISION.test(u.qname)) (t as BodyStatement).mixed = (t as BodyStatement).pinned = true;
  });
  for (const off of run.suppressedAt) {
    const t = at(off);
    if (t) t.suppressed++;
  }
  for (const { fn, name, before, anywhere } of run.functionAssignmentReads) {
    if (fn !== def.startIndex) continue;
    const j = lastStartingBy(records, before);
    if (j < 0 || before >= records[j].end) continue;
    if (anywhere) records[j].assignedAnywhere = withName(records[j].assignedAnywhere, name);
    else records[j].assigned = withName(records[j].assigned, name);
  }
  for (const { fn, name, at: o } of run.functionLaterReads) {
    if (fn !== def.startIndex) continue;
    const j = lastStartingBy(records, o);
    if (j >= 0 && o < records[j].end) records[j].readsLater = withName(records[j].readsLater, name);
  }
  return { defStart: def.startIndex, statements: records, header };
}

/** A body statement not analysed yet. */
function emptyBodyStatement(start: number, end: number, type: string, refs: ReadonlySet<string>): BodyStatement {
  return {
    start, end, type, all: NO_NAMES, local: NO_NAMES, exports: new Map(), refs, assigns: NO_NAMES, assigned: NO_NAMES, assignedAnywhere: NO_NAMES, readsLater: NO_NAMES,
    pinned: false, except: false, mixed: false, stats: emptyStats(), suppressed: 0, errors: 0,
  };
}

/** Which statements of a body bind each name in the function's scope (most names read are bound by none). */
class LocalBinders {
  private readonly byName = new Map<string, number[]>();
  constructor(list: readonly BodyStatement[]) {
    list.forEach((x, j) => {
      for (const n of x.local) {
        const at = this.byName.get(n);
        if (at) at.push(j);
        else this.byName.set(n, [j]);
      }
    });
  }

  /** The last statement before index `i` binding `n` (-1: none). */
  last(i: number, n: string): number {
    const at = this.byName.get(n);
    if (!at) return -1;
    let lo = 0;
    let hi = at.length; // first position with at[pos] >= i
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? at[lo - 1] : -1;
  }
}

/** The last statement of `list` before index `i` assigning `n` plainly in the function's scope (-1: none). */
function lastBodyAssigner(list: readonly BodyStatement[], i: number, n: string): number {
  for (let j = i - 1; j >= 0; j--) if (list[j].assigns.has(n)) return j;
  return -1;
}

/**
 * The body statements to resolve with `pending`: those always kept and, transitively, those a kept one cannot be
 * analysed without: the last binder of a name it reads when what that leaves is not plain data, and the
 * assigner of a name whose assignment its rules read.
 */
function bodyContext(list: readonly BodyStatement[], index: ReadonlyMap<BodyStatement, number>, binders: LocalBinders, pending: ReadonlySet<BodyStatement>, extra: ReadonlySet<BodyStatement>): Set<BodyStatement> {
  const keep = new Set<BodyStatement>([...pending, ...extra]);
  for (const x of list) if (x.pinned) keep.add(x);
  // two statements other than comments at least, when the body has two: a fix deleting a statement asks whether
  // it is its block's only one (deleteStatementEdit)
  const counted = (x: BodyStatement) => x.type !== 'comment';
  let count = 0;
  for (const x of keep) if (counted(x)) count++;
  for (let j = 0; count < 2 && j < list.length; j++) {
    if (!keep.has(list[j]) && counted(list[j])) {
      keep.add(list[j]);
      count++;
    }
  }
  let frontier = [...keep];
  while (frontier.length) {
    const next: BodyStatement[] = [];
    const add = (j: number) => {
      if (j < 0 || keep.has(list[j])) return;
      keep.add(list[j]);
      next.push(list[j]);
    };
    for (const x of frontier) {
      const i = index.get(x)!;
      for (const n of x.refs) {
        const j = binders.last(i, n);
        if (j < 0 || keep.has(list[j])) continue;
        const e = list[j].exports.get(n);
        if (e === undefined || e === TREE) add(j);
      }
      for (const n of x.assigned) add(lastBodyAssigner(list, i, n));
      for (const n of x.assignedAnywhere) list.forEach((y, k) => y.assigns.has(n) && add(k));
      // what its rules read of the statements after it: those reading the names
      for (const n of x.readsLater) list.forEach((y, k) => k > i && y.refs.has(n) && add(k));
    }
    frontier = next;
  }
  return keep;
}

/**
 * Resolution's `bodySeed` for a re-check keeping `keep`: before each kept statement, the names it reads whose last
 * binder is left out, bound to what that binder left them. `missing`: binders leaving no plain value (to keep);
 * `considered`: the names each kept statement (by start) was seeded for.
 */
function bodySeedingFor(list: readonly BodyStatement[], index: ReadonlyMap<BodyStatement, number>, binders: LocalBinders, keep: ReadonlySet<BodyStatement>) {
  const missing = new Set<BodyStatement>();
  const considered = new Map<number, ReadonlySet<string>>();
  const byStart = new Map<number, BodyStatement>();
  for (const x of keep) byStart.set(x.start, x);
  const seed = (start: number): Seed[] | undefined => {
    const x = byStart.get(start);
    if (!x) return undefined;
    considered.set(start, x.refs);
    const i = index.get(x)!;
    const out: Seed[] = [];
    for (const n of x.refs) {
      const j = binders.last(i, n);
      if (j < 0 || keep.has(list[j])) continue;
      const e = list[j].exports.get(n);
      if (e === undefined || e === TREE) missing.add(list[j]);
      else out.push([n, e, list[j].start]);
    }
    return out;
  };
  return { seed, missing, considered };
}

/** What the statements after a run of body statements see differently now (as regionDifference, in the function's scope). */
function bodyDifference(was: readonly BodyStatement[], now: readonly BodyStatement[]): Difference {
  return difference(was, now, (x) => x.local);
}

/**
 * The body statements after index `i` that see a changed value of one of `d.values` (up to the next statement
 * binding it, but for one holding `except`) or read the changed assignment of one of `d.assigns`.
 */
function bodyReadersAfter(list: readonly BodyStatement[], i: number, d: Difference): BodyStatement[] {
  const out: BodyStatement[] = [];
  for (const n of d.values) {
    for (let k = i + 1; k < list.length; k++) {
      if (list[k].refs.has(n)) out.push(list[k]);
      if (list[k].local.has(n) && !list[k].except) break;
    }
  }
  for (const n of d.assigns) {
    for (const x of list) if (x.assignedAnywhere.has(n)) out.push(x);
    for (let k = i + 1; k < list.length; k++) {
      if (list[k].assigned.has(n)) out.push(list[k]);
      if (list[k].assigns.has(n)) break;
    }
  }
  return out;
}

/** The members (named children of the body) of the class that top-level statement `start` defines. */
function memberNodes(tree: Tree, start: number): Node[] | undefined {
  for (const c of tree.rootNode.namedChildren) {
    if (c.startIndex !== start) continue;
    return classBodyOf(c)?.namedChildren;
  }
  return undefined;
}

/** Whether `name` (an identifier) occurs in `text` as a whole word (Python identifiers may be non-ASCII). */
function namedIn(name: string, text: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (!IDENTIFIER_CHAR.test(text[at - 1] ?? ' ') && !IDENTIFIER_CHAR.test(text[at + name.length] ?? ' ')) return true;
  }
  return false;
}
const IDENTIFIER_CHAR = /[\w\u0080-\uffff]/;
/** Text that may define a class: an edit adding or removing it in a function's body re-checks the whole function. */
const CLASS_TEXT = /\bclass\b/;

/** What a method being typed in can be parsed as, from one keystroke to the next. */
const EDITABLE_TYPES = new Set(['function_definition', 'decorated_definition', 'ERROR']);

/** Node types through which a member binds what others resolve whatever its targets: classes, globals. */
const SCOPE_TYPES = ['class_definition', 'global_statement', 'nonlocal_statement'];
/** Node types through which a member binds what others resolve: those, and targets holding an attribute (`self.x = …`). */
const REACHING_TYPES = ['assignment', 'augmented_assignment', 'for_statement', 'as_pattern', 'delete_statement', ...SCOPE_TYPES];

/** What the class's analysis (`run`) found in one member of its body. */
function memberRecord(n: Node, run: AnalysisRun, bindings: MemberBindings | undefined, text: string, uses: readonly number[], suppressed: number): Member {
  const start = n.startIndex;
  const end = n.endIndex;
  const record: Member = {
    start,
    end,
    type: n.type,
    name: ownCopy(memberNameOf(n)),
    bound: ownNames(bindings?.all ?? NO_NAMES),
    refs: ownNames(bindings?.refs ?? NO_NAMES),
    stats: emptyStats(),
    suppressed,
    errors: run.tree.errorsIn(n.id),
    reaching: PIN_TEXT.test(text.slice(start, end)),
  };
  for (const i of uses) {
    const u = run.resolution.uses[i];
    const v = run.verdicts[i];
    if (v) countUse(record.stats, u, v);
    if (USES_MIXED_PRECISION.test(u.qname)) record.reaching = true;
  }
  // an attribute it binds reaches other members when resolution found it to be one of the instance's (`self.x`);
  // without the member's bindings, any attribute in a target is taken to (`torch.` typed before a line starting
  // `B, N = …` parses as an assignment to `torch.B` for a keystroke)
  if (bindings?.setsAttributes) record.reaching = true;
  if (!record.reaching) {
    for (const x of run.tree.nodesOfTypeIn(n.id, bindings ? SCOPE_TYPES : REACHING_TYPES)) {
      if (SCOPE_TYPES.includes(x.type)) record.reaching = true;
      else {
        const target = x.type === 'as_pattern' ? x.childForFieldName('alias') : x.type === 'delete_statement' ? x : x.childForFieldName('left');
        if (target && hasAttribute(target)) record.reaching = true;
      }
      if (record.reaching) break;
    }
  }
  return record;
}

function hasAttribute(n: Node): boolean {
  if (n.type === 'attribute') return true;
  for (let c = n.firstNamedChild; c; c = c.nextNamedSibling) if (hasAttribute(c)) return true;
  return false;
}

/** Whether a finding of the re-check is the cached one, moved (`at`: offsets, `line`: lines) as the edit moved text. */
function sameFinding(was: Finding, now: Finding, at: (o: number) => number, line: (l: number) => number): boolean {
  if (was.code !== now.code || was.severity !== now.severity || was.message !== now.message) return false;
  if (at(was.start) !== now.start || at(was.end) !== now.end) return false;
  if (line(was.range.start.line) !== now.range.start.line || line(was.range.end.line) !== now.range.end.line) return false;
  if (was.range.start.character !== now.range.start.character || was.range.end.character !== now.range.end.character) return false;
  if (JSON.stringify(was.data) !== JSON.stringify(now.data) || was.fixes.length !== now.fixes.length) return false;
  return was.fixes.every((fix, i) => {
    const other = now.fixes[i];
    if (fix.title !== other.title || fix.applicability !== other.applicability || fix.edits.length !== other.edits.length) return false;
    return fix.edits.every((e, j) => at(e.start) === other.edits[j].start && at(e.end) === other.edits[j].end && e.newText === other.edits[j].newText);
  });
}

function union(a: ReadonlySet<string>, ...more: Iterable<string>[]): ReadonlySet<string> {
  let out: Set<string> | undefined;
  for (const names of more) for (const n of names) if (!a.has(n) && !out?.has(n)) (out ??= new Set(a)).add(ownCopy(n));
  return out ?? a;
}

/**
 * The finding with its strings (message, fix titles and texts, API names) of their own (see ownCopy): rules build
 * them from the tree's text, and a statement keeps its findings until it is re-checked.
 */
function ownStrings(f: Finding): Finding {
  f.message = ownCopy(f.message);
  for (const fix of f.fixes) {
    fix.title = ownCopy(fix.title);
    for (const e of fix.edits) e.newText = ownCopy(e.newText);
  }
  if (f.data) {
    if (f.data.torchApi !== undefined) f.data.torchApi = ownCopy(f.data.torchApi);
    if (f.data.msApi !== undefined) f.data.msApi = ownCopy(f.data.msApi);
  }
  return f;
}

/** The names as strings of their own (see ownCopy): a statement keeps its names until it is re-checked. */
function ownNames(names: ReadonlySet<string>): ReadonlySet<string> {
  let long = false;
  for (const n of names) if (n.length >= 13) long = true;
  if (!long) return names;
  const own = new Set<string>();
  for (const n of names) own.add(ownCopy(n));
  return own;
}

/** Sets the statement's `editsEnd` and `remoteEnd` from its edits. */
function measureEdits(st: Statement): void {
  let end = -1;
  let remote = -1;
  for (const e of st.edits) {
    if (e.end > end) end = e.end;
    if (e.start < st.start && e.end > remote) remote = e.end;
  }
  st.editsEnd = end;
  st.remoteEnd = remote;
}

/**
 * A cached statement after the change, moved by `delta` characters and `lineDelta` lines (its findings, fix edits
 * after the change and uses with it), in place: copying a thousand findings with their ranges and fixes on every
 * keystroke made most of the young generation's survivors. It starts a line (else it would be re-checked), so
 * columns stay; without `lineDelta` (a lone CR near the change) positions are recomputed.
 */
function shiftStatement(st: Statement, delta: number, lineDelta: number | undefined, changeEnd: number, lines: LineIndex): Statement {
  if (delta === 0 && lineDelta === 0) return st;
  st.start += delta;
  st.end += delta;
  for (const f of st.findings) moveFinding(f, delta, lineDelta, lines);
  if (delta !== 0) {
    moveEdits(st.edits, changeEnd, delta);
    measureEdits(st);
  }
  moveSpans(st.uses, delta);
  if (st.members) moveSpans(st.members, delta);
  if (st.body) {
    moveSpans(st.body.statements, delta);
    st.body.defStart += delta;
  }
  return st;
}

/** Moves a finding by `delta` characters and `lineDelta` lines (its positions recomputed from `lines` when undefined). */
function moveFinding(f: Finding, delta: number, lineDelta: number | undefined, lines: LineIndex): void {
  f.start += delta;
  f.end += delta;
  if (lineDelta === undefined) f.range = lines.range(f.start, f.end);
  else if (lineDelta !== 0) f.range = { start: { line: f.range.start.line + lineDelta, character: f.range.start.character }, end: { line: f.range.end.line + lineDelta, character: f.range.end.character } };
}

/** Moves the edits starting at or after `from` by `delta` (each edit once: pass distinct edits). */
function moveEdits(edits: readonly TextEdit[], from: number, delta: number): void {
  for (const e of edits) {
    if (e.start < from) continue;
    e.start += delta;
    e.end += delta;
  }
}

function moveSpans(spans: readonly { start: number; end: number }[], delta: number): void {
  for (const x of spans) {
    x.start += delta;
    x.end += delta;
  }
}

/** Sets the statement's distinct fix edits, from the findings it holds, and how far they reach (measureEdits). */
function collectEdits(st: Statement): void {
  const edits = new Set<TextEdit>();
  for (const f of st.findings) for (const fix of f.fixes) for (const e of fix.edits) edits.add(e);
  st.edits = [...edits];
  measureEdits(st);
}

/** Line breaks in text[from, to) as LineIndex counts them (CRLF once), or undefined if a CR could straddle. */
function lineBreaks(text: string, from: number, to: number): number | undefined {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) return undefined;
    if (c === 10) n++;
  }
  return n;
}

function merge(statements: Statement[]): DocumentAnalysis {
  let findings = 0;
  let uses = 0;
  for (const st of statements) {
    findings += st.findings.length;
    uses += st.uses.length;
  }
  // arrays of the final length, filled in place (pushing grows them several times per keystroke); the result
  // written out once at the end (a spread then written to changed V8's hidden class for it on every keystroke)
  const all = new Array<Finding>(findings);
  const useSpans = new Array<UseSpan>(uses);
  let stats = emptyStats();
  let syntaxErrors = 0;
  let suppressed = 0;
  let fi = 0;
  let ui = 0;
  for (const st of statements) {
    for (const f of st.findings) all[fi++] = f;
    for (const u of st.uses) useSpans[ui++] = u;
    stats = addStats(stats, st.stats);
    syntaxErrors += st.errors;
    suppressed += st.suppressed;
  }
  return { findings: all, stats, syntaxErrors, suppressed, internalErrors: [], useSpans };
}
