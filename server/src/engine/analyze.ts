// The analysis driver: parse → resolve names → run rules → findings (suppressed by noqa, filtered by
// select/ignore, severities applied) and the per-document statistics. Never throws on any input.
import type { MappingDatabase, Target } from '../mappings/database';
import { ImportPlanner } from './edits';
import { emptyStats, type Finding, type UseStats } from './findings';
import { Node } from 'web-tree-sitter';
import { countTreeErrors, parsePython, type Tree } from './parser';
import { resolve, type ApiUse, type Resolution } from './resolve';
import { classifyUse, countUse, type UseVerdict } from './rules/apiMapping';
import { ruleMeta } from './rules/catalog';
import { ALL_RULES } from './rules/index';
import type { Report, RuleContext } from './rules/types';
import { findSuppressions, isSuppressed } from './noqa';
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
}

export function targetOf(settings: Settings): Target {
  return { version: settings.mindsporeVersion, device: settings.device, api: settings.targetApi };
}


// Performance (web-tree-sitter): every property read of a Node crosses into WebAssembly, and `tree.rootNode`,
// `namedChildren` and `childForFieldName` allocate new Node objects each time. Two changes that keep every
// result identical:
//  - a node's type never changes, so it is read from WebAssembly once per Node object;
//  - the rules and name resolution share one root node per analysis, so the `namedChildren` arrays that
//    web-tree-sitter caches on each Node are built once and reused by every later walk of the tree.
const proto = Node.prototype as unknown as Record<PropertyKey, unknown>;
const typeGetter = Object.getOwnPropertyDescriptor(Node.prototype, 'type')?.get;
if (typeGetter && !proto[Symbol.for('mindport.memo')]) {
  proto[Symbol.for('mindport.memo')] = true;
  const TYPE = Symbol('type');
  type Memo = Node & { [TYPE]?: string };
  Object.defineProperty(Node.prototype, 'type', {
    configurable: true,
    get(this: Memo) {
      return (this[TYPE] ??= typeGetter.call(this) as string);
    },
  });
}

/** A view of `tree` whose `rootNode` is always the same Node object (the tree itself is not copied). */
function sharedRoot(tree: Tree): Tree {
  return Object.create(tree, { rootNode: { value: tree.rootNode } }) as Tree;
}

/** Analyses Python text; `tree` may be passed when the caller keeps it for incremental parsing. */
export function analyzeText(text: string, settings: Settings, db: MappingDatabase, tree?: Tree): DocumentAnalysis {
  const out: DocumentAnalysis = { findings: [], stats: emptyStats(), syntaxErrors: 0, suppressed: 0, internalErrors: [] };
  let ownTree = false;
  try {
    if (!tree) {
      // tree-sitter-python breaks lines only at \n; Python also at a lone \r (old Mac files). Same length, same offsets.
      tree = parsePython(/\r(?!\n)/.test(text) ? text.replace(/\r(?!\n)/g, '\n') : text);
      ownTree = true;
    }
    const shared = sharedRoot(tree);
    out.syntaxErrors = countTreeErrors(shared);
    const resolution = resolve(shared);
    out.resolution = resolution;
    const lines = new LineIndex(text);
    const target = targetOf(settings);
    const claimed = new Set<ApiUse>();
    const enabled = (code: string) => ruleEnabled(code, settings) && settings.severity[code] !== 'off';
    const suppressions = findSuppressions(text, lines, tree);
    const ctx: RuleContext = {
      text,
      tree: shared,
      lines,
      resolution,
      db,
      settings,
      target,
      imports: new ImportPlanner(shared, text, resolution.moduleBindings, resolution.boundNames),
      enabled,
      claim: (u) => void claimed.add(u),
      claimed: (u) => claimed.has(u),
      report: (r: Report) => {
        if (!enabled(r.code)) return;
        const range = lines.range(r.start, r.end);
        if (isSuppressed(suppressions, r.code, range.start.line)) {
          out.suppressed++;
          return;
        }
        const override = settings.severity[r.code];
        const severity = override && override !== 'off' ? override : r.severity ?? ruleMeta(r.code)?.severity ?? 'warning';
        out.findings.push({ ...r, severity, range });
      },
    };
    for (const rule of ALL_RULES) {
      try {
        rule.check(ctx);
      } catch (err) {
        out.internalErrors.push(`${rule.codes.join('/')}: ${(err as Error).stack ?? err}`);
      }
    }
    const memo = new Map<string, UseVerdict>();
    for (const use of resolution.uses) {
      if (use.qname.startsWith('numpy.')) continue;
      countUse(out.stats, use, classifyUse(ctx, use, memo));
    }
    out.findings.sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
  } catch (err) {
    out.internalErrors.push(`analysis failed: ${(err as Error).stack ?? err}`);
  } finally {
    if (ownTree) tree?.delete();
    if (ownTree) out.resolution = undefined; // nodes die with the tree
  }
  return out;
}
