// The SSH transport: the system OpenSSH client, spawned with an argv array (never through a local shell).
// It honours the user's ssh config (aliases, ProxyJump, agents, known_hosts policy); we add BatchMode so a
// missing key fails fast instead of prompting, and ControlMaster multiplexing so the many short commands of a
// run share one connection. Scripts are sent to `sh -s` on the channel's stdin, so nothing from the host
// configuration (environment values included) appears on any command line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { HostConfig } from './hostsConfig';
import { quoteArgs } from './shellQuote';

export type SshFailureKind = 'unreachable' | 'auth' | 'hostkey' | 'ssh';

export class SshError extends Error {
  constructor(
    message: string,
    readonly kind: SshFailureKind,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  aborted: boolean;
}

export interface ExecOptions {
  signal?: AbortSignal;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
  /** Data for the remote command's stdin (only with `execArgv`; `exec` uses stdin for the script). */
  stdin?: Readable | string | Buffer;
  /** Stop keeping output after this many characters (the callbacks still see everything). */
  maxCapture?: number;
}

/** Short private directory for ControlPath sockets (unix socket paths are limited to ~104 bytes). */
function privateSocketDir(): string {
  const base = process.platform !== 'win32' && existsSync('/tmp') ? '/tmp' : tmpdir();
  return mkdtempSync(join(base, 'mp-ssh-')); // mkdtemp creates the directory with mode 0700
}

/** Explains an ssh failure (exit status 255) in terms a user can act on. */
export function classifySshFailure(destination: string, stderr: string): SshError {
  const first = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Warning: Permanently added'));
  const detail = first.slice(-2).join(' / ');
  if (/Permission denied \(|Too many authentication failures|no mutual signature/i.test(stderr)) {
    return new SshError(
      `authentication to ${destination} failed (ssh runs with BatchMode=yes, so it never prompts for a password): ` +
        `load your key into ssh-agent or set IdentityFile for this host in ~/.ssh/config. ssh said: ${detail}`,
      'auth',
      stderr,
    );
  }
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(stderr)) {
    return new SshError(
      `the host key of ${destination} is unknown or has changed; connect once with plain "ssh ${destination}" to check and accept it. ssh said: ${detail}`,
      'hostkey',
      stderr,
    );
  }
  if (/Connection refused|Connection timed out|timed out|No route to host|Could not resolve hostname|Name or service not known|Network is unreachable|Connection closed by|Connection reset/i.test(stderr)) {
    return new SshError(`cannot reach ${destination}: ${detail || 'connection failed'}`, 'unreachable', stderr);
  }
  return new SshError(`ssh to ${destination} failed: ${detail || 'exit status 255'}`, 'ssh', stderr);
}

export interface SshSessionOptions {
  /** Log lines (no secrets: only ssh's argv, which never carries configuration values beyond the host's ssh options). */
  log?: (line: string) => void;
  /** Seconds ssh waits for the TCP connection. */
  connectTimeout?: number;
}

export class SshSession {
  private readonly controlDir: string;
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  constructor(
    readonly host: HostConfig,
    private readonly options: SshSessionOptions = {},
  ) {
    if (host.destination.startsWith('-')) throw new SshError('the destination must not start with "-"', 'ssh', '');
    this.controlDir = privateSocketDir();
  }

  get destination(): string {
    return this.host.destination;
  }

  /** ssh options shared by every call (not including the destination). */
  baseArgs(): string[] {
    const h = this.host;
    const args: string[] = [];
    if (h.ssh_config) args.push('-F', h.ssh_config);
    // BatchMode first: ssh keeps the first value it sees, so no configuration can turn prompts back on.
    args.push('-o', 'BatchMode=yes');
    for (const opt of h.ssh_options) args.push('-o', opt);
    if (h.port !== undefined) args.push('-p', String(h.port));
    args.push(
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath=${join(this.controlDir, '%C')}`,
      '-o', 'ControlPersist=120',
      '-o', 'ServerAliveInterval=15',
      '-o', `ConnectTimeout=${this.options.connectTimeout ?? 20}`,
      '-T',
    );
    return args;
  }

  /** The full argv for ssh running `remoteCommand` (already a quoted command string). */
  argv(remoteCommand: string): string[] {
    return [...this.baseArgs(), '--', this.host.destination, remoteCommand];
  }

  /** Runs a POSIX sh script remotely; the script travels on stdin of `sh -s`. */
  exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(this.argv('sh -s'), { ...opts, stdin: script.endsWith('\n') ? script : script + '\n' });
  }

  /** Runs a remote command given as words (each quoted for the remote shell); stdin is free for data. */
  execArgv(words: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(this.argv(quoteArgs(words)), opts);
  }

  /** Starts ssh with the given argv (used by sync to pipe tar or by rsync's -e). */
  spawnRaw(args: string[], stdio: ('pipe' | 'ignore')[] = ['pipe', 'pipe', 'pipe']): ChildProcess {
    const child = spawn(this.host.ssh_path, args, { stdio: stdio as ('pipe' | 'ignore')[], windowsHide: true });
    this.track(child);
    return child;
  }

  private track(child: ChildProcess): void {
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
  }

  private run(args: string[], opts: ExecOptions): Promise<ExecResult> {
    const max = opts.maxCapture ?? 4_000_000;
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('ssh session already closed'));
      if (opts.signal?.aborted) return resolve({ code: null, signal: null, stdout: '', stderr: '', aborted: true });
      this.options.log?.(`ssh ${args.slice(0, -1).join(' ')} <command>`);
      const child = spawn(this.host.ssh_path, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      this.track(child);
      let stdout = '';
      let stderr = '';
      let aborted = false;
      child.stdout!.setEncoding('utf8');
      child.stderr!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        if (stdout.length < max) stdout += d;
        opts.onStdout?.(d);
      });
      child.stderr!.on('data', (d: string) => {
        if (stderr.length < max) stderr += d;
        opts.onStderr?.(d);
      });
      const onAbort = () => {
        aborted = true;
        child.kill('SIGTERM');
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdin!.on('error', () => undefined); // the remote side may close stdin early
      if (opts.stdin === undefined) child.stdin!.end();
      else if (typeof opts.stdin === 'string' || Buffer.isBuffer(opts.stdin)) child.stdin!.end(opts.stdin);
      else opts.stdin.pipe(child.stdin!);
      child.on('error', (e) => {
        opts.signal?.removeEventListener('abort', onAbort);
        reject(new SshError(`cannot start ${this.host.ssh_path}: ${e.message} (is OpenSSH installed?)`, 'ssh', ''));
      });
      child.on('close', (code, signal) => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve({ code, signal, stdout, stderr, aborted });
      });
    });
  }

  /** Throws a classified SshError when a result is ssh's own failure (status 255). */
  check(r: ExecResult): ExecResult {
    if (r.code === 255 && !r.aborted) throw classifySshFailure(this.host.destination, r.stderr);
    return r;
  }

  /** Stops the multiplexing master and removes the socket directory; kills any ssh child still running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.children) c.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const child = spawn(this.host.ssh_path, [...this.baseArgs(), '-O', 'exit', '--', this.host.destination], {
        stdio: 'ignore',
        windowsHide: true,
      });
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.on('error', () => resolve());
      child.on('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}
