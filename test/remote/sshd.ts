// Test harness: a real OpenSSH server on 127.0.0.1 with a high port, per-run host and client keys, a per-run
// known_hosts and ssh config (given to ssh with -F, host-key checking on), and a fixture "host root" whose
// bin/ holds the stand-ins for the Ascend/DCU tools (npu-smi, hy-smi, python3 checks, msrun, Slurm).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { HostInput } from '../../server/src/remote/hostsConfig';
import { quote } from '../../server/src/remote/shellQuote';

export const FIXTURES = join(__dirname, 'fixtures');
const SSHD_CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'];
export const INSTALL_HINT = 'install it with: apt-get update && apt-get install -y openssh-server openssh-client rsync (or set MINDPORT_SKIP_REMOTE=1 to skip the remote tests)';

export function findSshd(): string | undefined {
  return SSHD_CANDIDATES.find((p) => existsSync(p));
}

/** `skip` for node:test: a reason string when the remote tests must be skipped, else false; throws when sshd is missing. */
export function remoteSkip(): string | false {
  if (process.env.MINDPORT_SKIP_REMOTE === '1') return 'MINDPORT_SKIP_REMOTE=1';
  if (!findSshd()) throw new Error(`sshd (OpenSSH server) is not installed: ${INSTALL_HINT}`);
  if (spawnSync('ssh', ['-V']).error) throw new Error(`ssh (OpenSSH client) is not installed: ${INSTALL_HINT}`);
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

function realPython(): string {
  if (existsSync('/usr/bin/python3')) return '/usr/bin/python3';
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const p = r.stdout?.trim();
  if (!p) throw new Error('python3 is needed on the test machine (apt-get install -y python3-minimal)');
  return p;
}

export interface TestSshd {
  port: number;
  dir: string;
  /** ssh client config file: Host mp-test (and defaults for 127.0.0.1). */
  sshConfig: string;
  /** The fake host root: bin/, smi/, set_env.sh. */
  hostRoot: string;
  /** Remote workdir root used by the tests. */
  workdir: string;
  /** A host configuration reaching this server, with overrides. */
  host(over?: Partial<HostInput>): HostInput;
  /** Runs a command on the "remote" (this machine) and returns stdout: for ps checks. */
  sh(cmd: string): string;
  stop(): Promise<void>;
  log(): string;
}

export async function startSshd(): Promise<TestSshd> {
  const sshd = findSshd();
  if (!sshd) throw new Error(`sshd is not installed: ${INSTALL_HINT}`);
  const dir = mkdtempSync('/tmp/mp-sshd-');
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mindport-test', '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  };
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  const user = userInfo().username;
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  // fake host root
  const hostRoot = join(dir, 'host');
  cpSync(join(FIXTURES, 'host'), hostRoot, { recursive: true });
  for (const f of ['npu-smi', 'hy-smi', 'python3', 'msrun', 'sbatch', 'squeue', 'sacct', 'scancel']) chmodSync(join(hostRoot, 'bin', f), 0o755);
  // Sourced like CANN's set_env.sh: puts the stand-ins first in PATH.
  writeFileSync(
    join(hostRoot, 'set_env.sh'),
    `# fixture stand-in for /usr/local/Ascend/ascend-toolkit/set_env.sh\nexport PATH=${quote(join(hostRoot, 'bin'))}:"$PATH"\nexport MP_FAKE_ROOT=${quote(hostRoot)}\nexport MP_REAL_PYTHON=${quote(realPython())}\nexport ASCEND_HOME_PATH=${quote(hostRoot)}\n`,
  );
  const workdir = join(dir, 'remote work');
  mkdirSync(workdir);
  // The sessions get their own empty HOME, so the test user's shell start-up files (which may be slow, or
  // print things) do not run, and nothing is written to the real home directory.
  const home = join(dir, 'home');
  mkdirSync(home);

  let proc: ChildProcess | undefined;
  let port = 0;
  let log = '';
  for (let attempt = 0; attempt < 5 && !proc; attempt++) {
    port = await freePort();
    const cfg = join(dir, 'sshd_config');
    writeFileSync(
      cfg,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${user}`,
        'MaxSessions 64',
        'MaxStartups 64:30:128',
        'LogLevel ERROR',
        'PrintMotd no',
        'X11Forwarding no',
        'AllowTcpForwarding no',
        `SetEnv HOME=${home}`,
        '',
      ].join('\n'),
    );
    const p = spawn(sshd, ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (d) => (log += d.toString()));
    const t0 = Date.now();
    let up = false;
    while (Date.now() - t0 < 5000 && p.exitCode === null) {
      if (await canConnect(port)) {
        up = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (up) proc = p;
    else p.kill('SIGKILL');
  }
  if (!proc) throw new Error(`sshd did not start: ${log}`);

  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      'Host mp-test',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      'Host *',
      `  User ${user}`,
      `  IdentityFile ${join(dir, 'client_key')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const running = proc;
  return {
    port,
    dir,
    sshConfig,
    hostRoot,
    workdir,
    host: (over = {}) => ({
      destination: 'mp-test',
      kind: 'ascend',
      workdir,
      env_script: join(hostRoot, 'set_env.sh'),
      ssh_config: sshConfig,
      sample_interval: 0.2,
      timeout: 60,
      ...over,
    }),
    sh: (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout,
    log: () => log,
    stop: async () => {
      if (running.exitCode === null) {
        running.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => (running.kill('SIGKILL'), r()), 3000);
          running.once('exit', () => (clearTimeout(t), r()));
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh copy of the fixture workspace, with the git-ignored files the sync tests expect to stay local. */
const madeDirs: string[] = [];
process.on('exit', () => {
  for (const d of madeDirs) rmSync(d, { recursive: true, force: true });
});

/** A temporary directory removed when the test process exits. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(`/tmp/${prefix}`);
  madeDirs.push(d);
  return d;
}

export function makeWorkspace(): string {
  const ws = tempDir('mp-ws-');
  cpSync(join(FIXTURES, 'workspace'), ws, { recursive: true });
  mkdirSync(join(ws, 'data'), { recursive: true });
  writeFileSync(join(ws, 'data', 'train.bin'), 'local data that must not be uploaded');
  writeFileSync(join(ws, 'model.ckpt'), 'checkpoint');
  return ws;
}

/** Line number (1-based) of the `# MP-LINE: tag` marker in a fixture file. */
export function markerLine(file: string, tag: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`# MP-LINE: ${tag}`));
  if (i < 0) throw new Error(`no marker ${tag} in ${file}`);
  return i + 1;
}
