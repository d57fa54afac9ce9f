// Step 2: upload the workspace. The file list honours .gitignore files (root and nested) through the
// `ignore` package; the upload uses rsync over ssh when both ends have rsync, else a tar stream over ssh.
// The host keeps the list of files the last sync uploaded (beside the copy, not in it): a file uploaded before
// and since deleted or renamed locally is removed from the copy, so a run cannot import what no longer exists.
// Nothing else is removed: files a run wrote, and files uploaded before and only git-ignored since, stay.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { quote, quotePath, rsyncQuote } from './shellQuote';
import type { SshSession } from './ssh';

/** Never uploaded, whatever .gitignore says. */
export const ALWAYS_SKIPPED = ['.git', '.hg', '.svn', '.mindport-cache', '__pycache__', '.venv', '.mypy_cache', '.pytest_cache'];

export interface FileList {
  /** Paths relative to the root, with `/` separators. */
  files: string[];
  bytes: number;
  largest: Array<{ path: string; bytes: number }>;
}

export function listWorkspaceFiles(root: string): FileList {
  const files: string[] = [];
  const sizes: Array<{ path: string; bytes: number }> = [];
  let bytes = 0;
  const walk = (rel: string, rules: Array<{ base: string; ig: Ignore }>) => {
    const abs = rel ? join(root, rel) : root;
    const gi = join(abs, '.gitignore');
    let here = rules;
    if (existsSync(gi)) here = [...rules, { base: rel, ig: ignore().add(readFileSync(gi, 'utf8')) }];
    const ignored = (p: string, dir: boolean) =>
      here.some(({ base, ig }) => {
        const sub = base ? p.slice(base.length + 1) : p;
        return sub !== '' && ig.ignores(dir ? sub + '/' : sub);
      });
    let entries: string[];
    try {
      entries = readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (ALWAYS_SKIPPED.includes(name)) continue;
      const p = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = lstatSync(join(root, p));
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!ignored(p, true)) walk(p, here);
      } else if ((st.isFile() || st.isSymbolicLink()) && !ignored(p, false)) {
        files.push(p);
        bytes += st.size;
        sizes.push({ path: p, bytes: st.size });
      }
    }
  };
  walk('', []);
  sizes.sort((a, b) => b.bytes - a.bytes);
  return { files, bytes, largest: sizes.slice(0, 5) };
}

export class SyncError extends Error {}

const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);

/** The remote folder for a local workspace: `<workdir>/<name>-<hash of the local path>`. */
export function remoteProjectDir(workdir: string, localRoot: string): string {
  const name = basename(localRoot).replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '') || 'workspace';
  const hash = createHash('sha256').update(localRoot).digest('hex').slice(0, 8);
  return `${workdir.replace(/\/+$/, '')}/${name}-${hash}`;
}

/** The host's list of the files the last sync uploaded (NUL-separated paths): beside the copy, never in it. */
export function syncedListPath(remoteDir: string): string {
  return `${remoteDir}.runs/synced-files`;
}

/** Whether a path read from the host's list may name a file of the copy: relative, plain segments, none skipped. */
export function isCopyPath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !ALWAYS_SKIPPED.includes(seg));
}

export interface StaleEntries {
  /** Files the last sync uploaded that no longer exist locally. */
  files: string[];
  /** Their folders that no longer exist locally, deepest first. */
  dirs: string[];
}

/**
 * What to remove from the host's copy: files in the last sync's list (`previous`) that this sync did not
 * upload and that do not exist locally (a file only git-ignored since stays), and the folders they leave that
 * do not exist locally either.
 */
export function staleEntries(previous: readonly string[], uploaded: readonly string[], existsLocally: (path: string) => boolean): StaleEntries {
  const now = new Set(uploaded);
  const files = [...new Set(previous)].filter((p) => isCopyPath(p) && !now.has(p) && !existsLocally(p)).sort();
  const dirs = new Set<string>();
  for (const f of files) for (let d = posix.dirname(f); d !== '.' && !dirs.has(d); d = posix.dirname(d)) if (!existsLocally(d)) dirs.add(d);
  const depth = (d: string) => d.split('/').length;
  return { files, dirs: [...dirs].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1)) };
}

export interface SyncResult {
  method: 'rsync' | 'tar';
  files: number;
  bytes: number;
  /** Files removed from the host's copy because they were deleted locally since the last sync. */
  removed: number;
  /** Absolute remote directory (physical, as `pwd -P` prints it). */
  remoteDir: string;
  /** Other spellings of the same directory that may show up in tracebacks. */
  remoteAliases: string[];
}

function localHasRsync(): Promise<boolean> {
  return new Promise((resolve) => {
    const c = spawn('rsync', ['--version'], { stdio: 'ignore', windowsHide: true });
    c.on('error', () => resolve(false));
    c.on('close', (code) => resolve(code === 0));
  });
}

function waitChild(child: ReturnType<typeof spawn>, label: string, signal?: AbortSignal): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (stderr += d));
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => reject(new SyncError(`cannot start ${label}: ${e.message}`)));
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ code, stderr });
    });
  });
}

export interface SyncOptions {
  signal?: AbortSignal;
  /** Remote tools found by the preflight. */
  remoteTools: Set<string>;
  /** Force one method (tests). */
  method?: 'rsync' | 'tar';
  log?: (line: string) => void;
}

export async function syncWorkspace(ssh: SshSession, localRoot: string, opts: SyncOptions): Promise<SyncResult> {
  const host = ssh.host;
  const list = listWorkspaceFiles(localRoot);
  const limit = host.max_sync_mb * 1024 * 1024;
  if (list.bytes > limit) {
    const big = list.largest.map((f) => `${f.path} (${mb(f.bytes)} MB)`).join(', ');
    throw new SyncError(
      `the workspace is ${mb(list.bytes)} MB after .gitignore, above the ${host.max_sync_mb} MB limit (max_sync_mb in the host configuration). ` +
        `Largest files: ${big}. Add data and checkpoints to .gitignore, or raise max_sync_mb.`,
    );
  }
  const dir = remoteProjectDir(host.workdir, localRoot);
  const prep = ssh.check(await ssh.exec(`mkdir -p ${quotePath(dir)} && cd ${quotePath(dir)} && echo "@@MP:dir:$(pwd -P)" && echo "@@MP:logical:$(pwd)"`, { signal: opts.signal }));
  if (prep.aborted) throw new SyncError('cancelled');
  const remoteDir = /^@@MP:dir:(.*)$/m.exec(prep.stdout)?.[1];
  const logical = /^@@MP:logical:(.*)$/m.exec(prep.stdout)?.[1];
  if (prep.code !== 0 || !remoteDir) throw new SyncError(`cannot create ${dir} on ${host.destination}: ${prep.stderr.trim() || `exit ${prep.code}`}`);
  const aliases = [...new Set([logical, dir.startsWith('~/') ? undefined : dir].filter((x): x is string => !!x && x !== remoteDir))];

  let method = opts.method;
  if (!method) method = opts.remoteTools.has('rsync') && (await localHasRsync()) ? 'rsync' : 'tar';
  const nul = nulSeparated(list.files);

  if (method === 'rsync') {
    const sshCmd = [host.ssh_path, ...ssh.baseArgs()].map(rsyncQuote).join(' ');
    // -s (protect args) keeps the remote path away from the remote shell; names travel NUL-separated on stdin.
    const args = ['-rlptz', '-s', '--from0', '--files-from=-', '-e', sshCmd, './', `${host.destination}:${remoteDir}/`];
    opts.log?.(`rsync ${args.slice(0, 4).join(' ')} -e ssh ... ${host.destination}:${remoteDir}/`);
    const child = spawn('rsync', args, { cwd: localRoot, stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
    child.stdin.on('error', () => undefined);
    child.stdin.end(nul);
    const r = await waitChild(child, 'rsync', opts.signal);
    if (opts.signal?.aborted) throw new SyncError('cancelled');
    if (r.code !== 0) throw new SyncError(`rsync failed (exit ${r.code}): ${lastLines(r.stderr, 3)}`);
  } else {
    const tar = spawn('tar', ['-c', '-f', '-', '--no-recursion', '--null', '-T', '-'], { cwd: localRoot, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    tar.stdin.on('error', () => undefined);
    tar.stdin.end(nul);
    const remote = ssh.spawnRaw(ssh.argv(`tar -x -m -f - -C ${quote(remoteDir)}`));
    tar.stdout.pipe(remote.stdin!);
    remote.stdin!.on('error', () => undefined);
    remote.stdout!.resume();
    const [t, s] = await Promise.all([waitChild(tar, 'tar', opts.signal), waitChild(remote, 'ssh', opts.signal)]);
    if (opts.signal?.aborted) throw new SyncError('cancelled');
    if (t.code !== 0) throw new SyncError(`local tar failed (exit ${t.code}): ${lastLines(t.stderr)}`);
    if (s.code === 255) throw new SyncError(`upload failed: ${lastLines(s.stderr)}`);
    if (s.code !== 0) throw new SyncError(`remote tar failed (exit ${s.code}): ${lastLines(s.stderr)}`);
  }
  const removed = await removeStale(ssh, localRoot, remoteDir, list.files, nul, opts.signal);
  return { method, files: list.files.length, bytes: list.bytes, removed, remoteDir, remoteAliases: aliases };
}

// Removes from the copy what the last sync uploaded and the workspace no longer has, then records this sync's
// list. Paths travel NUL-separated on stdin or as quoted arguments of `sh -c`: never as shell text.
const REMOVE_SCRIPT = 'cd "$1" || exit 1; shift; xargs -0 rm -f -- || exit 1; for d; do rm -rf -- "$d/__pycache__"; rmdir -- "$d" 2>/dev/null; done; exit 0';
const RECORD_SCRIPT = 'mkdir -p "$(dirname "$1")" && cat > "$1.tmp" && mv -f "$1.tmp" "$1"';

async function removeStale(ssh: SshSession, localRoot: string, remoteDir: string, uploaded: string[], nul: Buffer, signal?: AbortSignal): Promise<number> {
  const listPath = syncedListPath(remoteDir);
  const read = ssh.check(await ssh.execArgv(['cat', '--', listPath], { signal, maxCapture: 256 * 1024 * 1024 }));
  if (read.aborted) throw new SyncError('cancelled');
  const previous = read.code === 0 ? read.stdout.split('\0').filter(Boolean) : [];
  const stale = staleEntries(previous, uploaded, (p) => existsSync(join(localRoot, p)));
  if (stale.files.length) {
    const r = ssh.check(await ssh.execArgv(['sh', '-c', REMOVE_SCRIPT, 'sh', remoteDir, ...stale.dirs], { signal, stdin: nulSeparated(stale.files) }));
    if (r.aborted) throw new SyncError('cancelled');
    if (r.code !== 0) throw new SyncError(`cannot remove files deleted locally from ${remoteDir}: ${lastLines(r.stderr) || `exit ${r.code}`}`);
  }
  const w = ssh.check(await ssh.execArgv(['sh', '-c', RECORD_SCRIPT, 'sh', listPath], { signal, stdin: nul }));
  if (w.aborted) throw new SyncError('cancelled');
  if (w.code !== 0) throw new SyncError(`cannot record the uploaded files in ${listPath}: ${lastLines(w.stderr) || `exit ${w.code}`}`);
  return stale.files.length;
}

/** Paths as NUL-terminated UTF-8 (what xargs -0, tar --null and rsync --from0 read). */
function nulSeparated(paths: readonly string[]): Buffer {
  return Buffer.from(paths.map((p) => p + '\0').join(''), 'utf8');
}

/** The last lines of a program's error output, on one line. */
function lastLines(stderr: string, n = 2): string {
  return stderr.trim().split('\n').slice(-n).join(' / ');
}
