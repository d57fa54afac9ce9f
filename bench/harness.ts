// Benchmark harness for the one-thread figures. bench/run.mjs bundles it with esbuild (like scripts/build.mjs
// bundles the server) so the engine runs as the shipped dist/ code does, not through tsx.
//   node harness.cjs measure LIST.json [--rounds N]   → JSON {lines, parseMs, analyzeMs, ...} on stdout
//   node harness.cjs profile LIST.json [--rounds N]   → analysis only (run under node --cpu-prof)
//   node harness.cjs parse-share LIST.json K N         → bare parsing of every Nth file from the Kth, once per
//                                                        "go" line on stdin, each answered by "done MS" (run.mjs
//                                                        starts one per core at once: what the cores parse together)
//   node harness.cjs edit FILE.py [--slowest N] [--auto-close] → the edit benchmark's typing, in process: each character
//                                                        applied to a PythonDocument and analysed incrementally
// LIST.json: an array of absolute file paths. Sources are read into memory first: no disk I/O is timed.
import { readFileSync } from 'node:fs';
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { initParser, parsePython } from '../server/src/engine/parser';
import { ModuleTree } from '../server/src/engine/moduleTree';
import { analyzeSource } from '../server/src/engine/project';
import { readSource, type SourceFile } from '../server/src/engine/files';
import { DEFAULT_SETTINGS } from '../server/src/engine/settings';
import { loadDatabase } from '../server/src/mappings/location';
import { resolve } from '../server/src/engine/resolve';
import { ALL_RULES } from '../server/src/engine/rules/index';
import { analyzeText } from '../server/src/engine/analyze';
import type { RuleContext } from '../server/src/engine/rules/types';
import { PythonDocument } from '../server/src/engine/document';
import { IncrementalAnalyzer } from '../server/src/engine/incremental';
import { disablePretenuring, limitInlining } from '../server/src/v8Flags';
// @ts-expect-error: a plain ES module shared with bench/lsp.mjs (bundled by esbuild)
import { typingEdits } from './edits.mjs';

/**
 * The LSP edit benchmark's typing without LSP: the time the engine takes per edit (incremental parse included).
 * With `--slowest N`, the N slowest edits go to stderr with what they typed and the garbage collection that
 * ran during them (node's `gc` performance entries).
 */
async function editInProcess(file: string, slowest: number, autoClose: boolean): Promise<void> {
  disablePretenuring(); // as the server runs
  await initParser();
  const db = loadDatabase();
  const text = readFileSync(file, 'utf8');
  const doc = new PythonDocument(text);
  const inc = new IncrementalAnalyzer();
  inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
  const times: number[] = [];
  const spans: { start: number; end: number; what: string; faults: number }[] = [];
  const typingFaults0 = process.resourceUsage().minorPageFault;
  const gcs: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
  if (slowest) observer.observe({ entryTypes: ['gc'] });
  for (const e of typingEdits(text, { edits: 200, sessions: 4, autoClose }) as Iterable<{ row: number; col: number; text: string }>) {
    // the document's own line index, kept up to date edit by edit as the server's is (a fresh index per edit
    // would add a quarter of the allocation, and its collections, to what is timed)
    const at = doc.lines.offsetAt({ line: e.row, character: e.col });
    const f0 = slowest ? process.resourceUsage().minorPageFault : 0;
    const full0 = inc.stats.full;
    const t0 = performance.now();
    doc.edit({ start: at, end: at, newText: e.text });
    inc.analyzeDocument(doc, DEFAULT_SETTINGS, db);
    const t1 = performance.now();
    times.push(t1 - t0);
    const whole = inc.stats.full > full0 ? ` (whole file: ${inc.stats.lastFullReason})` : '';
    if (slowest) spans.push({ start: t0, end: t1, what: `${JSON.stringify(e.text)} at line ${e.row + 1}${whole}`, faults: process.resourceUsage().minorPageFault - f0 });
  }
  if (slowest) {
    await new Promise((r) => setTimeout(r, 50)); // the last entries are delivered asynchronously
    observer.disconnect();
    const gcDuring = (s: { start: number; end: number }) => gcs.filter((g) => g.startTime >= s.start && g.startTime < s.end).reduce((n, g) => n + g.duration, 0);
    const rows = spans.map((s, i) => ({ i, ms: s.end - s.start, gc: gcDuring(s), what: s.what, faults: s.faults })).sort((a, b) => b.ms - a.ms);
    for (const r of rows.slice(0, slowest)) process.stderr.write(`edit #${r.i}: ${r.ms.toFixed(1)} ms (gc ${r.gc.toFixed(1)} ms, ${r.faults} page faults) ${r.what}\n`);
    const faults = process.resourceUsage().minorPageFault - typingFaults0;
    process.stderr.write(`page faults while typing: ${faults} (${(faults / times.length).toFixed(0)} per edit)\n`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  process.stdout.write(JSON.stringify({ edits: times.length, p50: pct(50), p95: pct(95), max: sorted[sorted.length - 1], incremental: inc.stats.incremental, full: inc.stats.full }) + '\n');
}

/**
 * One of N processes parsing the corpus together: parses its share when told to ("go" on stdin), as often as
 * told, and answers each time with the wall-clock milliseconds it took. The files are dealt round-robin by size
 * so that every share holds about as many lines.
 */
async function parseShare(texts: string[], k: number, n: number): Promise<void> {
  const bySize = texts.map((t, i) => ({ t, i })).sort((a, b) => b.t.length - a.t.length || a.i - b.i);
  const mine = bySize.filter((_, j) => j % n === k).map((x) => x.t);
  for (const t of mine.slice(0, 60)) parsePython(t).delete(); // warm up (wasm tiers), as `measure` does
  process.stdout.write('ready\n');
  let pending = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line !== 'go') continue;
      const t0 = performance.now();
      for (const t of mine) parsePython(t).delete();
      process.stdout.write(`done ${performance.now() - t0}\n`);
    }
  }
}

async function main(): Promise<void> {
  limitInlining(); // as the CLI and the server run (v8Flags.ts)
  const [mode, listPath] = process.argv.slice(2);
  const si = process.argv.indexOf('--slowest');
  if (mode === 'edit') return editInProcess(listPath, si > 0 ? Number(process.argv[si + 1]) : 0, process.argv.includes('--auto-close'));
  const ri = process.argv.indexOf('--rounds');
  const rounds = ri > 0 ? Number(process.argv[ri + 1]) : 3;
  const files: string[] = JSON.parse(readFileSync(listPath, 'utf8'));
  await initParser();
  const db = loadDatabase();
  const sources: SourceFile[] = files.map((f) => readSource(f));
  const texts = sources.map((s) => (s.kind === 'skipped' ? '' : s.text));
  const lines = texts.reduce((n, t) => n + t.split('\n').length, 0);
  const settings = DEFAULT_SETTINGS;

  // wall-clock time, and CPU time of this process (user + system): on a machine shared with other work the
  // CPU time is the steadier figure, since waiting for a core is not counted
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const timed = (fn: () => void) => {
    const w0 = performance.now();
    const c0 = cpuMs();
    const f0 = process.resourceUsage().minorPageFault;
    fn();
    return { wall: performance.now() - w0, cpu: cpuMs() - c0, faults: process.resourceUsage().minorPageFault - f0 };
  };
  const parseAll = () => timed(() => {
    for (const t of texts) parsePython(t).delete();
  });
  let findings = 0;
  const analyzeAll = () => timed(() => {
    findings = 0;
    for (const s of sources) findings += analyzeSource(s, settings, db).findings.length;
  });

  if (mode === 'parse-share') return parseShare(texts, Number(process.argv[4]), Number(process.argv[5]));
  if (mode === 'dump') {
    // every result, for checking that a performance change leaves the output unchanged
    const all = sources.map((s) => analyzeSource(s, settings, db));
    process.stdout.write(JSON.stringify(all) + '\n');
    return;
  }
  if (mode === 'breakdown') {
    // where the analysis time goes: the parse, name resolution, and each rule (run on its own, unclaimed)
    const t: Record<string, number> = {};
    const add = (k: string, t0: number) => (t[k] = (t[k] ?? 0) + performance.now() - t0);
    for (let r = 0; r < rounds; r++) {
      for (const s of sources) {
        if (s.kind === 'skipped') continue;
        let t0 = performance.now();
        const tsTree = ModuleTree.parse(s.text);
        add('parse', t0);
        t0 = performance.now();
        const tree = tsTree.copy();
        add('copy tree', t0);
        t0 = performance.now();
        const res = resolve(tree);
        add('resolve', t0);
        t0 = performance.now();
        analyzeText(s.text, settings, db, tsTree);
        add('analyzeText (all but parse)', t0);
        for (const rule of ALL_RULES) {
          const ctx = { text: s.text, tree, resolution: res, db, settings, target: { version: settings.mindsporeVersion, device: settings.device, api: settings.targetApi },
            lines: { range: () => ({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), positionAt: () => ({ line: 0, character: 0 }) },
            imports: { plan: () => ({ expr: '' }) }, enabled: () => true, claim: () => undefined, claimed: () => false, report: () => undefined } as unknown as RuleContext;
          t0 = performance.now();
          try {
            rule.check(ctx);
          } catch {
            /* a rule that needs the real context */
          }
          add(`rule ${rule.codes[0]}..`, t0);
        }
        tsTree.delete();
      }
    }
    for (const [k, v] of Object.entries(t).sort((a, b) => b[1] - a[1])) process.stdout.write(`${k.padEnd(32)} ${(v / rounds).toFixed(0).padStart(7)} ms\n`);
    return;
  }
  if (mode === 'profile') {
    for (let r = 0; r < rounds; r++) analyzeAll();
    process.stdout.write(JSON.stringify({ lines, findings }) + '\n');
    return;
  }
  // warm up (JIT, wasm tiers), then alternate parse and analysis rounds and keep the best of each:
  // on a shared machine the minimum is the figure least disturbed by other processes
  for (let i = 0; i < Math.min(60, sources.length); i++) {
    parsePython(texts[i]).delete();
    analyzeSource(sources[i], settings, db);
  }
  const parseMs: { wall: number; cpu: number; faults: number }[] = [];
  const analyzeMs: { wall: number; cpu: number; faults: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    parseMs.push(parseAll());
    analyzeMs.push(analyzeAll());
  }
  process.stdout.write(
    JSON.stringify({
      files: files.length,
      lines,
      findings,
      parseMs,
      analyzeMs,
      parseBest: Math.min(...parseMs.map((m) => m.wall)),
      analyzeBest: Math.min(...analyzeMs.map((m) => m.wall)),
      parseBestCpu: Math.min(...parseMs.map((m) => m.cpu)),
      analyzeBestCpu: Math.min(...analyzeMs.map((m) => m.cpu)),
    }) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
