// LSP figures against the bundled server (node dist/server.js --stdio), with debounce 0:
//  - edit latency: single-character edits on a 5,000-line file, didChange → publishDiagnostics of that version
//  - memory: server resident set after opening N files and receiving their diagnostics
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { typingEdits } from './edits.mjs';

const require = createRequire(import.meta.url);
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-languageserver-protocol/node');

/** Starts `dist/server.js --stdio` (or, with `argv`, node with those arguments) and initialises it. */
export async function startServer(dist, workspaceDir, argv = [join(dist, 'server.js'), '--stdio']) {
  // BENCH_NODE_ARGS: extra node flags for the server process, e.g. "--cpu-prof --cpu-prof-dir /tmp/prof" to profile it.
  // BENCH_SERVER_STDOUT=FILE: the protocol goes over fd 3 and the server's stdout is appended to FILE, so that V8's
  // tracing flags can be given (BENCH_NODE_ARGS="--trace-gc-nvp"): each server starts with a `=== ` line, and
  // `=== typing` marks (about) where a typing benchmark's first edit was sent.
  const traceTo = process.env.BENCH_SERVER_STDOUT;
  const preload = traceTo ? ['-r', join(dirname(fileURLToPath(import.meta.url)), 'protocolOnFd3.cjs')] : [];
  const flags = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...preload, ...flags, ...argv], { stdio: ['pipe', 'pipe', 'pipe', ...(traceTo ? ['pipe'] : [])] });
  child.stdin.on('error', () => undefined); // the server may be gone before the last message is written
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  if (traceTo) {
    appendFileSync(traceTo, `=== ${argv.join(' ')} (pid ${child.pid})\n`);
    child.stdout.on('data', (d) => appendFileSync(traceTo, d));
  }
  const conn = createProtocolConnection(new StreamMessageReader(traceTo ? child.stdio[3] : child.stdout), new StreamMessageWriter(child.stdin));
  const listeners = new Set();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    for (const l of listeners) l(p);
  });
  conn.onNotification(() => undefined);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspaceDir).href,
    workspaceFolders: [{ uri: pathToFileURL(workspaceDir).href, name: 'bench' }],
    capabilities: {},
    initializationOptions: { debounceMs: 0 },
  });
  conn.sendNotification('initialized', {});
  return {
    conn,
    child,
    stderr: () => stderr,
    onDiagnostics(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async stop() {
      const exited = new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      try {
        await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await conn.sendNotification('exit');
      } catch {
        /* gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      conn.dispose();
      child.kill();
    },
  };
}

/**
 * CPU time of a process (Linux: /proc/PID/task/TID/stat of each thread, in USER_HZ = 100 ticks per second), split into its main
 * thread and the others (V8's background threads: optimising compiles, parallel and concurrent GC; libuv's pool).
 * Undefined where /proc is not there.
 */
export function threadCpuMs(pid) {
  try {
    let main = 0;
    let others = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(f[11]) + Number(f[12])) * 10; // utime + stime
      if (tid === String(pid)) main += ms;
      else others += ms;
    }
    return { main, others };
  } catch {
    return undefined;
  }
}

function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(/\d+/.exec(status.split('\n').find((l) => l.startsWith(k)) ?? '0')[0]);
    return { rss: kb('VmRSS:') / 1024, hwm: kb('VmHWM:') / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** Replays `typingEdits` (bench/edits.mjs) over LSP: one didChange per character, timed to its diagnostics. */
export async function editLatency(dist, file, options = {}) {
  return typeAndTime(await startServer(dist, join(file, '..')), file, options);
}

/**
 * The same typing while the server scans the workspace `workspaceDir` (the "Scan Workspace" command, started
 * just before and not awaited): how long live diagnostics wait behind the scan. `scanFiles`: how many files
 * the scan got through while the edits were timed.
 */
export async function editLatencyDuringScan(dist, workspaceDir, file, options = {}) {
  const s = await startServer(dist, workspaceDir);
  // the scan publishes each file's diagnostics as it goes (every file but the open one)
  const target = pathToFileURL(file).href;
  let scanned = 0;
  s.onDiagnostics((p) => {
    if (p.uri !== target) scanned++;
  });
  const scan = s.conn.sendRequest('workspace/executeCommand', { command: 'mindport.server.scanWorkspace', arguments: [] }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500)); // the scan is under way
  const r = await typeAndTime(s, file, { ...options, keepRunning: true });
  const scannedDuring = scanned;
  await s.stop();
  void scan;
  return { ...r, scanFiles: scannedDuring };
}

/**
 * The same typing against bench/publishStub.cjs, which publishes `diagnostics` (what the real server published
 * for the file) for every edit without analysing anything: the protocol's share of the edit latency.
 */
export async function editLatencyFloor(file, diagnostics, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mindport-floor-'));
  try {
    const json = join(dir, 'diagnostics.json');
    writeFileSync(json, JSON.stringify(diagnostics));
    const stub = fileURLToPath(new URL('./publishStub.cjs', import.meta.url));
    return await typeAndTime(await startServer('', join(file, '..'), [stub, json]), file, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Warms the benchmark's own process (the client) for the edit measurements: the file's diagnostics are taken from
 * the real server (opened, no edit), and the same typing is done against the stand-in server. Returns that
 * typing's timings (the floor as a fresh client measures it).
 */
export async function warmUpClient(dist, file, options = {}) {
  const { published } = await editLatency(dist, file, { edits: 0, pauseMs: 0 });
  return editLatencyFloor(file, published, { edits: 200, sessions: 4, pauseMs: 0, ...options });
}

async function typeAndTime(s, file, { edits = 200, sessions = 4, keepRunning = false, pauseMs = 1000, autoClose = false } = {}) {
  try {
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');
    let version = 1;
    const waitFor = (v) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for version ${v}; stderr: ${s.stderr()}`)), 30000);
        const off = s.onDiagnostics((p) => {
          if (p.uri === uri && p.version === v) {
            clearTimeout(timer);
            off();
            resolve(p);
          }
        });
      });
    const opened = waitFor(1);
    const t0 = performance.now();
    s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
    const first = await opened;
    const openMs = performance.now() - t0;
    // as a user does, the typing starts a moment after the file is open (its first keystroke is timed as `first`)
    await new Promise((r) => setTimeout(r, pauseMs));

    const times = [];
    let last = first;
    let newlines = 0;
    if (process.env.BENCH_SERVER_STDOUT) appendFileSync(process.env.BENCH_SERVER_STDOUT, '=== typing\n');
    const cpu0 = threadCpuMs(s.child.pid);
    for (const e of typingEdits(text, { edits, sessions, autoClose })) {
      if (e.text === '\n') newlines++;
      version++;
      const done = waitFor(version);
      const t = performance.now();
      s.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line: e.row, character: e.col }, end: { line: e.row, character: e.col } }, text: e.text }],
      });
      last = await done;
      times.push(performance.now() - t);
    }
    const cpu1 = threadCpuMs(s.child.pid);
    return {
      // the server's CPU time per edit while typing, on its main thread and on its other threads
      serverMainCpuMs: cpu0 && cpu1 ? (cpu1.main - cpu0.main) / times.length : undefined,
      serverOtherCpuMs: cpu0 && cpu1 ? (cpu1.others - cpu0.others) / times.length : undefined,
      edits: times.length,
      lines: text.split('\n').length + newlines,
      openMs,
      diagnostics: first.diagnostics.length,
      published: first.diagnostics,
      // the size of one publishDiagnostics message's parameters, as JSON: what every edit re-sends
      publishKb: JSON.stringify({ uri, version, diagnostics: last.diagnostics }).length / 1024,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: Math.max(...times),
      first: times[0],
      times,
      mean: times.reduce((a, b) => a + b, 0) / times.length,
    };
  } finally {
    if (!keepRunning) await s.stop();
  }
}

/**
 * A fresh server with `file`'s text opened as `<prefix>_0.py` (beside it, not written) and its diagnostics
 * received. `uri(i)`: the name of copy i; `openCopies(n)` opens copies 1..n at once; `published(pred)`: the next
 * publishDiagnostics matching `pred`.
 */
async function serverWithTarget(dist, file, prefix) {
  const s = await startServer(dist, join(file, '..'));
  const text = readFileSync(file, 'utf8');
  const uri = (i) => pathToFileURL(join(file, '..', `${prefix}_${i}.py`)).href;
  const published = (pred) => new Promise((r) => s.onDiagnostics((p) => pred(p) && r(p)));
  // copies 1..n of the text, opened at once (each a distinct text: a comment at the end)
  const openCopies = (n) => {
    for (let i = 1; i <= n; i++) s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(i), languageId: 'python', version: 1, text: `${text}\n# copy ${i}\n` } });
  };
  try {
    const first = published((p) => p.uri === uri(0) && p.version === 1);
    s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(0), languageId: 'python', version: 1, text } });
    await first;
  } catch (err) {
    await s.stop();
    throw err;
  }
  return { s, text, uri, published, openCopies };
}

/**
 * "Fix all on save" (editor.codeActionsOnSave: source.fixAll.mindport) on `file`: its diagnostics awaited, then
 * the code action requested `rounds` times in a row, each timed from request to answer. `fixed`: whether every
 * answer had an edit.
 */
export async function fixAllOnSave(dist, file, rounds = 5) {
  const { s, uri } = await serverWithTarget(dist, file, 'fixall');
  try {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    const times = [];
    let fixed = true;
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const actions = await s.conn.sendRequest('textDocument/codeAction', {
        textDocument: { uri: uri(0) },
        range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll.mindport'], triggerKind: 2 },
      });
      times.push(performance.now() - t);
      fixed &&= !!actions?.[0]?.edit;
    }
    return { p50: percentile(times, 50), max: Math.max(...times), fixed };
  } finally {
    await s.stop();
  }
}

/**
 * A keystroke right after a burst of opened files (as restoring editor tabs does): `file` is opened and its
 * diagnostics awaited, then `others` copies of it (each under another name) are opened at once and one
 * character is typed into the first file. `typedMs`: from that keystroke to its diagnostics; `allMs`: until
 * every opened copy has its diagnostics.
 */
export async function burstLatency(dist, file, others = 19) {
  const { s, uri, published, openCopies } = await serverWithTarget(dist, file, 'burst');
  try {
    let pending = others;
    const all = published((p) => p.uri !== uri(0) && p.version === 1 && --pending === 0);
    const t0 = performance.now();
    openCopies(others);
    const typed = published((p) => p.uri === uri(0) && p.version === 2);
    const t1 = performance.now();
    s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(0), version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#' }] });
    await typed;
    const typedMs = performance.now() - t1;
    await all;
    return { typedMs, allMs: performance.now() - t0, others };
  } finally {
    await s.stop();
  }
}

/**
 * Typing while files open: a fresh server; the edit target is opened and typed in (two keystrokes, so that it is
 * a document being typed in), then `others` copies of it are opened at once and the typing goes on, a character
 * every 50 ms (the edit benchmark's typing in a method body, at most 60 more), until every copy has its
 * diagnostics: each keystroke timed from didChange to its publishDiagnostics (as typing while editor tabs are
 * restored or a search opens files).
 */
export async function typingDuringBurst(dist, file, others = 19) {
  const { s, text, uri, published, openCopies } = await serverWithTarget(dist, file, 'typed_burst');
  try {
    // the benchmark's typing (a new line in a method body, a character at a time), from its first place on
    const edits = typingEdits(text, { edits: 62, sessions: 1 });
    let version = 1;
    const keystroke = async () => {
      const e = edits.next();
      if (e.done) return undefined;
      const v = ++version;
      const done = published((p) => p.uri === uri(0) && p.version === v);
      const t = performance.now();
      const at = { line: e.value.row, character: e.value.col };
      s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(0), version: v }, contentChanges: [{ range: { start: at, end: at }, text: e.value.text }] });
      await done;
      return performance.now() - t;
    };
    await keystroke();
    await new Promise((r) => setTimeout(r, 500));
    await keystroke();
    let pending = others;
    let allDone = false;
    const all = published((p) => p.uri !== uri(0) && p.version === 1 && --pending === 0).then(() => (allDone = true));
    const t0 = performance.now();
    openCopies(others);
    const times = [];
    while (!allDone) {
      const ms = await keystroke();
      if (ms === undefined) break;
      times.push(ms);
      await new Promise((r) => setTimeout(r, 50));
    }
    await all;
    return { edits: times.length, p50: percentile(times, 50), max: Math.max(...times), allMs: performance.now() - t0 };
  } finally {
    await s.stop();
  }
}

/**
 * Typing in a notebook: the code cells of `notebooks` (.ipynb files) joined into one notebook, opened over LSP,
 * then two lines typed one character at a time at the end of its middle cell; each edit timed from
 * notebookDocument/didChange to the publishDiagnostics of that cell.
 */
export async function notebookEditLatency(dist, notebooks) {
  const cells = notebooks.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).cells.filter((c) => c.cell_type === 'code').map((c) => [].concat(c.source).join('')));
  const dir = mkdtempSync(join(tmpdir(), 'mindport-nb-'));
  const s = await startServer(dist, dir);
  try {
    const nbUri = pathToFileURL(join(dir, 'joined.ipynb')).href;
    const uris = cells.map((_, i) => `vscode-notebook-cell:${join(dir, 'joined.ipynb')}#cell${i}`);
    const target = Math.floor(cells.length / 2);
    let waiting;
    s.onDiagnostics((p) => {
      if (waiting && p.uri === uris[target]) {
        const w = waiting;
        waiting = undefined;
        w();
      }
    });
    const published = () => new Promise((resolve) => (waiting = resolve));
    let done = published();
    s.conn.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: nbUri, notebookType: 'jupyter-notebook', version: 1, cells: cells.map((_, i) => ({ kind: 2, document: uris[i] })) },
      cellTextDocuments: cells.map((text, i) => ({ uri: uris[i], languageId: 'python', version: 1, text })),
    });
    await done;
    const lines = cells[target].split('\n');
    let line = lines.length - 1;
    let character = lines[line].length;
    let version = 1;
    const times = [];
    for (const ch of '\ny = torch.relu(x) + F.gelu(h).mean(dim=-1) * scale + x.view(B, N, -1).sum()\nz = torch.fft.rfft2(y).abs()') {
      version++;
      done = published();
      const t = performance.now();
      s.conn.sendNotification('notebookDocument/didChange', {
        notebookDocument: { uri: nbUri, version },
        change: { cells: { textContent: [{ document: { uri: uris[target], version }, changes: [{ range: { start: { line, character }, end: { line, character } }, text: ch }] }] } },
      });
      await done;
      times.push(performance.now() - t);
      if (ch === '\n') {
        line++;
        character = 0;
      } else character++;
    }
    return { cells: cells.length, lines: cells.reduce((n, c) => n + c.split('\n').length, 0), edits: times.length, p50: percentile(times, 50), p95: percentile(times, 95) };
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens `count` Python files (didOpen, all at once), waits for every file's diagnostics, then reads the RSS. */
export async function memoryAfterOpening(dist, dir, files, count = 1000) {
  const s = await startServer(dist, dir);
  try {
    const before = rssMb(s.child.pid);
    const chosen = files.filter((f) => f.endsWith('.py')).slice(0, count);
    const pending = new Set(chosen.map((f) => pathToFileURL(f).href));
    const all = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${pending.size} files got no diagnostics; stderr: ${s.stderr().slice(-2000)}`)), 600000);
      s.onDiagnostics((p) => {
        pending.delete(p.uri);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    let lines = 0;
    const t0 = performance.now();
    for (const f of chosen) {
      const text = readFileSync(f, 'utf8');
      lines += text.split('\n').length;
      s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: pathToFileURL(f).href, languageId: 'python', version: 1, text } });
    }
    await all;
    const openAllMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 2000)); // the server settles (an idle collection runs after 0.4 s)
    const after = rssMb(s.child.pid);
    return { files: chosen.length, lines, openAllMs, rssBeforeMb: before.rss, rssMb: after.rss, peakMb: after.hwm };
  } finally {
    await s.stop();
  }
}
