// The porting report the extension's webview shows (and exports), built from workspace-scan results.
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readyPercent } from '../engine/findings';
import type { FileResult } from '../engine/project';
import { formatMarkdown, formatSarif, summarize } from '../engine/report';
import { ruleMeta } from '../engine/rules/catalog';

export interface PortingReport {
  root: string;
  readyPercent: number;
  totals: ReturnType<typeof summarize>;
  byRule: { code: string; count: number; summary: string }[];
  /** Findings grouped by family: mapping (MSP1xx), device limits (MSP2xx), memory (MSP3xx), structure (MSP4xx). */
  byCategory: Record<'mapping' | 'device' | 'memory' | 'structure', number>;
  files: {
    uri: string;
    path: string;
    apiUses: number;
    mappedSame: number;
    mappedDiff: number;
    /** uses the port deletes (MindSpore has no use for them) */
    notNeeded: number;
    unmapped: number;
    readyPercent: number;
    findings: { code: string; line: number; column: number; message: string; severity: string; cell?: number }[];
  }[];
  markdown: string;
  sarif: unknown;
}

const CATEGORY = { '1': 'mapping', '2': 'device', '3': 'memory', '4': 'structure' } as const;

export function buildReport(results: FileResult[], root: string): PortingReport {
  const totals = summarize(results);
  const byCategory = { mapping: 0, device: 0, memory: 0, structure: 0 };
  for (const [code, n] of Object.entries(totals.byRule)) {
    const cat = CATEGORY[code[3] as keyof typeof CATEGORY];
    if (cat) byCategory[cat] += n;
  }
  return {
    root,
    readyPercent: totals.readyPercent,
    totals,
    byRule: Object.entries(totals.byRule)
      .sort((a, b) => b[1] - a[1])
      .map(([code, count]) => ({ code, count, summary: ruleMeta(code)?.summary ?? '' })),
    byCategory,
    files: results
      .filter((r) => !r.skipped)
      .map((r) => ({
        uri: pathToFileURL(r.path).href,
        path: relative(root, r.path) || r.path,
        apiUses: r.stats.apiUses,
        mappedSame: r.stats.same,
        mappedDiff: r.stats.args + r.stats.behavior,
        notNeeded: r.stats.notNeeded,
        unmapped: r.stats.none,
        readyPercent: readyPercent(r.stats),
        findings: r.findings.map((f) => ({
          code: f.code,
          line: f.range.start.line + 1,
          column: f.range.start.character + 1,
          message: f.message,
          severity: f.severity,
          ...(f.cell !== undefined ? { cell: f.cell + 1 } : {}),
        })),
      })),
    markdown: formatMarkdown(results, root),
    sarif: JSON.parse(formatSarif(results, root, '0.1.0')),
  };
}
