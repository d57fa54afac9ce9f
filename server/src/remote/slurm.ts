// Slurm: submit the run with `sbatch --parsable`, follow it with squeue/sacct, stream its output file by byte
// offset, and cancel with `scancel`. Device sampling is not possible from the login node, so none is done.
import { randomBytes } from 'node:crypto';
import type { HostConfig } from './hostsConfig';
import { quote, quoteArgs } from './shellQuote';
import type { SshSession } from './ssh';

export interface SlurmJob {
  /** Remote directory of this run (job script and output file go there). */
  runDir: string;
  remoteDir: string;
  /** Shell lines run inside the job before the command (environment). */
  prelude: string;
  /** Shell lines run on the login node before sbatch/squeue/sacct/scancel (the host's environment). */
  loginEnv?: string;
  /** The command words (already chosen: python / msrun ...). */
  command: string[];
  jobName: string;
  /** Slurm's time limit for the job when the host sets none (`slurm.time`): the run's timeout and grace. */
  timeLimitSec?: number;
}

export function gresFor(host: HostConfig): string {
  const g = host.slurm?.gres;
  if (typeof g === 'string') return g;
  const n = g ?? host.devices?.length ?? 1;
  return `${host.kind === 'ascend' ? 'npu' : 'dcu'}:${n}`;
}

export function sbatchArgs(host: HostConfig, job: SlurmJob): string[] {
  const args = ['sbatch', '--parsable', `--job-name=${job.jobName}`, `--output=${job.runDir}/slurm-%j.out`, `--chdir=${job.remoteDir}`, `--gres=${gresFor(host)}`];
  if (host.slurm?.partition) args.push(`--partition=${host.slurm.partition}`);
  // a limit always: a job whose client is gone must not run until the partition's (often days long) default ends
  if (host.slurm?.time) args.push(`--time=${host.slurm.time}`);
  else if (job.timeLimitSec) args.push(`--time=${Math.max(1, Math.ceil(job.timeLimitSec / 60))}`);
  if (host.slurm?.account) args.push(`--account=${host.slurm.account}`);
  args.push(`${job.runDir}/job.sh`);
  return args;
}

/** `12345` or `12345;cluster` */
export function parseSbatch(out: string): string | undefined {
  return /^(\d+)(?:;\S+)?\s*$/m.exec(out.trim())?.[1];
}

/** `sacct -n -P --format=State,ExitCode` → exit status (128+signal when killed by a signal). */
export function parseSacct(out: string): { state: string; exitCode: number } | undefined {
  const line = out.split('\n').map((l) => l.trim()).find((l) => /\|\d+:\d+$/.test(l));
  if (!line) return undefined;
  const [state, ec] = line.split('|') as [string, string];
  const [code, sig] = ec.split(':').map(Number) as [number, number];
  return { state: state.split(' ')[0]!, exitCode: sig ? 128 + sig : code };
}

export interface SlurmRunOptions {
  signal?: AbortSignal;
  onOutput: (text: string) => void;
  onInfo: (message: string) => void;
}

export interface SlurmRunResult {
  jobId?: string;
  exitCode: number;
  state: string;
  cancelled: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export async function runSlurm(ssh: SshSession, job: SlurmJob, opts: SlurmRunOptions): Promise<SlurmRunResult> {
  const host = ssh.host;
  const eof = `MP_EOF_${randomBytes(8).toString('hex')}`;
  const jobScript = `#!/bin/sh\n${job.prelude}\nexec ${quoteArgs(job.command)} </dev/null\n`;
  const env = job.loginEnv ? job.loginEnv + '\n' : '';
  const submit = [
    env + `mkdir -p ${quote(job.runDir)} || exit 90`,
    `cat > ${quote(job.runDir)}/job.sh <<'${eof}'`,
    jobScript + eof,
    `chmod +x ${quote(job.runDir)}/job.sh`,
    quoteArgs(sbatchArgs(host, job)),
  ].join('\n');
  const s = ssh.check(await ssh.exec(submit, { signal: opts.signal }));
  const jobId = parseSbatch(s.stdout);
  if (!jobId) return { exitCode: s.code || 1, state: 'SUBMIT-FAILED', cancelled: !!opts.signal?.aborted, jobId: undefined };
  opts.onInfo(`submitted Slurm job ${jobId} (gres ${gresFor(host)})`);
  const outFile = `${job.runDir}/slurm-${jobId}.out`;
  let offset = 0;
  const poll = async (): Promise<string> => {
    const script = [
      env + `f=${quote(outFile)}; off=${offset}`,
      'size=0; [ -f "$f" ] && size=$(wc -c < "$f" | tr -d " ")',
      `echo "@@MP:state:$(squeue -h -j ${jobId} -o %T 2>/dev/null | head -n 1)"`,
      'echo "@@MP:size:$size"',
      'echo "@@MP:data"',
      '[ "$size" -gt "$off" ] && tail -c +$((off + 1)) "$f" | head -c $((size - off))',
      'true',
    ].join('\n');
    const r = ssh.check(await ssh.exec(script));
    const state = /^@@MP:state:(.*)$/m.exec(r.stdout)?.[1]?.trim() ?? '';
    const size = Number(/^@@MP:size:(\d+)$/m.exec(r.stdout)?.[1] ?? offset);
    const i = r.stdout.indexOf('@@MP:data\n');
    if (i >= 0 && size > offset) {
      const data = r.stdout.slice(i + '@@MP:data\n'.length);
      if (data) opts.onOutput(data);
      offset = size;
    }
    return state;
  };
  const interval = (host.slurm?.poll_interval ?? 2) * 1000;
  let cancelled = false;
  for (;;) {
    if (opts.signal?.aborted) {
      cancelled = true;
      opts.onInfo(`cancelling Slurm job ${jobId} (scancel)`);
      await ssh.exec(`${env}scancel ${jobId}`);
      for (let i = 0; i < 20; i++) {
        const st = await poll();
        if (!st) break;
        await sleep(250);
      }
      break;
    }
    const state = await poll();
    if (!state) break;
    await sleep(interval, opts.signal);
  }
  await poll(); // the last bytes written before the job ended
  const acct = await ssh.exec(`${env}sacct -j ${jobId} --format=State,ExitCode -n -P 2>/dev/null || scontrol show job -o ${jobId} 2>/dev/null`);
  let parsed = parseSacct(acct.stdout);
  if (!parsed) {
    const m = /JobState=(\S+).*?ExitCode=(\d+):(\d+)/.exec(acct.stdout) ?? /ExitCode=(\d+):(\d+).*?JobState=(\S+)/.exec(acct.stdout);
    if (m) parsed = m[1] && /^\d+$/.test(m[1]) ? { state: m[3]!, exitCode: Number(m[2]) ? 128 + Number(m[2]) : Number(m[1]) } : { state: m[1]!, exitCode: Number(m[3]) ? 128 + Number(m[3]) : Number(m[2]) };
  }
  return { jobId, exitCode: cancelled ? 130 : (parsed?.exitCode ?? 1), state: cancelled ? 'CANCELLED' : (parsed?.state ?? 'UNKNOWN'), cancelled };
}
