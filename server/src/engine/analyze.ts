// The analysis driver: parse → resolve names → run rules → findings (suppressed by noqa, filtered by
// select/ignore, severities applied) and the per-document statistics. Never throws on any input.
import type { MappingDatabase, Target } from '../mappings/database';
import { ImportPlanner } from './edits';
import { emptyStats, type Finding, type UseStats } from './findings';
import { parseSyntax, toSyntax, type Tree, type TsTree } from './parser';
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


/** Analyses Python text; `tsTree` (of this text) may be passed when the caller keeps it for incremental parsing. */
export function analyzeText(text: string, settings: Settings, db: MappingDatabase, tsTree?: TsTree): DocumentAnalysis {
  const out: DocumentAnalysis = { findings: [], stats: emptyStats(), syntaxErrors: 0, suppressed: 0, internalErrors: [] };
  try {
    // tree-sitter-python breaks lines only at \n; Python also at a lone \r (old Mac files). Same length, same offsets.
    // one line index for ranges and node positions (a lone \r ends a line in both texts, so it serves both)
    const lines = new LineIndex(text);
    const tree: Tree = tsTree ? toSyntax(tsTree, text, lines) : parseSyntax(/\r(?!\n)/.test(text) ? text.replace(/\r(?!\n)/g, '\n') : text, lines);
    out.syntaxErrors = tree.errorCount;
    const resolution = resolve(tree);
    out.resolution = resolution;
    const target = targetOf(settings);
    const claimed = new Set<ApiUse>();
    const enabled = (code: string) => ruleEnabled(code, settings) && settings.severity[code] !== 'off';
    const suppressions = findSuppressions(text, lines, tree);
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
  }
  return out;
}
