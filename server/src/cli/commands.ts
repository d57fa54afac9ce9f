// The CLI's commands, written against an `io` object so tests can run them in-process as well as through
// the bundled dist/cli.js.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { explainJson, explainMarkdown } from '../engine/explain';
import { ruleDoc, ruleMeta } from '../engine/rules/catalog';
import { collectFiles } from '../engine/walk';
import { fixAll, fixAllCells } from '../engine/fixAll';
import { withCodeCells } from '../engine/ipynbWrite';
import { isInside, readNotebookFile } from '../engine/files';
import { unifiedDiff } from './unifiedDiff';
import { initParser } from '../engine/parser';
import { formatSarif, ReportStream, type StreamFormat } from '../engine/report';
import { parseSettings, type Settings } from '../engine/settings';
import { decodeSource } from '../engine/text';
import { targetOf } from '../engine/analyze';
import { loadDatabase } from '../mappings/location';
import type { MappingDatabase } from '../mappings/database';
import { scanFiles } from './scan';
import { EncodeError, encodeSource } from './sourceEncoding';
import { openScanCache, type ScanCache, userCacheDir } from './scanCache';
import { portCommand } from './port';
import { flagSettings, reportDbProblems, SettingsResolver, UsageError, write, type CliIo } from './cliSettings';
import pkg from '../../../package.json';

export { UsageError, type CliIo } from './cliSettings';

const HELP = `mindport ${pkg.version} — port PyTorch code to MindSpore (Ascend NPU, GPU, CPU)

Usage:
  mindport scan PATH...      report torch APIs and what they become in MindSpore
      --format text|json|sarif   output format (default text)
      --device Ascend910B|Ascend310P|GPU|CPU
      --ms-version 2.3|2.4|2.5|2.6|2.7|2.8|2.9|2.10
      --target-api auto|mint|classic
      --select CODES / --ignore CODES   comma-separated rule codes or prefixes (MSP1, MSP104)
      --exit-zero                exit 0 even when error-level findings exist
      --no-gitignore             also scan files .gitignore excludes
      --jobs N                   worker threads (default: one per core once there are 4 MB of source)
      --no-cache                 analyse every file (results are otherwise kept in the user's cache
                                 folder, ~/.cache/mindport/scan, and unchanged files not analysed again)
      --cache-dir DIR            keep them in DIR instead (also MINDPORT_CACHE_DIR)
  mindport explain API|CODE... [--json]  what MindPort knows about torch APIs, or a rule's page (MSP106)
  mindport fix PATH... [--unsafe] [--diff]   apply fixes in place (safe ones unless --unsafe; .py and .ipynb);
                                             with --diff, print the changes instead and write nothing (exit 1 if any)
  mindport port FILE... [-o OUT_DIR]   write <name>_ms.py (or _ms.ipynb): every fix applied, TODO(mindport) where it could not
  mindport hosts list | hosts check NAME     remote Ascend/DCU hosts (~/.config/mindport/hosts.toml)
  mindport run FILE --host NAME [--launcher python|msrun|slurm] [--timeout S] [-- ARGS...]

Exit status: 0 no error-level findings, 1 error-level findings (scan) or failures, 2 usage error.
Project settings come from the closest mindport.toml or pyproject.toml [tool.mindport]; flags win over them.
`;

async function cmdScan(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      device: { type: 'string' },
      'ms-version': { type: 'string' },
      'target-api': { type: 'string' },
      select: { type: 'string' },
      ignore: { type: 'string' },
      'exit-zero': { type: 'boolean', default: false },
      'no-gitignore': { type: 'boolean', default: false },
      jobs: { type: 'string' },
      progress: { type: 'boolean' },
      'no-cache': { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
    },
  });
  if (!['text', 'json', 'sarif'].includes(values.format!)) throw new UsageError(`--format must be text, json or sarif (got "${values.format}")`);
  if (positionals.length === 0) throw new UsageError('scan needs at least one file or folder');
  const { raw } = flagSettings(values);
  const resolver = new SettingsResolver(raw, io);
  let files: string[];
  try {
    files = collectFiles(positionals.map((p) => (p.startsWith('/') ? p : `${io.cwd}/${p}`)), { gitignore: !values['no-gitignore'] });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const db = loadDatabase();
  reportDbProblems(db, io);
  const jobs = values.jobs ? Number(values.jobs) : undefined;
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError('--jobs takes a whole number of at least 1');
  // a progress line on the terminal while the report goes to a file or a pipe; a report streaming to the terminal
  // is its own progress (a progress line between its lines would overwrite the last one written)
  const showProgress = (values.progress ?? !!io.stderr.isTTY) && !io.stdout.isTTY;
  // text and JSON reports are written file by file while the scan goes on; SARIF is one document, written at the end
  const stream = values.format === 'sarif' ? undefined : new ReportStream(values.format as StreamFormat, (c) => io.stdout.write(c));
  const cache = values['no-cache'] ? undefined : scanCacheFor(values['cache-dir'] || io.env.MINDPORT_CACHE_DIR || undefined, db, io);
  const { results } = await scanFiles(files, (p) => resolver.for(p), {
    jobs,
    cache,
    report: stream ? { format: values.format as StreamFormat, cwd: io.cwd } : undefined,
    onFile: stream ? (_, __, part) => stream.part(part ?? '') : undefined,
    onProgress: showProgress
      ? (done, total, path) => io.stderr.write(`\r\x1b[K[${done}/${total}] ${relative(io.cwd, path)}`.slice(0, 200) + (done === total ? '\r\x1b[K' : ''))
      : undefined,
  });
  if (stream) stream.end(results, io.cwd);
  else write(io.stdout, formatSarif(results, io.cwd, pkg.version));
  const errors = results.some((r) => r.findings.some((f) => f.severity === 'error'));
  return errors && !values['exit-zero'] ? 1 : 0;
}

/**
 * The scan cache: in `dir` when given (`--cache-dir`, MINDPORT_CACHE_DIR), else in the user's cache folder
 * (`userCacheDir`). A folder that cannot be written is a warning, and the scan goes on without it.
 */
function scanCacheFor(dir: string | undefined, db: MappingDatabase, io: CliIo): ScanCache | undefined {
  const cache = openScanCache(dir ? resolve(io.cwd, dir) : userCacheDir(io.env), db);
  if (typeof cache !== 'string') return cache;
  write(io.stderr, `mindport: warning: results are not cached: ${cache}`);
  return undefined;
}

async function cmdExplain(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, device: { type: 'string' }, 'ms-version': { type: 'string' }, 'target-api': { type: 'string' } },
  });
  if (positionals.length === 0) throw new UsageError('explain needs at least one torch API name or rule code, e.g. torch.nn.functional.interpolate or MSP106');
  const { raw } = flagSettings(values);
  const { settings, problems } = parseSettings(raw);
  if (problems.length) throw new UsageError(problems.map((p) => `${p.setting}: ${p.message}`).join('\n'));
  const db = loadDatabase();
  reportDbProblems(db, io);
  const target = targetOf(settings);
  let missing = 0;
  for (const name of positionals) {
    if (/^MSP\d{3}$/i.test(name)) {
      // a rule code, as `ruff rule`: its page
      const meta = ruleMeta(name.toUpperCase());
      if (!meta) missing++;
      const doc = meta && ruleDoc(meta.code);
      if (values.json) write(io.stdout, JSON.stringify(meta ? { ...meta, doc: doc ?? null } : { code: name, known: false }));
      else write(io.stdout, meta ? `${doc ?? `# ${meta.code} · ${meta.name}\n\n${meta.summary}`}\n` : `${name}: not a MindPort rule code\n`);
      continue;
    }
    const entry = db.get(name);
    if (!entry) missing++;
    if (values.json) write(io.stdout, JSON.stringify(explainJson(db, name, target)));
    else write(io.stdout, entry ? `${explainMarkdown(db, entry, target, name)}\n` : `${name}: not in MindPort's mapping database (no MindSpore equivalent known)\n`);
  }
  return missing === positionals.length ? 1 : 0;
}

async function cmdFix(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      unsafe: { type: 'boolean', default: false },
      diff: { type: 'boolean', default: false },
      device: { type: 'string' },
      'ms-version': { type: 'string' },
      'target-api': { type: 'string' },
      select: { type: 'string' },
      ignore: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('fix needs at least one file or folder');
  const resolver = new SettingsResolver(flagSettings(values).raw, io);
  let files: string[];
  try {
    files = collectFiles(positionals.map((p) => (p.startsWith('/') ? p : `${io.cwd}/${p}`)));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const db = loadDatabase();
  reportDbProblems(db, io);
  let changed = 0;
  let total = 0;
  let failed = 0;
  for (const file of files) {
    const rel = relative(io.cwd, file) || file;
    const settings = resolver.for(file); // for this file (settingsForFile), in the current folder
    const fixed = file.endsWith('.ipynb') ? fixNotebookFile(file, settings, db, values.unsafe) : fixPythonFile(file, settings, db, values.unsafe);
    if ('skipped' in fixed) {
      write(io.stderr, `${rel}: skipped: ${fixed.skipped}; not rewritten so nothing is lost`);
      failed++;
      continue;
    }
    if (fixed.refused) write(io.stderr, `${rel}: ${fixed.refused}`);
    if (fixed.after === fixed.before) continue;
    const n = [...fixed.applied.values()].reduce((a, b) => a + b, 0);
    total += n;
    changed++;
    const applied = `${n} fix${n === 1 ? '' : 'es'} (${[...fixed.applied].map(([c, k]) => `${c} ×${k}`).join(', ')})`;
    if (values.diff) {
      // as Ruff's --diff: show what would change, touch nothing (a notebook's diff is of its JSON, as patch applies it)
      write(io.stdout, unifiedDiff(isInside(file, io.cwd) ? rel : file, fixed.before, fixed.after));
      write(io.stdout, `${rel}: would apply ${applied}`);
      continue;
    }
    let out: Buffer;
    try {
      out = fixed.encode(fixed.after);
    } catch (err) {
      if (!(err instanceof EncodeError)) throw err;
      write(io.stderr, `${rel}: skipped: ${err.message}; not rewritten so nothing is lost`);
      failed++;
      continue;
    }
    writeFileSync(file, out);
    write(io.stdout, `${rel}: applied ${applied}`);
  }
  const findings = `${total} finding${total === 1 ? '' : 's'} in ${changed} file${changed === 1 ? '' : 's'}${values.unsafe ? ' (unsafe fixes included)' : ''}`;
  if (values.diff) {
    write(io.stdout, `Would fix ${findings}; nothing was written (run without --diff to apply).`);
    return failed || changed ? 1 : 0;
  }
  write(io.stdout, `Fixed ${findings}.`);
  return failed ? 1 : 0;
}

/** A file's text before and after fix all, and how to write it back; or why it was left alone. */
type FixedFile =
  | { before: string; after: string; applied: Map<string, number>; refused?: string; encode(text: string): Buffer }
  | { skipped: string };

function fixPythonFile(file: string, settings: Settings, db: MappingDatabase, unsafe: boolean): FixedFile {
  const decoded = decodeSource(readFileSync(file));
  if (decoded.warning) return { skipped: decoded.warning };
  const res = fixAll(decoded.text, settings, db, { unsafe });
  return { before: decoded.text, after: res.text, applied: res.applied, refused: res.refused, encode: (t) => encodeSource(decoded.encoding, t) };
}

/** A notebook: fix all over its joined code cells; the changed cells' sources are written back into its JSON. */
function fixNotebookFile(file: string, settings: Settings, db: MappingDatabase, unsafe: boolean): FixedFile {
  const nb = readNotebookFile(file);
  if ('skipped' in nb) return nb;
  const { json, code } = nb;
  const res = fixAllCells(code.map((c) => c.source), settings, db, { unsafe });
  const after = withCodeCells(json, code, res.cells);
  return { before: json, after, applied: res.applied, refused: res.refused, encode: (t) => Buffer.from(t, 'utf8') };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      write(io.stdout, HELP);
      return cmd ? 0 : 2;
    }
    if (cmd === '--version' || cmd === '-V') {
      write(io.stdout, pkg.version);
      return 0;
    }
    if (cmd === 'hosts' || cmd === 'run') return await remote(cmd, rest, io);
    if (cmd === 'explain') return await cmdExplain(rest, io); // the mapping database only: no parser
    // the parser's WebAssembly compiles off the main thread: read the mapping files meanwhile (a problem with
    // them is reported where the command loads them, as before)
    const parser = initParser();
    try {
      loadDatabase();
    } catch {
      /* reported by the command */
    }
    await parser;
    switch (cmd) {
      case 'scan':
        return await cmdScan(rest, io);
      case 'fix':
        return await cmdFix(rest, io);
      case 'port':
        return await portCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${cmd}" (try mindport --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      write(io.stderr, `mindport: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

async function remote(cmd: string, argv: string[], io: CliIo): Promise<number> {
  const mod = await import('../remote/cli');
  return cmd === 'hosts' ? mod.hostsCommand(argv, io) : mod.runCommand(argv, io);
}
