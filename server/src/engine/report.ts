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

/** One file's lines of the text report (skipped, warnings, internal errors, findings), joined by "\n"; "" if none. */
export function textFileLines(r: FileResult, cwd: string): string {
  const out: string[] = [];
  const path = relative(cwd, r.path) || r.path;
  if (r.skipped) out.push(`${path}: skipped: ${r.skipped}`);
  if (r.warning) out.push(`${path}: warning: ${r.warning}`);
  for (const e of r.internalErrors) out.push(`${path}: internal error (please report): ${e.split('\n')[0]}`);
  for (const f of r.findings) {
    const fix = f.fixes[0] ? ` [${f.fixes[0].applicability === 'safe' ? '*' : 'fix: unsafe'}]` : '';
    out.push(`${path}${f.cell !== undefined ? `[cell ${f.cell + 1}]` : ''}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code} ${f.severity}: ${f.message}${fix}`);
  }
  return out.join('\n');
}

/** The text report's closing lines: files, findings, API uses, readiness, counts by rule. */
export function textSummary(results: FileResult[]): string {
  const out: string[] = [];
  const s = summarize(results);
  const fixable = results.reduce((n, r) => n + r.findings.filter((f) => f.fixes[0]?.applicability === 'safe').length, 0);
  out.push(
    `Scanned ${s.files} file${s.files === 1 ? '' : 's'} (${s.lines} lines${s.skipped ? `, ${s.skipped} skipped` : ''}): ${s.findings} finding${s.findings === 1 ? '' : 's'}` +
      (fixable ? `, ${fixable} fixable with \`mindport fix\` (marked *)` : ''),
  );
  out.push(
    `torch API uses: ${s.stats.apiUses} — same behaviour ${s.stats.same}, with differences ${s.stats.args + s.stats.behavior}, ` +
      `${s.stats.notNeeded ? `not needed ${s.stats.notNeeded}, ` : ''}no equivalent ${s.stats.none}` +
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

/** `JSON.stringify(value, null, 2)` as it appears nested `depth` levels deep in a pretty-printed document. */
function nestedJson(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/**
 * A file's findings as they appear in the JSON report's "findings" array: the UTF-8 bytes of what
 * `JSON.stringify(finding, null, 2)` gives, indented as there and separated by ",\n" (this is most of a large
 * scan's output; scan workers make it). Written straight into bytes: the ASCII framing as latin1, the
 * strings that may hold other characters (messages, API names, the path) from a cache of their JSON encodings.
 * Building one string and encoding it cost 3–4 times as much (one "→" makes the whole report a two-byte string).
 */
export function jsonFindingsFragment(r: FileResult, cwd: string): Uint8Array {
  const out = new ByteWriter(256 + r.findings.length * 640);
  const path = Buffer.from(JSON.stringify(relative(cwd, r.path) || r.path), 'utf8');
  for (let i = 0; i < r.findings.length; i++) {
    const f = r.findings[i];
    const d = f.data;
    const fix = f.fixes[0];
    const { start, end } = f.range;
    out.ascii(`${i ? ',\n' : ''}    {\n      "code": "${f.code}",\n      "path": `);
    out.bytes(path);
    out.ascii(
      `,\n      "line": ${start.line + 1},\n      "column": ${start.character + 1},\n      "end_line": ${end.line + 1},\n      "end_column": ${end.character + 1},\n` +
        `${f.cell !== undefined ? `      "cell": ${f.cell + 1},\n` : ''}      "message": `,
    );
    out.bytes(jsonBytes(f.message));
    out.ascii(`,\n      "severity": "${f.severity}",\n      "fix_applicability": ${fix ? `"${fix.applicability}"` : 'null'},\n      "torch_api": `);
    out.bytes(d?.torchApi == null ? NULL_BYTES : jsonBytes(d.torchApi));
    out.ascii(',\n      "mindspore_api": ');
    out.bytes(d?.msApi == null ? NULL_BYTES : jsonBytes(d.msApi));
    out.ascii(`,\n      "confidence": "${d?.confidence ?? 'high'}"\n    }`);
  }
  return out.result();
}

const NULL_BYTES = Buffer.from('null');
/** JSON encodings (as UTF-8) of the strings reports repeat: messages and API names. Cleared when it grows large. */
const jsonCache = new Map<string, Buffer>();
function jsonBytes(s: string): Buffer {
  let b = jsonCache.get(s);
  if (b === undefined) {
    if (jsonCache.size >= 50_000) jsonCache.clear();
    jsonCache.set(s, (b = Buffer.from(JSON.stringify(s), 'utf8')));
  }
  return b;
}

const utf8 = new TextEncoder();

/**
 * A growing byte buffer. `ascii` takes only ASCII text (codes, enums, numbers, JSON punctuation). Its memory is
 * never Node's shared Buffer pool: a scan worker transfers the result's ArrayBuffer to the main thread.
 */
class ByteWriter {
  private buf: Buffer;
  private length = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
  ascii(s: string): void {
    this.reserve(s.length);
    this.length += this.buf.write(s, this.length, 'latin1');
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Report formats written file by file as a scan goes (SARIF is one document, written whole). */
export type StreamFormat = 'text' | 'json';

/** One file's part of a streamed report, as UTF-8 bytes; empty when it has nothing to show. */
export function reportPart(format: StreamFormat, r: FileResult, cwd: string): Uint8Array {
  return format === 'json' ? jsonFindingsFragment(r, cwd) : utf8.encode(textFileLines(r, cwd));
}

/**
 * Writes a text or JSON report as its files' parts arrive, in order: the same bytes as formatting the whole
 * report at the end would give (`JSON.stringify(report, null, 2)` for JSON), without holding it all.
 */
export class ReportStream {
  private parts = 0;

  constructor(
    private readonly format: StreamFormat,
    private readonly write: (chunk: string | Uint8Array) => void,
  ) {
    if (format === 'json') write('{\n  "findings": [');
  }

  /** A file's part (reportPart), as text or its UTF-8 bytes; empty parts are skipped. */
  part(piece: string | Uint8Array): void {
    if (piece.length === 0) return;
    if (this.format === 'json') this.write(this.parts++ ? ',\n' : '\n');
    else if (this.parts++) this.write('\n');
    this.write(piece);
  }

  /** The closing part, from every file's result (findings need only their code, severity and first fix). */
  end(results: FileResult[], cwd: string): void {
    if (this.format === 'text') {
      this.write(`${this.parts ? '\n' : ''}\n${textSummary(results)}\n`);
      return;
    }
    const skipped = results.filter((r) => r.skipped).map((r) => ({ path: relative(cwd, r.path) || r.path, reason: r.skipped }));
    this.write(`${this.parts ? '\n  ]' : ']'},\n  "summary": ${nestedJson(summarize(results), 1)},\n  "skipped": ${nestedJson(skipped, 1)}\n}\n`);
  }
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
    `- torch API uses: ${s.stats.apiUses} (same ${s.stats.same}, differences ${s.stats.args + s.stats.behavior}, not needed ${s.stats.notNeeded}, no equivalent ${s.stats.none})`,
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
