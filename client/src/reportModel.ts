// The porting report as the server sends it (`mindport/report`), normalised so that a missing field never breaks
// the view, plus the Markdown and SARIF exports. No `vscode` import: pure data, easy to test.

export interface ReportFinding {
  code: string;
  /** 1-based line, as the CLI prints it. */
  line: number;
  /** 1-based column. */
  column: number;
  message: string;
  severity: string;
  /** The torch API concerned, when the server says. */
  api?: string;
  /** A device limitation (e.g. `Ascend910B`) when the finding is about what a device cannot run. */
  device?: string;
  /** 1-based notebook cell, for findings in a notebook. */
  cell?: number;
}

export interface ReportFile {
  uri?: string;
  path: string;
  findings: ReportFinding[];
  apiUses: number;
  mappedSame: number;
  mappedDiff: number;
  /** Uses the port deletes: MindSpore has no use for them (device moves, CUDA settings). */
  notNeeded: number;
  unmapped: number;
  readyPercent: number;
}

export interface Report {
  files: ReportFile[];
  totals: {
    files: number;
    findings: number;
    apiUses: number;
    mappedSame: number;
    mappedDiff: number;
    notNeeded: number;
    unmapped: number;
    errors: number;
    warnings: number;
    [key: string]: unknown;
  };
  readyPercent: number;
  byRule: { code: string; count: number; summary?: string }[];
  byDeviceLimit: { device: string; count: number }[];
  blockers: { label: string; count: number }[];
  target?: { mindsporeVersion?: string; device?: string };
  sarif?: unknown;
  /** The server's Markdown (the same as `mindport scan --format markdown`), when it sends one. */
  markdown?: string;
  generatedAt: string;
}

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : v === undefined || v === null ? d : String(v));
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function countBy<T>(items: T[], key: (t: T) => string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

function normSeverity(v: unknown): string {
  const s = str(v, 'warning').toLowerCase();
  if (s === '1') return 'error';
  if (s === '2') return 'warning';
  if (s === '3') return 'info';
  if (s === '4') return 'hint';
  return s === 'information' ? 'info' : s;
}

/** A device named in a finding: explicit field, or "not supported on Ascend910B"-style wording. */
function findingDevice(f: Record<string, unknown>): string | undefined {
  const explicit = f.device ?? f.deviceLimit ?? f.platform;
  if (typeof explicit === 'string' && explicit) return explicit;
  const m = /\b(?:on|for)\s+(Ascend\s?910B|Ascend\s?310P|Ascend|GPU|CPU)\b/i.exec(str(f.message));
  if (m && /not (?:supported|available)|unsupported|cannot run|no .* kernel/i.test(str(f.message))) return m[1].replace(/\s/g, '');
  return undefined;
}

/** Rules about what the target device cannot run: MSP105 (twin not on the device) and the MSP2xx family. */
export function isDeviceRule(code: string): boolean {
  return code === 'MSP105' || /^MSP2\d\d$/.test(code);
}

export function normalizeReport(raw: unknown): Report {
  const r = obj(raw);
  const files: ReportFile[] = arr(r.files).map((fv) => {
    const f = obj(fv);
    const findings: ReportFinding[] = arr(f.findings ?? f.diagnostics).map((gv) => {
      const g = obj(gv);
      const range = obj(g.range);
      const start = obj(range.start);
      const line = num(g.line, range.start ? num(start.line) + 1 : 1);
      const column = num(g.column ?? g.col, range.start ? num(start.character) + 1 : 1);
      return {
        code: str(g.code, 'MSP'),
        line: Math.max(1, line),
        column: Math.max(1, column),
        message: str(g.message),
        severity: normSeverity(g.severity),
        api:
          [g.api, g.torchApi, g.torch_api].find((v): v is string => typeof v === 'string' && v.length > 0) ??
          /^`(torch\.[\w.]+)`/.exec(str(g.message))?.[1],
        device: findingDevice(g),
        cell: typeof g.cell === 'number' ? g.cell : undefined,
      };
    });
    const apiUses = num(f.apiUses);
    const mappedSame = num(f.mappedSame);
    const mappedDiff = num(f.mappedDiff);
    const notNeeded = num(f.notNeeded);
    const unmapped = num(f.unmapped);
    const path = str(f.path, str(f.uri, '(unknown)'));
    return {
      uri: typeof f.uri === 'string' ? f.uri : undefined,
      path,
      findings,
      apiUses,
      mappedSame,
      mappedDiff,
      notNeeded,
      unmapped,
      readyPercent: num(f.readyPercent, apiUses ? Math.round((100 * (apiUses - unmapped)) / apiUses) : 100),
    };
  });
  const all = files.flatMap((f) => f.findings);
  const t = obj(r.totals);
  const sum = (k: keyof ReportFile) => files.reduce((s, f) => s + num(f[k]), 0);
  const totals = {
    ...t,
    files: num(t.files, files.length),
    findings: num(t.findings, all.length),
    apiUses: num(t.apiUses, sum('apiUses')),
    mappedSame: num(t.mappedSame, sum('mappedSame')),
    mappedDiff: num(t.mappedDiff, sum('mappedDiff')),
    notNeeded: num(t.notNeeded, sum('notNeeded')),
    unmapped: num(t.unmapped, sum('unmapped')),
    errors: num(t.errors, all.filter((f) => f.severity === 'error').length),
    warnings: num(t.warnings, all.filter((f) => f.severity === 'warning').length),
  };
  const readyPercent = num(
    r.readyPercent,
    totals.apiUses ? Math.round((100 * (totals.apiUses - totals.unmapped)) / totals.apiUses) : 100,
  );
  const byRuleArr = arr(r.byRule).map(obj).filter((x) => typeof x.code === 'string');
  const ruleSummary = new Map(byRuleArr.map((x) => [str(x.code), str(x.summary)]));
  const byRuleRaw = byRuleArr.length ? Object.fromEntries(byRuleArr.map((x) => [str(x.code), num(x.count)])) : obj(t.byRule);
  const byRule = Object.keys(byRuleRaw).length
    ? sorted(new Map(Object.entries(byRuleRaw).map(([k, v]) => [k, num(v)])))
    : sorted(countBy(all, (f) => f.code));
  const byDevRaw = obj(t.byDeviceLimit ?? t.byDevice ?? r.byDeviceLimit);
  const byDeviceLimit = Object.keys(byDevRaw).length
    ? sorted(new Map(Object.entries(byDevRaw).map(([k, v]) => [k, num(v)])))
    : sorted(countBy(all, (f) => f.device ?? (isDeviceRule(f.code) ? `${f.code}${ruleSummary.get(f.code) ? ` ${ruleSummary.get(f.code)}` : ''}` : undefined)));
  const blockerSource = all.filter((f) => f.severity === 'error' || f.severity === 'warning');
  const blockers = sorted(
    countBy(blockerSource.length ? blockerSource : all, (f) => f.api ?? `${f.code} ${shorten(f.message, 60)}`),
  ).slice(0, 10);
  const target = obj(r.target ?? r.settings);
  return {
    files,
    totals,
    readyPercent: Math.max(0, Math.min(100, readyPercent)),
    byRule: byRule.map(([code, count]) => ({ code, count, summary: ruleSummary.get(code) || undefined })),
    byDeviceLimit: byDeviceLimit.map(([device, count]) => ({ device, count })),
    blockers: blockers.map(([label, count]) => ({ label, count })),
    target: Object.keys(target).length
      ? { mindsporeVersion: str(target.mindsporeVersion) || undefined, device: str(target.device) || undefined }
      : undefined,
    sarif: r.sarif,
    markdown: typeof r.markdown === 'string' ? r.markdown : undefined,
    generatedAt: new Date().toISOString(),
  };
}

export function shorten(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function reportToMarkdown(r: Report): string {
  const out: string[] = [];
  out.push('# MindPort porting report', '');
  if (r.target) out.push(`Target: MindSpore ${r.target.mindsporeVersion ?? '?'} on ${r.target.device ?? '?'}`, '');
  out.push(`**Ready to port: ${r.readyPercent}%**`, '');
  const t = r.totals;
  out.push(
    `| Files | Findings | Errors | Warnings | torch API uses | Same in MindSpore | Differs | Not needed | No equivalent |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|---:|`,
    `| ${t.files} | ${t.findings} | ${t.errors} | ${t.warnings} | ${t.apiUses} | ${t.mappedSame} | ${t.mappedDiff} | ${t.notNeeded} | ${t.unmapped} |`,
    '',
  );
  if (r.blockers.length) {
    out.push('## Top blockers', '', '| Blocker | Count |', '|---|---:|');
    for (const b of r.blockers) out.push(`| ${mdCell(b.label)} | ${b.count} |`);
    out.push('');
  }
  if (r.byRule.length) {
    out.push('## Findings by rule', '', '| Rule | Count |', '|---|---:|');
    for (const b of r.byRule) out.push(`| ${b.code}${b.summary ? ` ${mdCell(b.summary)}` : ''} | ${b.count} |`);
    out.push('');
  }
  if (r.byDeviceLimit.length) {
    out.push('## Findings by device limit', '', '| Device | Count |', '|---|---:|');
    for (const b of r.byDeviceLimit) out.push(`| ${b.device} | ${b.count} |`);
    out.push('');
  }
  out.push('## Files', '', '| File | Ready | Findings | API uses | Same | Differs | Not needed | No equivalent |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of r.files)
    out.push(
      `| ${mdCell(f.path)} | ${f.readyPercent}% | ${f.findings.length} | ${f.apiUses} | ${f.mappedSame} | ${f.mappedDiff} | ${f.notNeeded} | ${f.unmapped} |`,
    );
  out.push('');
  const withFindings = r.files.filter((f) => f.findings.length);
  if (withFindings.length) {
    out.push('## Findings', '');
    for (const f of withFindings) {
      out.push(`### ${f.path}`, '');
      for (const g of f.findings) out.push(`- ${f.path}${g.cell ? `[cell ${g.cell}]` : ''}:${g.line}:${g.column} **${g.code}** (${g.severity}) ${mdCell(g.message)}`);
      out.push('');
    }
  }
  return out.join('\n');
}

const sarifLevel = (s: string) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');

/** SARIF 2.1.0: the server's own when it sends one, else built from the findings. */
export function reportToSarif(r: Report, toolVersion = '0.1.0'): unknown {
  if (r.sarif && typeof r.sarif === 'object') return r.sarif;
  const rules = [...new Set(r.files.flatMap((f) => f.findings.map((g) => g.code)))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'MindPort', version: toolVersion, rules: rules.map((id) => ({ id })) } },
        results: r.files.flatMap((f) =>
          f.findings.map((g) => ({
            ruleId: g.code,
            level: sarifLevel(g.severity),
            message: { text: g.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: f.path.replace(/\\/g, '/') },
                  region: { startLine: g.line, startColumn: g.column },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
}
