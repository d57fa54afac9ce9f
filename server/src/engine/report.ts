// Summaries and output formats over many files: text, JSON, SARIF 2.1.0 and Markdown.
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addStats, emptyStats, readyPercent, type UseStats } from './findings';
import type { FileResult } from './project';
import { RULES, ruleDocUrl, ruleMeta } from './rules/catalog';

export interface Summary {
  files: number;
  skipped: number;
  lines: number;
  findings: number;
  stats: UseStats;
  readyPercent: number;
  byRule: Record<string, number>;
  bySeverity: Record<string, number>;
}

export function summarize(results: FileResult[]): Summary {
  let stats = emptyStats();
  const byRule: Record<string, number> = {};
  const bySeverity: Record<string, number> = {};
  let findings = 0;
  let lines = 0;
  for (const r of results) {
    stats = addStats(stats, r.stats);
    lines += r.lineCount;
    for (const f of r.findings) {
      findings++;
      byRule[f.code] = (byRule[f.code] ?? 0) + 1;
      bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    }
  }
  return {
    files: results.filter((r) => !r.skipped).length,
    skipped: results.filter((r) => r.skipped).length,
    lines,
    findings,
    stats,
    readyPercent: readyPercent(stats),
    byRule,
    bySeverity,
  };
}

function loc(r: FileResult, f: FileResult['findings'][number], cwd: string): string {
  const p = relative(cwd, r.path) || r.path;
  return `${p}${f.cell !== undefined ? `[cell ${f.cell + 1}]` : ''}:${f.range.start.line + 1}:${f.range.start.character + 1}`;
}

export function formatText(results: FileResult[], cwd: string): string {
  const out: string[] = [];
  for (const r of results) {
    if (r.skipped) out.push(`${relative(cwd, r.path) || r.path}: skipped: ${r.skipped}`);
    if (r.warning) out.push(`${relative(cwd, r.path) || r.path}: warning: ${r.warning}`);
    for (const e of r.internalErrors) out.push(`${relative(cwd, r.path) || r.path}: internal error (please report): ${e.split('\n')[0]}`);
    for (const f of r.findings) {
      const fix = f.fixes[0] ? ` [${f.fixes[0].applicability === 'safe' ? '*' : 'fix: unsafe'}]` : '';
      out.push(`${loc(r, f, cwd)}: ${f.code} ${f.severity}: ${f.message}${fix}`);
    }
  }
  const s = summarize(results);
  const fixable = results.reduce((n, r) => n + r.findings.filter((f) => f.fixes[0]?.applicability === 'safe').length, 0);
  out.push('');
  out.push(
    `Scanned ${s.files} file${s.files === 1 ? '' : 's'} (${s.lines} lines${s.skipped ? `, ${s.skipped} skipped` : ''}): ${s.findings} finding${s.findings === 1 ? '' : 's'}` +
      (fixable ? `, ${fixable} fixable with \`mindport fix\` (marked *)` : ''),
  );
  out.push(
    `torch API uses: ${s.stats.apiUses} — same behaviour ${s.stats.same}, with differences ${s.stats.args + s.stats.behavior}, no equivalent ${s.stats.none}` +
      (s.stats.lowConfidence ? ` (+${s.stats.lowConfidence} low-confidence tensor methods)` : ''),
  );
  out.push(`Ready to port: ${s.readyPercent}%`);
  if (Object.keys(s.byRule).length) {
    out.push(
      'By rule: ' +
        Object.entries(s.byRule)
          .sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `${c} ${n}`)
          .join(', '),
    );
  }
  return out.join('\n');
}

/** One finding as `mindport scan --format json` lists it (`path`: its file's, as the report shows it). */
function jsonFinding(f: FileResult['findings'][number], path: string) {
  return {
    code: f.code,
    path,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    end_line: f.range.end.line + 1,
    end_column: f.range.end.character + 1,
    ...(f.cell !== undefined ? { cell: f.cell + 1 } : {}),
    message: f.message,
    severity: f.severity,
    fix_applicability: f.fixes[0]?.applicability ?? null,
    torch_api: f.data?.torchApi ?? null,
    mindspore_api: f.data?.msApi ?? null,
    confidence: f.data?.confidence ?? 'high',
  };
}

/** `JSON.stringify(value, null, 2)` as it appears nested `depth` levels deep in a pretty-printed document. */
function nestedJson(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/**
 * A file's findings as they appear in the JSON report's "findings" array (each line indented as there,
 * separated by ",\n"); scan workers compute it so the main thread only joins the pieces.
 */
export function jsonFindingsFragment(r: FileResult, cwd: string): string {
  const path = relative(cwd, r.path) || r.path;
  return r.findings.map((f) => `    ${nestedJson(jsonFinding(f, path), 2)}`).join(',\n');
}

/** `JSON.stringify({ findings, summary, skipped }, null, 2)`, built from per-file pieces. */
export function formatJson(results: FileResult[], cwd: string, fragments?: (string | undefined)[]): string {
  const pieces = results.map((r, i) => fragments?.[i] ?? jsonFindingsFragment(r, cwd)).filter((p) => p.length > 0);
  const skipped = results.filter((r) => r.skipped).map((r) => ({ path: relative(cwd, r.path) || r.path, reason: r.skipped }));
  const findings = pieces.length ? `[\n${pieces.join(',\n')}\n  ]` : '[]';
  return `{\n  "findings": ${findings},\n  "summary": ${nestedJson(summarize(results), 1)},\n  "skipped": ${nestedJson(skipped, 1)}\n}`;
}

export function formatSarif(results: FileResult[], cwd: string, version: string): string {
  // every rule is listed (SARIF viewers show the catalogue), not only those with results
  const rules = RULES.map((r) => ({
    id: r.code,
    name: r.name,
    shortDescription: { text: r.summary },
    helpUri: ruleDocUrl(r.code),
    defaultConfiguration: { level: level(r.severity) },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mindport', version, informationUri: 'https://www.mindspore.cn/', rules } },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href } },
        results: results.flatMap((r) =>
          r.findings.map((f) => ({
            ruleId: f.code,
            ruleIndex: index.get(f.code),
            level: level(f.severity),
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: (relative(cwd, r.path) || r.path).split('\\').join('/'), uriBaseId: 'SRCROOT' },
                  region: {
                    startLine: f.range.start.line + 1,
                    startColumn: f.range.start.character + 1,
                    endLine: f.range.end.line + 1,
                    endColumn: f.range.end.character + 1,
                  },
                },
              },
            ],
            properties: { fixApplicability: f.fixes[0]?.applicability ?? null, ...(f.cell !== undefined ? { cell: f.cell + 1 } : {}) },
          })),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

function level(sev: string): 'error' | 'warning' | 'note' {
  return sev === 'error' ? 'error' : sev === 'warning' ? 'warning' : 'note';
}

export function formatMarkdown(results: FileResult[], cwd: string): string {
  const s = summarize(results);
  const out = [
    '# MindPort porting report',
    '',
    `- Files: ${s.files} (${s.lines} lines)`,
    `- torch API uses: ${s.stats.apiUses} (same ${s.stats.same}, differences ${s.stats.args + s.stats.behavior}, no equivalent ${s.stats.none})`,
    `- Ready to port: **${s.readyPercent}%**`,
    '',
    '## Findings by rule',
    '',
    '| rule | count | meaning |',
    '|---|---|---|',
    ...Object.entries(s.byRule)
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `| ${c} | ${n} | ${ruleMeta(c)?.summary ?? ''} |`),
    '',
    '## Files',
    '',
    '| file | findings | API uses | ready |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${relative(cwd, r.path) || r.path} | ${r.findings.length} | ${r.stats.apiUses} | ${readyPercent(r.stats)}% |`),
  ];
  return out.join('\n') + '\n';
}
