// `mindport port FILE... [-o OUT_DIR]`: writes a MindSpore version of each Python file or notebook beside it as
// <name>_ms.py or <name>_ms.ipynb (or into OUT_DIR), with TODO comments where MindPort could not convert, and
// prints a summary.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { portNotebook, portText, type PortSummary } from '../engine/port';
import { readNotebookFile } from '../engine/files';
import { initParser } from '../engine/parser';
import type { Settings } from '../engine/settings';
import { decodeSource } from '../engine/text';
import { EncodeError, encodeSource } from './sourceEncoding';
import { loadDatabase } from '../mappings/location';
import type { MappingDatabase } from '../mappings/database';
import { flagSettings, reportDbProblems, SettingsResolver, UsageError, write, type CliIo } from './cliSettings';

const USAGE = 'usage: mindport port FILE... [-o OUT_DIR] [--device D] [--ms-version V] [--target-api A] [--select CODES] [--ignore CODES]';

/** The output path: `<name>_ms.py` beside the input, or in outDir. */
export function portedPath(file: string, outDir?: string): string {
  const ext = extname(file) || '.py';
  const name = `${basename(file, ext)}_ms${ext}`;
  return outDir ? join(outDir, name) : join(dirname(file), name);
}

type Ported = { bytes: Buffer; summary: PortSummary } | { skipped: string };

function portPythonFile(file: string, settings: Settings, db: MappingDatabase): Ported {
  const decoded = decodeSource(readFileSync(file));
  if (decoded.warning) return { skipped: decoded.warning };
  const res = portText(decoded.text, settings, db);
  try {
    return { bytes: encodeSource(decoded.encoding, res.text), summary: res.summary }; // the source's encoding: its coding cookie stays true
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    return { skipped: err.message };
  }
}

/** A notebook: its code cells ported together, written into a copy of its JSON (outputs and metadata kept). */
function portNotebookFile(file: string, settings: Settings, db: MappingDatabase): Ported {
  const nb = readNotebookFile(file);
  if ('skipped' in nb) return nb;
  const res = portNotebook(nb, settings, db);
  return 'skipped' in res ? res : { bytes: Buffer.from(res.json, 'utf8'), summary: res.summary };
}

export function formatSummary(rel: string, s: PortSummary): string {
  const per = Object.entries(s.perRule)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, v]) => `${code} ${v.converted}/${v.converted + v.left}`)
    .join(', ');
  return `${rel}: converted ${s.converted}, left ${s.left} as TODO (${Math.round(s.rate * 100)}%)${per ? ` — ${per}` : ''}`;
}

export async function portCommand(argv: string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'out-dir': { type: 'string', short: 'o' },
        device: { type: 'string' },
        'ms-version': { type: 'string' },
        'target-api': { type: 'string' },
        select: { type: 'string' },
        ignore: { type: 'string' },
      },
    }));
  } catch (err) {
    write(io.stderr, `mindport port: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!positionals.length) {
    write(io.stderr, `mindport port: no file given\n${USAGE}`);
    return 2;
  }
  let resolver: SettingsResolver;
  try {
    resolver = new SettingsResolver(flagSettings(values).raw, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    write(io.stderr, err.message.split('\n').map((m) => `mindport port: ${m}`).join('\n'));
    return 2;
  }
  const outDir = typeof values['out-dir'] === 'string' ? resolve(io.cwd, values['out-dir']) : undefined;
  if (outDir) mkdirSync(outDir, { recursive: true });
  await initParser();
  const db = loadDatabase();
  reportDbProblems(db, io);
  let failed = 0;
  let converted = 0;
  let left = 0;
  const written = new Map<string, string>(); // output → the input it was written for, in this run
  for (const p of positionals) {
    const file = resolve(io.cwd, p);
    const rel = relative(io.cwd, file) || file;
    if (!existsSync(file) || !statSync(file).isFile() || !/\.(py|ipynb)$/.test(file)) {
      write(io.stderr, `${rel}: not a Python file or notebook`);
      failed++;
      continue;
    }
    const out = portedPath(file, outDir);
    const before = written.get(out);
    if (before !== undefined) {
      // two inputs of one name (models/__init__.py, data/__init__.py) and one -o folder: never one over the other
      write(io.stderr, `${rel}: skipped: ${relative(io.cwd, out) || out} was written for ${before} in this run (same file name; port it with another -o folder)`);
      failed++;
      continue;
    }
    const settings = resolver.for(file);
    const res = file.endsWith('.ipynb') ? portNotebookFile(file, settings, db) : portPythonFile(file, settings, db);
    if ('skipped' in res) {
      write(io.stderr, `${rel}: skipped: ${res.skipped}`);
      failed++;
      continue;
    }
    const bytes = res.bytes;
    writeFileSync(out, bytes);
    written.set(out, rel);
    converted += res.summary.converted;
    left += res.summary.left;
    write(io.stdout, `${formatSummary(rel, res.summary)} → ${relative(io.cwd, out) || out}`);
  }
  if (positionals.length > 1) {
    const rate = converted + left === 0 ? 100 : Math.round((100 * converted) / (converted + left));
    write(io.stdout, `Total: converted ${converted}, left ${left} as TODO (${rate}%)`);
  }
  return failed ? 1 : 0;
}
