// Orchestrates a remote smoke test: preflight, sync, run (python / msrun / Slurm), cancel or timeout, collect
// logs and device samples, summary, and error mapping. Every step is reported through `onEvent`, and one
// AbortSignal cancels whichever step is running (a running program is killed with its whole process group).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { HostConfig } from './hostsConfig';
import { defaultMode, envSetup, parseSmi, preflight, smiCommand, type PreflightResult, type RunMode } from './preflight';
import { exportLine, quote, quoteArgs } from './shellQuote';
import { runSlurm } from './slurm';
import { SshError, SshSession, type SshSessionOptions } from './ssh';
import { syncWorkspace, type SyncResult, SyncError } from './sync';
import { lastError, mapRemoteErrors, type RemoteDiagnostic } from './errorMap';

export type StepName = 'preflight' | 'sync' | 'run' | 'cancel' | 'collect' | 'summary';

export type RunEvent =
  | { type: 'step'; step: StepName; status: 'start' | 'done' | 'failed' | 'skipped'; message: string }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'info' | 'warning' | 'error'; message: string }
  | { type: 'preflight'; result: PreflightResult }
  | { type: 'diagnostics'; diagnostics: RemoteDiagnostic[] }
  | { type: 'summary'; summary: RunSummary };

export type RunStatus = 'ok' | 'failed' | 'cancelled' | 'timeout' | 'unreachable' | 'preflight-failed' | 'sync-failed';

/** Exit statuses used when the remote program did not produce one. */
export const EXIT = { cancelled: 130, timeout: 124, unreachable: 255, preflight: 3, sync: 4 } as const;

export interface RunSummary {
  hostName: string;
  destination: string;
  mode: RunMode;
  launcher: HostConfig['launcher'];
  status: RunStatus;
  exitCode: number;
  durationSec: number;
  /** Peak memory used on the run's devices (HBM when the device has it), MB. */
  peakMemMB?: number;
  memTotalMB?: number;
  meanPowerW?: number;
  energyWh?: number;
  samples: number;
  lastError?: string;
  logDir: string;
  remoteDir?: string;
  jobId?: string;
  diagnostics: number;
}

export interface RunOptions {
  host: HostConfig;
  hostName: string;
  localRoot: string;
  /** Local absolute path of the script to run (must be inside localRoot). */
  entry: string;
  args?: string[];
  mode?: RunMode;
  launcher?: HostConfig['launcher'];
  timeoutSec?: number;
  signal?: AbortSignal;
  onEvent: (e: RunEvent) => void;
  /** Where logs are saved locally; default `<localRoot>/.mindport-cache/runs`. */
  logRoot?: string;
  syncMethod?: 'rsync' | 'tar';
  ssh?: SshSessionOptions;
  /** Only run the preflight (`mindport hosts check`). */
  preflightOnly?: boolean;
}

export function newRunId(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${randomBytes(3).toString('hex')}`;
}

/** The command words of the launched program. */
export function launchCommand(host: HostConfig, launcher: HostConfig['launcher'], entryRel: string, args: string[], runDir: string): string[] {
  if (launcher === 'msrun') {
    const workers = host.workers ?? host.devices?.length ?? 1;
    return ['msrun', `--worker_num=${workers}`, `--local_worker_num=${workers}`, '--master_port=8118', `--log_dir=${runDir}/msrun_log`, '--join=True', entryRel, ...args];
  }
  return [host.python, '-u', entryRel, ...args];
}

/** The lines that make the running shell's process group and session known, for cancellation. */
const RECORD_PGID = [
  'if [ -r /proc/$$/stat ]; then read -r mp_1 mp_2 mp_3 mp_4 mp_pg mp_sid mp_rest < /proc/$$/stat; else mp_pg=$(ps -o pgid= -p $$ | tr -d " "); mp_sid=$mp_pg; fi',
].join('\n');

/**
 * Seconds past the run's timeout after which the host stops the run by itself: the client normally stops it at
 * the timeout, and reports why; the host's own limit is for a client that is gone (editor closed, laptop asleep,
 * network down), so no job outlives its timeout for long on a shared machine.
 */
export function hostGraceSec(timeoutSec: number): number {
  return Math.min(30, Math.max(3, Math.ceil(timeoutSec / 10)));
}

/**
 * The remote side of a run: environment, working directory, the process group recorded for cancelling, a device
 * sampler and a watchdog (both in the run's process group, both ending with the program), then the program.
 * The watchdog stops the whole group once `limitSec` have passed, whatever the client does.
 */
export function runScript(host: HostConfig, mode: RunMode, remoteDir: string, runDir: string, command: string[], limitSec: number): string {
  const interval = host.sample_interval;
  const limit = Math.max(1, Math.ceil(limitSec));
  return [
    envSetup(host, mode),
    `cd ${quote(remoteDir)} || exit 97`,
    `mkdir -p ${quote(runDir)}/plog || exit 97`,
    exportLine('ASCEND_PROCESS_LOG_PATH', `${runDir}/plog`),
    exportLine('PYTHONUNBUFFERED', '1'),
    RECORD_PGID,
    `echo "$mp_pg $mp_sid $$" > ${quote(runDir)}/pid`,
    // Device sampler: lives in the run's process group, stops when the program exits, output to a file.
    `( while kill -0 $$ 2>/dev/null; do echo "@@S $(date +%s)"; ${smiCommand(host)} 2>/dev/null; sleep ${interval}; done ) > ${quote(runDir)}/samples.txt 2>&1 </dev/null &`,
    // Watchdog: ignores the TERM it sends its own group, notes why in the run directory, then KILLs what is left.
    // `date +%s` counts whole seconds, so a difference of `limit` can come after little more than limit - 1 real
    // seconds; only a difference above `limit` proves the limit has passed (it is seen within limit + 2 s).
    `( trap '' TERM; mp_t0=$(date +%s); while kill -0 $$ 2>/dev/null; do if [ $(( $(date +%s) - mp_t0 )) -gt ${limit} ]; then echo "stopped by the host after ${limit} s" > ${quote(runDir)}/watchdog; kill -TERM -"$mp_pg"; sleep 3; kill -KILL -"$mp_pg"; exit 0; fi; sleep 1; done ) >/dev/null 2>&1 </dev/null &`,
    `exec ${quoteArgs(command)} </dev/null`,
  ].join('\n');
}

/** Kills the process group (and session) recorded for a run: TERM, a short grace period, then KILL. */
export function killScript(runDir: string): string {
  return [
    `f=${quote(runDir)}/pid`,
    '[ -r "$f" ] || { echo "@@MP:nopid"; exit 0; }',
    'read -r pg sid pid < "$f"',
    'case "$pg$sid" in ""|*[!0-9]*) exit 0;; esac',
    '[ "$pg" -gt 1 ] && [ "$sid" -gt 1 ] || exit 0',
    'kill -TERM -"$pg" 2>/dev/null; command -v pkill >/dev/null 2>&1 && pkill -TERM -s "$sid" 2>/dev/null',
    'i=0; while [ $i -lt 12 ] && kill -0 -"$pg" 2>/dev/null; do sleep 0.25; i=$((i+1)); done',
    'kill -KILL -"$pg" 2>/dev/null; command -v pkill >/dev/null 2>&1 && pkill -KILL -s "$sid" 2>/dev/null',
    'echo "@@MP:killed"',
  ].join('\n');
}

/** Peak memory and mean power over the samples file (`@@S <epoch>` followed by one smi output each). */
export function summariseSamples(host: HostConfig, text: string, deviceIds?: number[]): { samples: number; peakMemMB?: number; memTotalMB?: number; meanPowerW?: number } {
  const chunks = text.split(/^@@S \d+\s*$/m).slice(1);
  let peak: number | undefined;
  let total: number | undefined;
  const powers: number[] = [];
  let samples = 0;
  for (const c of chunks) {
    let devs = parseSmi(host, c);
    if (!devs.length) continue;
    if (deviceIds?.length) devs = devs.filter((d) => deviceIds.includes(d.id));
    samples++;
    let mem = 0;
    let tot = 0;
    let pw = 0;
    let havePw = false;
    for (const d of devs) {
      const used = d.hbmTotalMB ? d.hbmUsedMB : d.memUsedMB;
      const t = d.hbmTotalMB ?? d.memTotalMB;
      mem += used ?? 0;
      tot += t ?? 0;
      if (d.powerW !== undefined) {
        pw += d.powerW;
        havePw = true;
      }
    }
    if (peak === undefined || mem > peak) peak = mem;
    total = tot || total;
    if (havePw) powers.push(pw);
  }
  const meanPowerW = powers.length ? powers.reduce((a, b) => a + b, 0) / powers.length : undefined;
  return { samples, peakMemMB: peak, memTotalMB: total, meanPowerW };
}

function importsMindspore(file: string): boolean {
  try {
    return /^\s*(?:import|from)\s+mindspore\b/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** Downloads a remote directory into a local one with tar over ssh. */
function fetchDir(ssh: SshSession, remoteDir: string, localDir: string): Promise<boolean> {
  mkdirSync(localDir, { recursive: true });
  return new Promise((resolve) => {
    const remote = ssh.spawnRaw(ssh.argv(`tar -c -f - -C ${quote(remoteDir)} .`), ['ignore', 'pipe', 'pipe']);
    const tar = spawn('tar', ['-x', '-f', '-', '-C', localDir], { stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true });
    remote.stdout!.pipe(tar.stdin);
    tar.stdin.on('error', () => undefined);
    remote.stderr!.resume();
    let done = 0;
    let ok = true;
    const t = setTimeout(() => (remote.kill(), tar.kill()), 60_000);
    const fin = (code: number | null) => {
      if (code !== 0) ok = false;
      if (++done === 2) {
        clearTimeout(t);
        resolve(ok);
      }
    };
    remote.on('close', fin);
    tar.on('close', fin);
    tar.on('error', () => fin(1));
  });
}

export async function runRemote(opts: RunOptions): Promise<RunSummary> {
  const { host, onEvent } = opts;
  const mode = opts.mode ?? defaultMode(host);
  const launcher = opts.launcher ?? host.launcher;
  const args = opts.args ?? [];
  const runId = newRunId();
  const logDir = join(opts.logRoot ?? join(opts.localRoot, '.mindport-cache', 'runs'), runId);
  const started = Date.now();
  const summary: RunSummary = {
    hostName: opts.hostName, destination: host.destination, mode, launcher, status: 'failed', exitCode: 1,
    durationSec: 0, samples: 0, logDir, diagnostics: 0,
  };
  const entryRel = relative(opts.localRoot, opts.entry).split(sep).join('/');
  if (!opts.preflightOnly && (entryRel.startsWith('../') || entryRel === '' || entryRel.startsWith('/'))) {
    onEvent({ type: 'error', message: `${opts.entry} is not inside the workspace ${opts.localRoot}` });
    summary.exitCode = 2;
    return finish();
  }

  // Timeout and cancellation share one controller; `reason` tells which.
  const ctl = new AbortController();
  let reason: 'cancelled' | 'timeout' | undefined;
  const onUserAbort = () => {
    reason ??= 'cancelled';
    ctl.abort();
  };
  if (opts.signal?.aborted) onUserAbort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });

  let output = '';
  const ssh = new SshSession(host, opts.ssh);
  let sync: SyncResult | undefined;
  const step = (s: StepName, status: 'start' | 'done' | 'failed' | 'skipped', message: string) => onEvent({ type: 'step', step: s, status, message });

  try {
    // ---- 1. preflight ----
    if (host.kind === 'dcu' && mode === 'baseline') {
      onEvent({ type: 'info', message: 'MindSpore does not run on Hygon DCUs: this runs the original PyTorch script under DTK as the baseline to compare the port against.' });
      if (!opts.preflightOnly && importsMindspore(opts.entry))
        onEvent({ type: 'warning', message: `${entryRel} imports mindspore, which has no DCU backend: pick the PyTorch original, or run the port on the host's CPU instead.` });
    }
    if (mode === 'cpu') onEvent({ type: 'info', message: "Running the MindSpore port on the host's CPU (MINDPORT_DEVICE_TARGET=CPU, devices hidden): the script itself must use device_target='CPU'." });
    step('preflight', 'start', `connecting to ${host.destination}`);
    let pf: PreflightResult;
    try {
      pf = await preflight(ssh, mode, ctl.signal);
    } catch (e) {
      if (ctl.signal.aborted) throw e;
      if (e instanceof SshError) {
        step('preflight', 'failed', e.message);
        return fail('unreachable', EXIT.unreachable, e.message);
      }
      throw e;
    }
    onEvent({ type: 'preflight', result: pf });
    for (const w of pf.warnings) onEvent({ type: 'warning', message: w });
    for (const er of pf.errors) onEvent({ type: 'error', message: er });
    const devs = pf.selected.map((d) => `${d.id}:${d.name} ${d.health}${d.hbmTotalMB ? ` HBM ${d.hbmUsedMB}/${d.hbmTotalMB} MB` : d.memTotalMB ? ` mem ${d.memUsedMB}/${d.memTotalMB}` : ''}${d.powerW !== undefined ? ` ${d.powerW} W` : ''}`).join(', ');
    const fw = pf.platform ? `MindSpore ${pf.mindsporeVersion ?? '?'} on ${pf.platform}` : pf.torch ?? '';
    if (!pf.ok) {
      step('preflight', 'failed', pf.errors.join('; '));
      return fail('preflight-failed', EXIT.preflight, pf.errors[0]);
    }
    step('preflight', 'done', [fw, devs && `devices ${devs}`, pf.envScript && `env ${pf.envScript}`].filter(Boolean).join('; '));
    if (opts.preflightOnly) {
      summary.status = 'ok';
      summary.exitCode = 0;
      return finish();
    }

    // ---- 2. sync ----
    step('sync', 'start', `uploading ${opts.localRoot}`);
    try {
      sync = await syncWorkspace(ssh, opts.localRoot, { signal: ctl.signal, remoteTools: pf.tools, method: opts.syncMethod, log: opts.ssh?.log });
    } catch (e) {
      if (ctl.signal.aborted) throw e;
      if (e instanceof SyncError || e instanceof SshError) {
        step('sync', 'failed', e.message);
        return fail('sync-failed', EXIT.sync, e.message);
      }
      throw e;
    }
    summary.remoteDir = sync.remoteDir;
    const removed = sync.removed ? `; removed ${sync.removed} file${sync.removed === 1 ? '' : 's'} deleted locally since the last sync` : '';
    step('sync', 'done', `${sync.files} files, ${(sync.bytes / 1024).toFixed(1)} KiB by ${sync.method} to ${sync.remoteDir}${removed}`);

    // ---- 3. run ----
    const runDir = `${sync.remoteDir}.runs/${runId}`;
    const timeoutSec = opts.timeoutSec ?? host.timeout;
    const hostLimitSec = timeoutSec + hostGraceSec(timeoutSec); // what the host enforces if the client is gone
    const timer = setTimeout(() => {
      reason ??= 'timeout';
      ctl.abort();
    }, timeoutSec * 1000);
    const emit = (stream: 'stdout' | 'stderr') => (text: string) => {
      output += text;
      onEvent({ type: 'output', stream, text });
    };
    let exitCode: number;
    const t0 = Date.now();
    try {
      if (launcher === 'slurm') {
        step('run', 'start', `submitting ${entryRel} to Slurm on ${host.destination}`);
        const prelude = [envSetup(host, mode), exportLine('ASCEND_PROCESS_LOG_PATH', `${runDir}/plog`), exportLine('PYTHONUNBUFFERED', '1'), `mkdir -p ${quote(runDir)}/plog`].join('\n');
        const r = await runSlurm(
          ssh,
          { runDir, remoteDir: sync.remoteDir, prelude, loginEnv: envSetup(host, mode), command: launchCommand(host, 'python', entryRel, args, runDir), jobName: `mindport-${runId}`, timeLimitSec: hostLimitSec },
          { signal: ctl.signal, onOutput: emit('stdout'), onInfo: (m) => onEvent({ type: 'info', message: m }) },
        );
        summary.jobId = r.jobId;
        exitCode = r.exitCode;
        onEvent({ type: 'info', message: `Slurm job ${r.jobId ?? '?'} ended: ${r.state}` });
      } else {
        const command = launchCommand(host, launcher, entryRel, args, runDir);
        step('run', 'start', `${quoteArgs(command)} on ${host.destination}`);
        const runCtl = new AbortController();
        let killing: Promise<unknown> | undefined;
        const onAbort = () => {
          step('cancel', 'start', reason === 'timeout' ? `timeout after ${timeoutSec} s: killing the remote process group` : 'cancelling: killing the remote process group');
          killing = ssh.exec(killScript(runDir)).then(
            (r) => {
              step('cancel', 'done', /@@MP:killed/.test(r.stdout) ? 'remote process group killed' : 'nothing left to kill');
              setTimeout(() => runCtl.abort(), 1500); // the stream normally ends by itself once the program is gone
            },
            (e: Error) => {
              step('cancel', 'failed', e.message);
              runCtl.abort();
            },
          );
        };
        ctl.signal.addEventListener('abort', onAbort, { once: true });
        if (ctl.signal.aborted) onAbort();
        const r = await ssh.exec(runScript(host, mode, sync.remoteDir, runDir, command, hostLimitSec), {
          signal: runCtl.signal,
          onStdout: emit('stdout'),
          onStderr: emit('stderr'),
          maxCapture: 65536,
        });
        ctl.signal.removeEventListener('abort', onAbort);
        await killing;
        if (r.code === 255 && !ctl.signal.aborted && /^(ssh: |Permission denied|Connection (closed|reset)|Host key verification failed)/m.test(r.stderr)) ssh.check(r);
        exitCode = r.code ?? (r.signal ? 128 + 15 : 1);
      }
    } finally {
      clearTimeout(timer);
    }
    summary.durationSec = (Date.now() - t0) / 1000;
    if (reason) {
      summary.status = reason;
      summary.exitCode = reason === 'timeout' ? EXIT.timeout : EXIT.cancelled;
    } else {
      summary.status = exitCode === 0 ? 'ok' : 'failed';
      summary.exitCode = exitCode;
    }
    step('run', summary.status === 'ok' ? 'done' : 'failed', `exit status ${summary.exitCode}${reason ? ` (${reason})` : ''}`);

    // ---- 4. collect logs and samples ----
    step('collect', 'start', `saving logs to ${logDir}`);
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, 'output.log'), output);
    const fetched = await fetchDir(ssh, runDir, join(logDir, 'remote'));
    const samplesFile = join(logDir, 'remote', 'samples.txt');
    if (existsSync(samplesFile) && launcher !== 'slurm') {
      const s = summariseSamples(host, readFileSync(samplesFile, 'utf8'), mode === 'cpu' ? [] : pf.selected.map((d) => d.id));
      summary.samples = s.samples;
      summary.peakMemMB = s.peakMemMB;
      summary.memTotalMB = s.memTotalMB;
      summary.meanPowerW = s.meanPowerW;
      if (s.meanPowerW !== undefined) summary.energyWh = (s.meanPowerW * summary.durationSec) / 3600;
    }
    let extra = '';
    const msLog = join(logDir, 'remote', 'msrun_log');
    if (existsSync(msLog)) for (const f of readdirSync(msLog).sort()) if (/^worker_\d+\.log$/.test(f)) extra += '\n' + readFileSync(join(msLog, f), 'utf8');
    step('collect', fetched ? 'done' : 'failed', fetched ? `logs in ${logDir}` : `could not download ${runDir}; the output is in ${join(logDir, 'output.log')}`);

    // ---- 5. errors → diagnostics ----
    if (summary.status !== 'ok') {
      const diags = mapRemoteErrors(output + extra, {
        remoteRoots: [sync.remoteDir, ...sync.remoteAliases],
        localRoot: opts.localRoot,
        entryFile: opts.entry,
      });
      summary.diagnostics = diags.length;
      summary.lastError = lastError(output + extra);
      onEvent({ type: 'diagnostics', diagnostics: diags });
    } else onEvent({ type: 'diagnostics', diagnostics: [] });
    return finish();
  } catch (e) {
    if (ctl.signal.aborted) {
      summary.status = reason ?? 'cancelled';
      summary.exitCode = summary.status === 'timeout' ? EXIT.timeout : EXIT.cancelled;
      return finish();
    }
    if (e instanceof SshError) {
      onEvent({ type: 'error', message: e.message });
      return fail('unreachable', EXIT.unreachable, e.message);
    }
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onUserAbort);
    await ssh.close();
  }

  /** Ends the run with a status, its exit code and the error that caused it. */
  function fail(status: RunStatus, exitCode: number, error?: string): RunSummary {
    summary.status = status;
    summary.exitCode = exitCode;
    if (error !== undefined) summary.lastError = error;
    return finish();
  }

  function finish(): RunSummary {
    if (!summary.durationSec) summary.durationSec = (Date.now() - started) / 1000;
    try {
      if (existsSync(logDir)) writeFileSync(join(logDir, 'summary.json'), JSON.stringify(summary, null, 2));
    } catch {
      /* the summary event still carries everything */
    }
    onEvent({ type: 'step', step: 'summary', status: summary.status === 'ok' ? 'done' : 'failed', message: formatSummary(summary) });
    onEvent({ type: 'summary', summary });
    return summary;
  }
}

export function formatSummary(s: RunSummary): string {
  const parts = [`${s.status}, exit status ${s.exitCode}`, `${s.durationSec.toFixed(1)} s`];
  if (s.peakMemMB !== undefined) parts.push(`peak device memory ${s.peakMemMB} MB${s.memTotalMB ? ` of ${s.memTotalMB} MB` : ''}`);
  if (s.meanPowerW !== undefined) parts.push(`mean power ${s.meanPowerW.toFixed(1)} W`);
  if (s.energyWh !== undefined) parts.push(`energy ~${s.energyWh < 0.1 ? (s.energyWh * 3600).toFixed(0) + ' J' : s.energyWh.toFixed(2) + ' Wh'}`);
  if (s.jobId) parts.push(`Slurm job ${s.jobId}`);
  if (s.lastError) parts.push(`last error: ${s.lastError}`);
  if (existsSync(s.logDir)) parts.push(`logs: ${s.logDir}`);
  return parts.join('; ');
}
