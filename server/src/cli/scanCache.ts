// `mindport scan`'s results kept between runs (as Ruff keeps its own): a file whose bytes, path and settings
// are those of an earlier scan by the same MindPort (code, grammar and mapping data) is not analysed again; its
// result is read back. By default the cache is the user's (userCacheDir), never a folder of the project: entries
// committed to a repository could otherwise report whatever they like about its files (and hide error-level
// findings from a CI gate). Each entry is named by a sha256 of all of those, so nothing needs invalidating: any
// change gives another name. An entry is written whole under a temporary name and renamed into place (a scan
// killed half-way, or two scans at once, leave whole entries or none); one that cannot be read or parsed is a
// miss and is written again. Entries not rewritten for PRUNE_AFTER_DAYS are deleted after a scan that wrote any
// (looked for at most once a day).
// An entry keeps what scan reports read (scanEntry.ts): each fix keeps its title and applicability but not its
// edits (`mindport fix`, `port` and the editor's quick fixes analyse the file themselves).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import type { MappingDatabase } from '../mappings/database';
import { fileStamp, readSourceBytes, sourceFromBytes, type SkippedSource } from '../engine/files';
import { grammarPath } from '../engine/parser';
import { analyzeSource, type FileResult } from '../engine/project';
import type { Settings } from '../engine/settings';
import { packEntry, unpackEntry, type EntryDeps } from './scanEntry';
import pkg from '../../../package.json';

/** Bumped when the entries' layout changes (the code digest covers what analysis produces). */
const LAYOUT = 'v2';
/**
 * Entries (scanEntry.ts) are compressed with brotli at its fastest setting: on the corpus of the benchmark
 * quicker than writing and reading them plain (100 MB of plain JSON: 0.2 s to compress, 0.2 s to decompress,
 * where writing it uncompressed from the scan's workers cost seconds).
 */
const BROTLI = { params: { [zlib.BROTLI_PARAM_QUALITY]: 1, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT } };
const PRUNE_AFTER_DAYS = 30;

/**
 * The user's cache folder for scan results: `$XDG_CACHE_HOME/mindport/scan` (else `~/.cache/…`) on Linux,
 * `~/Library/Caches/mindport/scan` on macOS, `%LOCALAPPDATA%\mindport\scan` on Windows. Entries name their file by
 * absolute path, so every project shares it.
 */
export function userCacheDir(env: NodeJS.ProcessEnv, platform = process.platform, home = homedir()): string {
  const base =
    platform === 'win32'
      ? env.LOCALAPPDATA || join(home, 'AppData', 'Local')
      : platform === 'darwin'
        ? join(home, 'Library', 'Caches')
        : env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)
          ? env.XDG_CACHE_HOME
          : join(home, '.cache');
  return join(base, 'mindport', 'scan');
}

/** What a worker thread needs to use the cache (plain data). */
export interface CacheSpec {
  dir: string;
  /** sha256 of what produced the analysis: MindPort's version and code, the grammar, the mapping data. */
  fingerprint: string;
}

const sha256 = () => createHash('sha256');

/** A file looked up in the cache: its result (a hit), or its bytes and entry name (a miss), or why it is skipped. */
export type Lookup = { path: string; settings: Settings } & ({ result: FileResult } | { bytes: Buffer; key: string } | { skipped: SkippedSource });

export class ScanCache {
  /** Shard folders known to exist. */
  private readonly shards = new Set<string>();
  /** sha256 of project files entries depend on, with the size and modification time they were hashed at. */
  private readonly hashes = new Map<string, { stamp: string; hash: string }>();

  constructor(readonly spec: CacheSpec) {}

  /**
   * The cache in `dir`, created if needed with a CACHEDIR.TAG (backup tools skip it) and a `.gitignore` that
   * ignores it all (for a `--cache-dir` inside a repository); an error message if the folder cannot be written.
   */
  static open(dir: string, fingerprint: string): ScanCache | string {
    try {
      mkdirSync(join(dir, LAYOUT), { recursive: true });
      writeIfMissing(join(dir, '.gitignore'), '# written by mindport scan: results kept between runs\n*\n');
      writeIfMissing(join(dir, 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n# mindport scan results; see https://bford.info/cachedir/\n');
      return new ScanCache({ dir, fingerprint });
    } catch (err) {
      return `cannot write ${dir}: ${(err as Error).message}`;
    }
  }

  private keyOf(path: string, settings: Settings, bytes: Uint8Array): string {
    return sha256().update(this.spec.fingerprint).update('\0').update(JSON.stringify(settings)).update('\0').update(path).update('\0').update(bytes).digest('hex');
  }

  private entryPath(key: string): string {
    return join(this.spec.dir, LAYOUT, key.slice(0, 2), `${key.slice(2)}.json.br`);
  }

  /** The file read once: its earlier result if the cache has one, else what analysing it needs. */
  lookup(path: string, settings: Settings): Lookup {
    const read = readSourceBytes(path);
    if (!('bytes' in read)) return { path, settings, skipped: read }; // skipped files are cheap to report again
    const key = this.keyOf(path, settings, read.bytes);
    let packed: Buffer;
    try {
      packed = readFileSync(this.entryPath(key));
    } catch {
      return { path, settings, bytes: read.bytes, key };
    }
    try {
      const r = unpackEntry(brotliDecompressSync(packed));
      if (r && r.path === path) {
        const { deps, ...result } = r;
        // classes imported from the project's other files: those files must be as they were
        if (!deps || deps.every(([p, h]) => this.hashOf(p) === h)) return { path, settings, result };
      }
    } catch {
      /* a damaged entry: analysed and written again */
    }
    return { path, settings, bytes: read.bytes, key };
  }

  /** Analyses a file the cache did not have, as `analyzeFile` would, and keeps the result for the next scan. */
  analyzeMiss(miss: Lookup, db: MappingDatabase): FileResult {
    if ('result' in miss) return miss.result;
    if ('skipped' in miss) return analyzeSource(miss.skipped, miss.settings, db);
    const result = analyzeSource(sourceFromBytes(miss.path, miss.bytes), miss.settings, db);
    // a failure inside the analysis may not happen again: not kept
    if (!result.skipped && result.internalErrors.length === 0) this.put(miss.key, result);
    return result;
  }

  /** A sha256 of a file's bytes (undefined: unreadable), hashed again only when its size or modification time changed. */
  private hashOf(path: string): string | undefined {
    const stamp = fileStamp(path);
    if (!stamp) return undefined;
    const known = this.hashes.get(path);
    if (known?.stamp === stamp) return known.hash;
    try {
      const hash = sha256().update(readFileSync(path)).digest('hex');
      this.hashes.set(path, { stamp, hash });
      return hash;
    } catch {
      return undefined;
    }
  }

  private put(key: string, result: FileResult): void {
    const deps: EntryDeps = [];
    for (const p of result.projectFiles ?? []) {
      const h = this.hashOf(p);
      if (!h) return; // a file read for its classes is gone: nothing to check a later scan against
      deps.push([p, h]);
    }
    const file = this.entryPath(key);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const shard = key.slice(0, 2);
      if (!this.shards.has(shard)) {
        mkdirSync(join(this.spec.dir, LAYOUT, shard), { recursive: true });
        this.shards.add(shard);
      }
      writeFileSync(tmp, brotliCompressSync(packEntry(result, deps), BROTLI));
      renameSync(tmp, file);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* never written */
      }
    }
  }

  /**
   * Deletes entries (and stray temporary files) not written for PRUNE_AFTER_DAYS, unless that was done in the
   * last day (a stat of every entry of a cache many projects share is not for every scan).
   */
  prune(now = Date.now()): number {
    const root = join(this.spec.dir, LAYOUT);
    const marker = join(this.spec.dir, 'last-pruned');
    try {
      if (now - statSync(marker).mtimeMs < 86_400_000) return 0;
    } catch {
      /* never pruned */
    }
    try {
      writeFileSync(marker, `${new Date(now).toISOString()}\n`);
    } catch {
      return 0;
    }
    const before = now - PRUNE_AFTER_DAYS * 86_400_000;
    let removed = 0;
    for (const shard of safeList(root)) {
      const dir = join(root, shard);
      for (const name of safeList(dir)) {
        const p = join(dir, name);
        try {
          if (statSync(p).mtimeMs < before) {
            unlinkSync(p);
            removed++;
          }
        } catch {
          /* gone already (another scan pruned it) */
        }
      }
    }
    return removed;
  }
}

function writeIfMissing(path: string, text: string): void {
  try {
    writeFileSync(path, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The cache in `dir` for results of this build (ScanCache.open, with the fingerprint below), or why it cannot be
 * used. Call once the parser is loaded (the grammar's bytes are part of the fingerprint).
 */
export function openScanCache(dir: string, db: MappingDatabase): ScanCache | string {
  return ScanCache.open(dir, scanFingerprint(pkg.version, grammarPath(), db));
}

/**
 * The fingerprint of what produces a scan's results: the version, the running code (the bundle's bytes, or
 * every source file when run from sources), the grammar's bytes and the mapping data's digest.
 */
function scanFingerprint(version: string, grammar: string | undefined, db: MappingDatabase): string {
  const h = sha256().update(`mindport ${version} ${LAYOUT}\0`);
  if (__filename.endsWith('.js')) h.update(readFileSync(__filename));
  else for (const f of sourceFiles(join(__dirname, '..'))) h.update(f).update(readFileSync(f));
  if (grammar) h.update(readFileSync(grammar));
  return h.update(db.digest).digest('hex');
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of safeList(dir).sort()) {
    const p = join(dir, name);
    if (name.endsWith('.ts')) out.push(p);
    else if (!name.includes('.') && statSync(p).isDirectory()) out.push(...sourceFiles(p));
  }
  return out;
}
