// The analysis driver: parse → resolve names → run rules → findings (suppressed by noqa, filtered by
// select/ignore, severities applied) and the per-document statistics. Never throws on any input.
import type { MappingDatabase, Target } from '../mappings/database';
import { ImportPlanner } from './edits';
import { emptyStats, type Finding, type UseStats } from './findings';
import { ModuleTree, parseSyntax } from './moduleTree';
import type { Tree } from './parser';
import { resolve, type ApiUse, type NameSet, type Resolution, type ResolveOptions } from './resolve';
import { classifyUse, countUse, verdictMemo, type UseVerdict } from './rules/apiMapping';
import { ruleMeta } from './rules/catalog';
import { ALL_RULES } from './rules/index';
import { watchAssignmentReads, watchScopeReads } from './rules/util';
import type { Report, RuleContext } from './rules/types';
import { findSuppressions, isSuppressed } from './noqa';
import { projectIndex } from './projectIndex';
import { ruleEnabled, type Settings } from './settings';
import { LineIndex } from './text';

export interface DocumentAnalysis {
  findings: Finding[];
  stats: UseStats;
  /** Number of syntax errors tree-sitter recovered from. */
  syntaxErrors: number;
  /** Findings hidden by noqa comments. */
  suppressed: number;
  /** Set when a rule failed: the other rules' findings are still returned. */
  internalErrors: string[];
  resolution?: Resolution;
  /** The project's other files whose classes this analysis used (engine/projectIndex.ts). */
  projectFiles?: string[];
  /** The API uses as plain data (set by incremental analysis, which keeps no whole-file resolution). */
  useSpans?: UseSpan[];
}

export function targetOf(settings: Settings): Target {
  return { version: settings.mindsporeVersion, device: settings.device, api: settings.targetApi };
}


/** An API use as plain data: where it is named and what it resolves to (hover, "explain"). */
export interface UseSpan {
  start: number;
  end: number;
  qname: string;
}

/** A method's span is its name (`sum` in `torch.abs(x).sum()`), a dotted name's the whole expression. */
export function useSpanOf(u: ApiUse): UseSpan {
  const n = u.via === 'method' ? u.nameNode : u.node;
  return { start: n.startIndex, end: n.endIndex, qname: u.qname };
}

/**
 * The text tree-sitter parses for `text`: tree-sitter-python breaks lines only at \n, Python also at a lone \r
 * (old Mac files). Same length, same offsets.
 */
function asParsed(text: string): string {
  return /\r(?!\n)/.test(text) ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** The text's tree, chunk by chunk, as analyzeText parses it (its caller deletes it). */
export function parseModule(text: string): ModuleTree {
  return ModuleTree.parse(asParsed(text));
}

/** Analyses Python text; `module` (its tree) may be passed when the caller keeps it for incremental parsing. */
export function analyzeText(text: string, settings: Settings, db: MappingDatabase, module?: ModuleTree): DocumentAnalysis {
  return guarded(() => {
    // one line index for ranges and node positions (a lone \r ends a line in both texts, so it serves both)
    const lines = new LineIndex(text);
    const tree: Tree = module ? module.copy(lines) : parseSyntax(asParsed(text), lines);
    return runAnalysis(text, tree, lines, settings, db).analysis;
  });
}

/** analyzeText of a text whose module tree the caller has copied already (`module.copy(lines)`, `lines` the text's). */
export function analyzeCopied(text: string, tree: Tree, lines: LineIndex, settings: Settings, db: MappingDatabase): DocumentAnalysis {
  return guarded(() => runAnalysis(text, tree, lines, settings, db).analysis);
}

/** An analysis that never throws: a failure is an internal error of an empty analysis. */
function guarded(analyse: () => DocumentAnalysis): DocumentAnalysis {
  try {
    return analyse();
  } catch (err) {
    return { ...emptyAnalysis(), internalErrors: [`analysis failed: ${(err as Error).stack ?? err}`] };
  }
}

/** An analysis with nothing in it yet. */
export function emptyAnalysis(): DocumentAnalysis {
  return { findings: [], stats: emptyStats(), syntaxErrors: 0, suppressed: 0, internalErrors: [] };
}

/** What one run of resolution and rules produced, with what incremental analysis needs to split it by statement. */
export interface AnalysisRun {
  analysis: DocumentAnalysis;
  tree: Tree;
  resolution: Resolution;
  /** How each use was counted in the statistics (undefined: not counted), parallel to `resolution.uses`. */
  verdicts: (UseVerdict | undefined)[];
  /** Start offsets of the findings noqa comments hid. */
  suppressedAt: number[];
  /** Names the rules asked `boundNames` about (a fix picking a fresh alias), when `recordQueries` was set. */
  queried: Set<string>;
  /** The file-level `# mindport: noqa` in force: '' (none), 'all', or the codes it names, sorted. */
  fileNoqa: string;
  /**
   * With `recordQueries`: the module-level assignments rules read: the name, the offset the assignment must precede
   * (or, with `anywhere`, where it was read: any assignment of the name counts).
   */
  assignmentReads: { name: string; before: number; anywhere: boolean }[];
  /** With `recordQueries`: as `assignmentReads`, those of functions' scopes (`fn`: the function definition's start). */
  functionAssignmentReads: { fn: number; name: string; before: number; anywhere: boolean }[];
  /** With `recordQueries`: names whose reads later in the module a rule's result depends on (readsLaterReads), and where. */
  laterReads: { name: string; at: number }[];
  /** With `recordQueries`: as `laterReads`, in functions' scopes (`fn`: the function definition's start). */
  functionLaterReads: { fn: number; name: string; at: number }[];
  /** With `recordQueries`: the starts of the function definitions whose whole body a rule read (readsWholeBody). */
  wholeBodies: Set<number>;
  /** What the rules asked `textHas` and its answers (those given in RunOptions.textFacts among them). */
  textFacts: TextFacts;
}

/** Answers of RuleContext.textHas, by pattern. */
export type TextFacts = ReadonlyMap<RegExp, boolean>;

export interface RunOptions {
  /** Replaces the resolution's set of bound names (incremental analysis passes the whole file's). */
  boundNames?: (r: Resolution) => NameSet;
  /** Record the names asked about (`queried`), the module-level assignments read, and each statement's exports. */
  recordQueries?: boolean;
  /** Module-level names bound before each top-level statement (see ResolveOptions.seed). */
  seed?: ResolveOptions['seed'];
  /** Methods of top-level classes left out of the tree (see ResolveOptions.classMethods). */
  classMethods?: ResolveOptions['classMethods'];
  /** Record the body statements of top-level functions of this many characters or more (see ResolveOptions.bodiesFrom). */
  bodiesFrom?: number;
  /** Names of a long function's scope bound before each statement of its body (see ResolveOptions.bodySeed). */
  bodySeed?: ResolveOptions['bodySeed'];
  /** Answers of `textHas` known for this text (incremental analysis: the last analysis's, when still true). */
  textFacts?: TextFacts;
}

/** A name set that remembers which names were looked up. */
class QueryRecordingSet implements NameSet {
  readonly queried = new Set<string>();
  constructor(private readonly names: NameSet) {}
  has(name: string): boolean {
    this.queried.add(name);
    return this.names.has(name);
  }
}

/**
 * Resolves names in `tree` and runs every rule. `text` is the document's text: the tree may hold only some of its
 * top-level statements, at their offsets in it (incremental analysis).
 */
export function runAnalysis(text: string, tree: Tree, lines: LineIndex, settings: Settings, db: MappingDatabase, opts: RunOptions = {}): AnalysisRun {
  const out = emptyAnalysis();
  out.syntaxErrors = tree.errorCount;
  const project = settings.file ? projectIndex.forFile(settings.file, settings.root) : undefined;
  const resolution = resolve(tree, {
    seed: opts.seed,
    exports: opts.recordQueries,
    statementBindings: opts.recordQueries,
    classMethods: opts.classMethods,
    bodiesFrom: opts.bodiesFrom,
    bodySeed: opts.bodySeed,
    ...project?.hooks,
  });
  if (project?.files.size) out.projectFiles = [...project.files];
  if (opts.boundNames) resolution.boundNames = opts.boundNames(resolution);
  const recording = opts.recordQueries ? new QueryRecordingSet(resolution.boundNames) : undefined;
  if (recording) resolution.boundNames = recording;
  out.resolution = resolution;
  const verdicts: (UseVerdict | undefined)[] = [];
  const suppressedAt: number[] = [];
  let fileNoqa = '';
  const assignmentReads: AnalysisRun['assignmentReads'] = [];
  const functionAssignmentReads: AnalysisRun['functionAssignmentReads'] = [];
  const textFacts = new Map(opts.textFacts);
  const laterReads: AnalysisRun['laterReads'] = [];
  const functionLaterReads: AnalysisRun['functionLaterReads'] = [];
  const wholeBodies = new Set<number>();
  if (opts.recordQueries) {
    watchAssignmentReads((scope, name, before, anywhere) => {
      if (scope.type === 'module') assignmentReads.push({ name, before, anywhere });
      else if (scope.type === 'function_definition') functionAssignmentReads.push({ fn: scope.startIndex, name, before, anywhere });
    });
    watchScopeReads({
      laterReads(scope, name, at) {
        if (scope.type === 'module') laterReads.push({ name, at });
        else if (scope.type === 'function_definition') functionLaterReads.push({ fn: scope.startIndex, name, at });
      },
      wholeBody: (fn) => wholeBodies.add(fn.startIndex),
    });
  }
  try {
    const target = targetOf(settings);
    const claimed = new Set<ApiUse>();
    // what the database says of each name (entry, twin choice), for the rules and the statistics
    const verdictsByName = verdictMemo(db, target);
    const enabledCodes = new Map<string, boolean>(); // a few codes, asked about once per finding
    const enabled = (code: string) => {
      let on = enabledCodes.get(code);
      if (on === undefined) enabledCodes.set(code, (on = ruleEnabled(code, settings) && settings.severity[code] !== 'off'));
      return on;
    };
    const suppressions = findSuppressions(text, lines, tree);
    if (suppressions.file) fileNoqa = suppressions.file === 'all' ? 'all' : [...suppressions.file].sort().join(',');
    const ctx: RuleContext = {
      text,
      tree,
      lines,
      resolution,
      db,
      settings,
      target,
      imports: new ImportPlanner(tree, text, resolution.moduleBindings, resolution.boundNames),
      enabled,
      claim: (u) => void claimed.add(u),
      claimed: (u) => claimed.has(u),
      verdictOf: (u) => classifyUse(ctx, u, verdictsByName),
      entryOf: (u) => ctx.verdictOf(u).entry,
      textHas: (re) => {
        let has = textFacts.get(re);
        if (has === undefined) textFacts.set(re, (has = re.test(text)));
        return has;
      },
      report: (r: Report) => {
        if (!enabled(r.code)) return;
        const range = lines.range(r.start, r.end);
        if (isSuppressed(suppressions, r.code, range.start.line)) {
          out.suppressed++;
          suppressedAt.push(r.start);
          return;
        }
        const override = settings.severity[r.code];
        const severity = override && override !== 'off' ? override : r.severity ?? ruleMeta(r.code)?.severity ?? 'warning';
        // one shape for every finding, written out (a spread of the rule's report made objects whose fields V8
        // kept as constants: each later write to one, as the incremental analysis makes, changed their hidden class)
        const { code, message, start, end, fixes, data } = r;
        out.findings.push(data === undefined ? { code, message, severity, start, end, range, fixes } : { code, message, severity, start, end, range, fixes, data });
      },
    };
    for (const rule of ALL_RULES) {
      try {
        rule.check(ctx);
      } catch (err) {
        out.internalErrors.push(`${rule.codes.join('/')}: ${(err as Error).stack ?? err}`);
      }
    }
    for (const use of resolution.uses) {
      if (use.qname.startsWith('numpy.')) {
        verdicts.push(undefined);
        continue;
      }
      const verdict = ctx.verdictOf(use);
      verdicts.push(verdict);
      countUse(out.stats, use, verdict);
    }
    out.findings.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
  } catch (err) {
    out.internalErrors.push(`analysis failed: ${(err as Error).stack ?? err}`);
  } finally {
    if (opts.recordQueries) {
      watchAssignmentReads(undefined);
      watchScopeReads(undefined);
    }
  }
  tree.dropMemos();
  return { analysis: out, tree, resolution, verdicts, suppressedAt, queried: recording?.queried ?? new Set(), fileNoqa, assignmentReads, functionAssignmentReads, laterReads, functionLaterReads, wholeBodies, textFacts };
}
