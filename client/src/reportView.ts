// "MindPort: Show Porting Report": a webview with the ready-to-port percentage, findings by rule and by device
// limit, an inline-SVG chart of the top blockers, and sortable tables whose rows open the file at the line.
// Exports to Markdown, JSON and SARIF. No remote resources: everything is inline, under a strict CSP.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { type Report, reportToMarkdown, reportToSarif, shorten } from './reportModel';

export type ExportFormat = 'markdown' | 'json' | 'sarif';
const EXT: Record<ExportFormat, string> = { markdown: 'md', json: 'json', sarif: 'sarif' };

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function exportReport(report: Report, format: ExportFormat): string {
  if (format === 'markdown') return reportToMarkdown(report);
  if (format === 'sarif') return JSON.stringify(reportToSarif(report), null, 2) + '\n';
  const { sarif: _sarif, markdown: _markdown, ...rest } = report;
  return JSON.stringify(rest, null, 2) + '\n';
}

/** Writes an export; asks for a file when no target is given. Returns the file written. */
export async function saveExport(report: Report, format: ExportFormat, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  let uri = target;
  if (!uri) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `mindport-report.${EXT[format]}`;
    uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters:
        format === 'markdown' ? { Markdown: ['md'] } : format === 'sarif' ? { SARIF: ['sarif', 'json'] } : { JSON: ['json'] },
      title: `Export MindPort report as ${format === 'markdown' ? 'Markdown' : format.toUpperCase()}`,
    });
    if (!uri) return undefined;
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(exportReport(report, format), 'utf8'));
  return uri;
}

function barChart(items: { label: string; count: number }[], title: string): string {
  if (!items.length) return `<p class="muted">No blockers found.</p>`;
  const rowH = 24;
  const labelW = 300;
  const barW = 320;
  const max = Math.max(...items.map((i) => i.count));
  const h = items.length * rowH + 8;
  const rows = items
    .map((it, i) => {
      const y = i * rowH + 4;
      const w = Math.max(2, Math.round((barW * it.count) / max));
      return `<g class="bar"><title>${esc(it.label)}: ${it.count}</title>
<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${esc(shorten(it.label, 42))}</text>
<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" rx="2"></rect>
<text x="${labelW + w + 6}" y="${y + 16}" class="count">${it.count}</text></g>`;
    })
    .join('\n');
  return `<svg role="img" aria-label="${esc(title)}" class="chart" width="${labelW + barW + 60}" height="${h}" viewBox="0 0 ${labelW + barW + 60} ${h}" xmlns="http://www.w3.org/2000/svg">${rows}</svg>`;
}

function countTable(rows: { k: string; v: number }[], head: [string, string], empty: string): string {
  if (!rows.length) return `<p class="muted">${esc(empty)}</p>`;
  return `<table class="counts"><thead><tr><th>${esc(head[0])}</th><th class="n">${esc(head[1])}</th></tr></thead><tbody>${rows
    .map((r) => `<tr><td>${esc(r.k)}</td><td class="n">${r.v}</td></tr>`)
    .join('')}</tbody></table>`;
}

export function renderReportHtml(report: Report, opts: { cspSource: string; nonce: string }): string {
  const t = report.totals;
  const fileRows = report.files
    .map((f, i) => {
      const first = f.findings[0];
      const errors = f.findings.filter((g) => g.severity === 'error').length;
      return `<tr class="file-row" tabindex="0" data-file="${i}" data-line="${first?.line ?? 1}" data-col="${first?.column ?? 1}"${first?.cell ? ` data-cell="${first.cell}"` : ''}>
<td data-v="${esc(f.path)}"><a href="#">${esc(f.path)}</a></td>
<td class="n" data-v="${f.readyPercent}">${f.readyPercent}%</td>
<td class="n" data-v="${f.findings.length}">${f.findings.length}</td>
<td class="n" data-v="${errors}">${errors}</td>
<td class="n" data-v="${f.apiUses}">${f.apiUses}</td>
<td class="n" data-v="${f.mappedSame}">${f.mappedSame}</td>
<td class="n" data-v="${f.mappedDiff}">${f.mappedDiff}</td>
<td class="n" data-v="${f.notNeeded}">${f.notNeeded}</td>
<td class="n" data-v="${f.unmapped}">${f.unmapped}</td></tr>`;
    })
    .join('\n');
  const findings = report.files.flatMap((f, i) => f.findings.map((g) => ({ f, i, g })));
  const LIMIT = 1000;
  const findingRows = findings
    .slice(0, LIMIT)
    .map(
      ({ f, i, g }) => `<tr class="finding-row sev-${esc(g.severity)}" tabindex="0" data-file="${i}" data-line="${g.line}" data-col="${g.column}"${g.cell ? ` data-cell="${g.cell}"` : ''}>
<td data-v="${esc(f.path)}"><a href="#">${esc(f.path)}${g.cell ? ` [cell ${g.cell}]` : ''}:${g.line}</a></td>
<td data-v="${esc(g.code)}">${esc(g.code)}</td>
<td data-v="${esc(g.severity)}">${esc(g.severity)}</td>
<td data-v="${esc(g.message)}">${esc(g.message)}</td></tr>`,
    )
    .join('\n');
  const target = report.target?.device
    ? `<p class="muted">Target: MindSpore ${esc(report.target.mindsporeVersion ?? '?')} on ${esc(report.target.device)}</p>`
    : '';
  const pct = report.readyPercent;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${opts.cspSource} data:; style-src ${opts.cspSource} 'unsafe-inline'; script-src 'nonce-${opts.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>MindPort Porting Report</title>
<style>
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px 40px; }
h1 { font-size: 1.6em; font-weight: 600; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid var(--vscode-panel-border, #8884); padding-bottom: 4px; }
.muted { opacity: .75; }
.summary { display: flex; gap: 20px; flex-wrap: wrap; align-items: center; }
.ready { font-size: 2.6em; font-weight: 700; }
.ready small { font-size: .4em; font-weight: 400; display: block; opacity: .8; }
.meter { width: 160px; height: 10px; background: var(--vscode-editorWidget-background, #8883); border-radius: 5px; overflow: hidden; }
.meter > div { height: 100%; background: var(--vscode-progressBar-background, #0a7); }
.stat { min-width: 64px; } .stat b { display: block; font-size: 1.4em; }
.cols { display: flex; gap: 40px; flex-wrap: wrap; }
table { border-collapse: collapse; margin-top: 6px; }
th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8883); }
th { cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort=ascending]::after { content: ' ▲'; } th[aria-sort=descending]::after { content: ' ▼'; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.file-row, tr.finding-row { cursor: pointer; }
tr.file-row:hover, tr.finding-row:hover, tr:focus { background: var(--vscode-list-hoverBackground); outline: none; }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
.sev-error td:nth-child(3) { color: var(--vscode-errorForeground); }
.chart text { fill: var(--vscode-foreground); font-size: 12px; font-family: var(--vscode-font-family); }
.chart rect { fill: var(--vscode-charts-orange, #d18616); }
.toolbar { display: flex; gap: 8px; margin: 12px 0; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 5px 12px; cursor: pointer; border-radius: 2px; }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
button:hover { background: var(--vscode-button-hoverBackground); }
</style></head>
<body>
<h1>MindPort Porting Report</h1>
${target}
<div class="toolbar">
<button data-export="markdown">Export Markdown</button>
<button data-export="json" class="secondary">Export JSON</button>
<button data-export="sarif" class="secondary">Export SARIF</button>
<button data-action="refresh" class="secondary">Rescan</button>
</div>
<div class="summary">
<div class="ready" id="ready">${pct}%<small>ready to port</small></div>
<div class="meter" title="${pct}% of torch API uses are ready to port: a MindSpore twin that runs on the target, or nothing needed"><div style="width:${pct}%"></div></div>
<div class="stat"><b>${t.files}</b>files</div>
<div class="stat"><b>${t.apiUses}</b>torch API uses</div>
<div class="stat"><b>${t.mappedSame}</b>same in MindSpore</div>
<div class="stat"><b>${t.mappedDiff}</b>differ</div>
<div class="stat" title="the port deletes them: MindSpore has no use for them"><b>${t.notNeeded}</b>not needed</div>
<div class="stat"><b>${t.unmapped}</b>no equivalent</div>
<div class="stat"><b>${t.errors}</b>errors</div>
<div class="stat"><b>${t.warnings}</b>warnings</div>
</div>
<h2>Top blockers</h2>
${barChart(report.blockers, 'Top blockers')}
<div class="cols">
<section><h2>Findings by rule</h2>${countTable(report.byRule.map((r) => ({ k: r.summary ? `${r.code} ${r.summary}` : r.code, v: r.count })), ['Rule', 'Findings'], 'No findings.')}</section>
<section><h2>Findings by device limit</h2>${countTable(
    report.byDeviceLimit.map((r) => ({ k: r.device, v: r.count })),
    ['Limit', 'Findings'],
    'No device limitations found.',
  )}</section>
</div>
<h2>Files</h2>
<table id="files" class="sortable"><thead><tr>
<th data-type="s">File</th><th class="n" data-type="n">Ready</th><th class="n" data-type="n">Findings</th><th class="n" data-type="n">Errors</th>
<th class="n" data-type="n">API uses</th><th class="n" data-type="n">Same</th><th class="n" data-type="n">Differ</th><th class="n" data-type="n">Not needed</th><th class="n" data-type="n">No equivalent</th>
</tr></thead><tbody>
${fileRows}
</tbody></table>
<h2>Findings${findings.length > LIMIT ? ` (first ${LIMIT} of ${findings.length})` : ''}</h2>
<table id="findings" class="sortable"><thead><tr><th data-type="s">Location</th><th data-type="s">Rule</th><th data-type="s">Severity</th><th data-type="s">Message</th></tr></thead><tbody>
${findingRows}
</tbody></table>
<script nonce="${opts.nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  document.querySelectorAll('button[data-export]').forEach((b) => b.addEventListener('click', () => vscode.postMessage({ type: 'export', format: b.dataset.export })));
  document.querySelectorAll('button[data-action=refresh]').forEach((b) => b.addEventListener('click', () => vscode.postMessage({ type: 'refresh' })));
  const open = (tr) => vscode.postMessage({ type: 'open', file: Number(tr.dataset.file), line: Number(tr.dataset.line), column: Number(tr.dataset.col), cell: tr.dataset.cell ? Number(tr.dataset.cell) : undefined });
  document.querySelectorAll('tr[data-file]').forEach((tr) => {
    tr.addEventListener('click', (e) => { e.preventDefault(); open(tr); });
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(tr); } });
  });
  document.querySelectorAll('table.sortable').forEach((table) => {
    const ths = table.querySelectorAll('th');
    ths.forEach((th, col) => th.addEventListener('click', () => {
      const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      ths.forEach((o) => o.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', dir);
      const numeric = th.dataset.type === 'n';
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
        const c = numeric ? Number(x) - Number(y) : String(x).localeCompare(String(y), undefined, { numeric: true });
        return dir === 'ascending' ? c : -c;
      });
      rows.forEach((r) => body.appendChild(r));
    }));
  });
  vscode.postMessage({ type: 'ready' });
})();
</script>
</body></html>`;
}

/** The single report panel, reused between invocations. */
export class ReportPanel {
  private panel: vscode.WebviewPanel | undefined;
  private report: Report | undefined;
  html: string | undefined;
  /** Resolves each time the webview script has run (for tests). */
  private readyWaiters: (() => void)[] = [];
  readyCount = 0;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly refresh: () => Promise<Report | undefined>,
  ) {}

  get current(): Report | undefined {
    return this.report;
  }
  get webviewPanel(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  whenReady(): Promise<void> {
    return new Promise((res) => this.readyWaiters.push(res));
  }

  show(report: Report): vscode.WebviewPanel {
    this.report = report;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'mindport.report',
        'MindPort Porting Report',
        { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
        { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] },
      );
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m) => this.onMessage(m));
    } else this.panel.reveal();
    const nonce = randomBytes(16).toString('base64');
    this.html = renderReportHtml(report, { cspSource: this.panel.webview.cspSource, nonce });
    this.panel.webview.html = this.html;
    return this.panel;
  }

  private async onMessage(m: { type?: string; format?: ExportFormat; file?: number; line?: number; column?: number; cell?: number }): Promise<void> {
    try {
      if (m.type === 'ready') {
        this.readyCount++;
        for (const w of this.readyWaiters.splice(0)) w();
      } else if (m.type === 'open' && typeof m.file === 'number') {
        await this.openEntry(m.file, m.line ?? 1, m.column ?? 1, m.cell);
      } else if (m.type === 'export' && this.report && m.format) {
        const uri = await saveExport(this.report, m.format);
        if (uri) {
          const pick = await vscode.window.showInformationMessage(`MindPort report written to ${vscode.workspace.asRelativePath(uri)}`, 'Open');
          if (pick === 'Open') await vscode.window.showTextDocument(uri);
        }
      } else if (m.type === 'refresh') {
        const r = await this.refresh();
        if (r) this.show(r);
      }
    } catch (e) {
      this.log.error(`report view: ${e instanceof Error ? e.message : String(e)}`);
      void vscode.window.showErrorMessage(`MindPort: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** What a click on a table row does: opens the report's file number `file` at the line (and notebook cell). */
  async openEntry(file: number, line: number, column: number, cell?: number): Promise<vscode.TextEditor | undefined> {
    const f = this.report?.files[file];
    if (!f) return undefined;
    return openAt(f.uri ? vscode.Uri.parse(f.uri) : resolvePath(f.path), line, column, cell);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

export function resolvePath(p: string): vscode.Uri {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) return vscode.Uri.parse(p);
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return vscode.Uri.file(p);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, p) : vscode.Uri.file(p);
}

/**
 * Opens a document with the cursor at a 1-based line and column. For a notebook, `cell` is the 1-based cell number
 * counting every cell, markdown included (as the CLI prints it and the editor numbers cells); the line is inside it.
 */
export async function openAt(uri: vscode.Uri, line: number, column: number, cell?: number): Promise<vscode.TextEditor | undefined> {
  const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  const selection = new vscode.Range(pos, pos);
  if (uri.path.endsWith('.ipynb')) {
    const nb = await vscode.workspace.openNotebookDocument(uri);
    const cells = nb.getCells();
    const wanted = cells[Math.max(0, (cell ?? 1) - 1)];
    const target = wanted?.kind === vscode.NotebookCellKind.Code ? wanted : cells.find((c) => c.kind === vscode.NotebookCellKind.Code);
    const editor = await vscode.window.showNotebookDocument(nb, {
      viewColumn: vscode.ViewColumn.One,
      preview: false,
      selections: target ? [new vscode.NotebookRange(target.index, target.index + 1)] : undefined,
    });
    if (!target) return undefined;
    editor.revealRange(new vscode.NotebookRange(target.index, target.index + 1), vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
    return vscode.window.showTextDocument(target.document, { selection, viewColumn: vscode.ViewColumn.One, preview: false });
  }
  return vscode.window.showTextDocument(uri, { selection, viewColumn: vscode.ViewColumn.One, preview: false });
}
