// `mindport hosts list|check NAME` and `mindport run FILE --host NAME ...`: the CLI side of remote runs.
// The lead's CLI dispatches to `hostsCommand` and `runCommand`; both return the process exit status
// (for `run`, the remote script's own status).
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { formatProblem, loadHostsFile, loadProjectRun, resolveEntry, type HostConfig } from './hostsConfig';
import type { RunMode } from './preflight';
import { formatSummary, runRemote, type RunEvent } from './run';
import { ruleDocPath } from './errorMap';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Cancels a run; when absent, SIGINT/SIGTERM of this process cancel it. */
  signal?: AbortSignal;
}

const HOSTS_HELP = `usage: mindport hosts list [--json]
       mindport hosts check NAME [--cpu]

Hosts are defined in $MINDPORT_CONFIG_HOME/hosts.toml (default ~/.config/mindport/hosts.toml):

  [hosts.ascend1]
  destination = "me@ascend-login"   # an ~/.ssh/config alias or user@host
  kind = "ascend"                   # or "dcu"
  devices = [0]
`;

const RUN_HELP = `usage: mindport run [FILE] [--host NAME] [--launcher python|msrun|slurm] [--timeout SECONDS]
                    [--cpu] [--sync rsync|tar] [--root DIR] [-- ARGS...]

Runs FILE (or [tool.mindport.run] entry from pyproject.toml) on a remote Ascend or DCU host:
preflight, workspace sync, run with live output, summary. The exit status is the remote script's
(124 timeout, 130 cancelled, 255 unreachable, 3 preflight failed, 4 sync failed).
`;

function loadHosts(io: CliIO): { hosts: Map<string, HostConfig>; path: string; exists: boolean; ok: boolean } {
  const r = loadHostsFile(io.env);
  for (const p of r.problems) io.stderr.write(`mindport: ${formatProblem(p, r.path)}\n`);
  return { hosts: r.hosts, path: r.path, exists: r.exists, ok: r.problems.length === 0 };
}

function eventPrinter(io: CliIO): (e: RunEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'output':
        (e.stream === 'stdout' ? io.stdout : io.stderr).write(e.text);
        break;
      case 'step':
        if (e.step !== 'summary') io.stderr.write(`[mindport] ${e.step}: ${e.status}${e.message ? ` - ${e.message}` : ''}\n`);
        break;
      case 'info':
        io.stderr.write(`[mindport] ${e.message}\n`);
        break;
      case 'warning':
        io.stderr.write(`[mindport] warning: ${e.message}\n`);
        break;
      case 'error':
        io.stderr.write(`[mindport] error: ${e.message}\n`);
        break;
      case 'preflight':
        for (const d of e.result.devices) {
          const mem = d.hbmTotalMB ? `HBM ${d.hbmUsedMB}/${d.hbmTotalMB} MB` : d.memTotalMB !== undefined ? `memory ${d.memUsedMB}/${d.memTotalMB}` : '';
          io.stderr.write(`[mindport]   device ${d.id} ${d.name} ${d.health}${d.powerW !== undefined ? ` ${d.powerW} W` : ''} ${mem}${d.busy ? ' (busy)' : ''}\n`);
        }
        break;
      case 'diagnostics':
        for (const d of e.diagnostics) {
          const rule = d.rule ? ` [${d.rule}: ${ruleDocPath(d.rule)}]` : '';
          io.stderr.write(`${d.file}:${d.line}:${d.column ?? 1}: ${d.severity} ${d.code} ${d.message}${rule}\n`);
        }
        break;
      case 'summary':
        io.stderr.write(`[mindport] summary: ${formatSummary(e.summary)}\n`);
        break;
    }
  };
}

function withSignal(io: CliIO): { signal: AbortSignal; dispose: () => void } {
  if (io.signal) return { signal: io.signal, dispose: () => undefined };
  const ctl = new AbortController();
  const on = () => ctl.abort();
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: ctl.signal,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

export async function hostsCommand(argv: string[], io: CliIO): Promise<number> {
  const a = argv[0] === 'hosts' ? argv.slice(1) : argv;
  const sub = a[0];
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(HOSTS_HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'list') {
    const { hosts, path, exists, ok } = loadHosts(io);
    if (a.includes('--json')) {
      io.stdout.write(JSON.stringify({ path, hosts: Object.fromEntries(hosts) }, null, 2) + '\n');
      return ok ? 0 : 1;
    }
    if (!exists) {
      io.stdout.write(`no hosts file at ${path}\n\n${HOSTS_HELP}`);
      return 0;
    }
    if (!hosts.size) io.stdout.write(`no valid hosts in ${path}\n`);
    for (const [name, h] of hosts) {
      const dev = h.devices?.length ? `devices ${h.devices.join(',')}` : 'all devices';
      io.stdout.write(`${name}\t${h.kind}\t${h.destination}${h.port ? `:${h.port}` : ''}\t${h.launcher}\t${dev}\n`);
    }
    return ok ? 0 : 1;
  }
  if (sub === 'check') {
    const name = a[1];
    if (!name || name.startsWith('-')) {
      io.stderr.write('mindport: usage: mindport hosts check NAME\n');
      return 2;
    }
    const { hosts, path } = loadHosts(io);
    const host = hosts.get(name);
    if (!host) {
      io.stderr.write(`mindport: no valid host "${name}" in ${path}${hosts.size ? ` (defined: ${[...hosts.keys()].join(', ')})` : ''}\n`);
      return 2;
    }
    const { signal, dispose } = withSignal(io);
    try {
      const s = await runRemote({
        host, hostName: name, localRoot: io.cwd, entry: io.cwd, mode: a.includes('--cpu') ? 'cpu' : undefined,
        preflightOnly: true, signal, onEvent: eventPrinter(io), logRoot: join(io.cwd, '.mindport-cache', 'runs'),
      });
      io.stdout.write(s.status === 'ok' ? `${name}: ok\n` : `${name}: ${s.status}${s.lastError ? `: ${s.lastError}` : ''}\n`);
      return s.exitCode;
    } finally {
      dispose();
    }
  }
  io.stderr.write(`mindport: unknown hosts command "${sub}"\n${HOSTS_HELP}`);
  return 2;
}

function findRoot(start: string): string {
  let d = start;
  for (;;) {
    if (existsSync(join(d, 'pyproject.toml')) || existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return start;
    d = up;
  }
}

export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  let a = argv[0] === 'run' ? argv.slice(1) : [...argv];
  const dd = a.indexOf('--');
  let scriptArgs: string[] | undefined;
  if (dd >= 0) {
    scriptArgs = a.slice(dd + 1);
    a = a.slice(0, dd);
  }
  let file: string | undefined;
  let hostName: string | undefined;
  let launcher: HostConfig['launcher'] | undefined;
  let timeout: number | undefined;
  let mode: RunMode | undefined;
  let syncMethod: 'rsync' | 'tar' | undefined;
  let root: string | undefined;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const val = () => {
      const eq = x.indexOf('=');
      if (x.startsWith('--') && eq > 0) return x.slice(eq + 1);
      const v = a[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    const flag = x.split('=')[0];
    try {
      if (flag === '--help' || flag === '-h') {
        io.stdout.write(RUN_HELP);
        return 0;
      } else if (flag === '--host') hostName = val();
      else if (flag === '--launcher') {
        const v = val();
        if (v !== 'python' && v !== 'msrun' && v !== 'slurm') throw new Error('--launcher must be python, msrun or slurm');
        launcher = v;
      } else if (flag === '--timeout') {
        timeout = Number(val());
        if (!Number.isFinite(timeout) || timeout <= 0) throw new Error('--timeout must be a positive number of seconds');
      } else if (flag === '--cpu') mode = 'cpu';
      else if (flag === '--sync') {
        const v = val();
        if (v !== 'rsync' && v !== 'tar') throw new Error('--sync must be rsync or tar');
        syncMethod = v;
      } else if (flag === '--root') root = resolve(io.cwd, val());
      else if (x.startsWith('-')) throw new Error(`unknown option ${x}`);
      else if (file === undefined) file = x;
      else throw new Error(`unexpected argument ${x} (put script arguments after --)`);
    } catch (e) {
      io.stderr.write(`mindport: ${(e as Error).message}\n${RUN_HELP}`);
      return 2;
    }
  }
  const projectRoot = root ?? findRoot(file ? dirname(resolve(io.cwd, file)) : io.cwd);
  const project = loadProjectRun(projectRoot);
  for (const p of project.problems) io.stderr.write(`mindport: ${formatProblem(p, project.path)}\n`);
  if (project.problems.length) return 2;
  const entry = file ? resolve(io.cwd, file) : project.run.entry ? resolveEntry(projectRoot, project.run.entry) : undefined;
  if (!entry) {
    io.stderr.write(`mindport: no FILE given and no entry in [tool.mindport.run] of ${project.path}\n${RUN_HELP}`);
    return 2;
  }
  if (!existsSync(entry) || !statSync(entry).isFile()) {
    io.stderr.write(`mindport: ${entry}: no such file\n`);
    return 2;
  }
  const { hosts, path, ok } = loadHosts(io);
  hostName ??= project.run.host;
  if (!hostName && hosts.size === 1 && ok) hostName = [...hosts.keys()][0];
  if (!hostName) {
    io.stderr.write(`mindport: choose a host with --host NAME${hosts.size ? ` (defined in ${path}: ${[...hosts.keys()].join(', ')})` : ` (none defined in ${path})`}\n`);
    return 2;
  }
  const host = hosts.get(hostName);
  if (!host) {
    io.stderr.write(`mindport: no valid host "${hostName}" in ${path}\n`);
    return 2;
  }
  const { signal, dispose } = withSignal(io);
  try {
    const s = await runRemote({
      host, hostName, localRoot: projectRoot, entry: isAbsolute(entry) ? entry : resolve(entry),
      args: scriptArgs ?? project.run.args, launcher, timeoutSec: timeout, mode, syncMethod, signal, onEvent: eventPrinter(io),
    });
    return s.exitCode;
  } finally {
    dispose();
  }
}
