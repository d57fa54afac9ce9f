// Remote runs against a real OpenSSH server on loopback (see sshd.ts): preflight variants, transport failures,
// injection attempts, both sync paths, live streaming, exit codes, cancellation and timeout (checked with ps),
// error mapping through the whole pipeline, DCU baseline, msrun, Slurm (fixture sbatch/squeue/sacct/scancel)
// and the CLI entry points.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { stringify as stringifyToml } from 'smol-toml';
import { HostSchema, type HostInput } from '../../server/src/remote/hostsConfig';
import { runRemote, runScript, type RunEvent, type RunOptions, type RunSummary } from '../../server/src/remote/run';
import { SshSession } from '../../server/src/remote/ssh';
import { hostsCommand, runCommand } from '../../server/src/remote/cli';
import { makeWorkspace, markerLine, remoteSkip, startSshd, tempDir, type TestSshd } from './sshd';

const skip = remoteSkip();

describe('remote runs over a real sshd', { skip, timeout: 120_000 }, () => {
  let s: TestSshd;
  before(async () => {
    s = await startSshd();
  });
  after(async () => {
    await s?.stop();
  });

  interface Ran {
    summary: RunSummary;
    events: RunEvent[];
    out: string;
    ws: string;
  }
  async function run(over: Partial<HostInput>, entry: string, args: string[] = [], extra: Partial<RunOptions> = {}, ws = makeWorkspace()): Promise<Ran> {
    const events: RunEvent[] = [];
    let out = '';
    const summary = await runRemote({
      host: HostSchema.parse(s.host(over)),
      hostName: 'fake',
      localRoot: ws,
      entry: join(ws, entry),
      args,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'output') out += e.text;
        extra.onEvent?.(e);
      },
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'onEvent')),
    });
    return { summary, events, out, ws };
  }
  const messages = (r: Ran) => r.events.map((e) => ('message' in e ? e.message : '')).join('\n');
  const procs = (marker: string) =>
    s
      .sh('ps -eo pid,args')
      .split('\n')
      .filter((l) => l.includes(marker) && !l.includes('ps -eo'));

  function cliIO(cwd: string, hosts: Record<string, HostInput>) {
    const cfg = tempDir('mp-cfg-');
    writeFileSync(join(cfg, 'hosts.toml'), stringifyToml({ hosts }));
    let stdout = '';
    let stderr = '';
    const o = new PassThrough();
    const e = new PassThrough();
    o.on('data', (d) => (stdout += d));
    e.on('data', (d) => (stderr += d));
    return { io: { stdout: o, stderr: e, cwd, env: { ...process.env, MINDPORT_CONFIG_HOME: cfg } }, out: () => stdout, err: () => stderr };
  }

  test('hosts check: 910B, 310P, busy, unhealthy and DCU preflights', async () => {
    const ws = makeWorkspace();
    const variants: Array<[string, HostInput, number, RegExp]> = [
      ['a910b', s.host({ env: { MP_NPU_VARIANT: '910b' } }), 0, /device 3 910B3 OK 94\.7 W HBM 3316\/65536 MB/],
      ['a310p', s.host({ env: { MP_NPU_VARIANT: '310p' } }), 0, /device 1 310P3 OK memory 1469\/21527/],
      ['abusy', s.host({ env: { MP_NPU_VARIANT: 'busy' } }), 0, /warning: device 0 \(910B2\) is busy/],
      ['asick', s.host({ env: { MP_NPU_VARIANT: 'unhealthy' } }), 3, /health is Critical: refusing/],
      ['dcu1', s.host({ kind: 'dcu' }), 0, /torch 2\.1\.0 \(HIP 5\.7\.24164-5e4c11e0\) on K100_AI/],
      ['noms', s.host({ env: { MP_FAKE_BROKEN_MS: '1' } }), 3, /run_check failed .*libascend_hal\.so/],
    ];
    const results = await Promise.all(
      variants.map(async ([name, h]) => {
        const c = cliIO(ws, { [name]: h });
        const code = await hostsCommand(['check', name], c.io);
        return { code, text: c.out() + c.err() };
      }),
    );
    variants.forEach(([name, , code, re], i) => {
      assert.equal(results[i]!.code, code, `${name}: ${results[i]!.text}`);
      assert.match(results[i]!.text, re, name);
    });
    const c = cliIO(ws, { a910b: s.host() });
    assert.equal(await hostsCommand(['list'], c.io), 0);
    assert.match(c.out(), /^a910b\tascend\tmp-test\tpython\tall devices$/m);
  });

  test('unreachable host, failed authentication and unknown host key give clear messages', async () => {
    const [refused, auth, hostkey] = await Promise.all([
      run({ destination: '127.0.0.1', port: 1, env_script: undefined }, 'ok.py'),
      run({ destination: 'nobody-mp@mp-test' }, 'ok.py'),
      run({ ssh_options: ['UserKnownHostsFile=/dev/null'] }, 'ok.py'),
    ]);
    assert.equal(refused.summary.status, 'unreachable');
    assert.equal(refused.summary.exitCode, 255);
    assert.match(refused.summary.lastError!, /cannot reach 127\.0\.0\.1: .*Connection refused/);
    assert.equal(auth.summary.exitCode, 255);
    assert.match(auth.summary.lastError!, /authentication to nobody-mp@mp-test failed.*BatchMode/);
    assert.equal(hostkey.summary.exitCode, 255);
    assert.match(hostkey.summary.lastError!, /host key of mp-test is unknown or has changed/);
  });

  test('injection through the host string is refused before ssh runs', () => {
    const bad = HostSchema.safeParse(s.host({ destination: '-oProxyCommand=touch /tmp/mp-pwned-host' }));
    assert.equal(bad.success, false);
    assert.equal(HostSchema.safeParse(s.host({ destination: 'mp-test;touch /tmp/mp-pwned-host' })).success, false);
    const parsed = HostSchema.parse(s.host());
    assert.throws(() => new SshSession({ ...parsed, destination: '-oProxyCommand=touch /tmp/mp-pwned-host' }));
    assert.ok(!existsSync('/tmp/mp-pwned-host'));
  });

  for (const method of ['rsync', 'tar'] as const) {
    test(`sync by ${method}: .gitignore honoured, hostile file names stay inert, output streams live, exit status passes through`, async () => {
      const ws = makeWorkspace();
      const weirdDir = join(ws, "odd dir $(touch PWNED1)");
      mkdirSync(weirdDir);
      const entryName = "it's `touch PWNED2` ünï 文件.py";
      writeFileSync(join(weirdDir, entryName), 'import os, sys\nprint("I am", os.path.basename(__file__), sys.argv[1:], flush=True)\nsys.exit(3)\n');
      writeFileSync(join(ws, 'new\nline $(touch PWNED3).txt'), 'x');
      const r = await run({}, join("odd dir $(touch PWNED1)", entryName), ['$(touch PWNED4)', "a'b"], { syncMethod: method }, ws);
      assert.equal(r.summary.exitCode, 3, messages(r) + r.out);
      assert.match(messages(r), new RegExp(`by ${method} to `));
      assert.ok(r.out.includes(`I am ${entryName} ['$(touch PWNED4)', "a'b"]`), r.out);
      const remote = r.summary.remoteDir!;
      assert.ok(existsSync(join(remote, 'errors.py')));
      assert.ok(existsSync(join(remote, 'new\nline $(touch PWNED3).txt')));
      assert.ok(!existsSync(join(remote, 'data')) && !existsSync(join(remote, 'model.ckpt')), 'git-ignored files were uploaded');
      const found = s.sh(`find ${JSON.stringify(s.dir)} ${JSON.stringify(ws)} /tmp -maxdepth 3 -name 'PWNED*' 2>/dev/null`);
      assert.equal(found.trim(), '', `an injected command ran: ${found}`);
    });
  }

  for (const method of ['rsync', 'tar'] as const) {
    test(`sync by ${method}: files deleted or renamed locally leave the host's copy; run outputs and ignored files stay`, async () => {
      const ws = makeWorkspace();
      mkdirSync(join(ws, 'legacy'));
      writeFileSync(join(ws, 'legacy', '__init__.py'), '');
      writeFileSync(join(ws, 'legacy', 'helpers.py'), 'X = 1\n');
      writeFileSync(join(ws, 'old name $(touch PWNED5).py'), 'Y = 2\n');
      writeFileSync(join(ws, 'notes.txt'), 'uploaded once, git-ignored later');
      writeFileSync(join(ws, 'probe.py'), 'import importlib.util as u\nprint("legacy importable:", u.find_spec("legacy") is not None, flush=True)\n');
      const first = await run({}, 'probe.py', [], { syncMethod: method }, ws);
      const remote = first.summary.remoteDir!;
      assert.match(first.out, /legacy importable: True/);
      assert.ok(existsSync(join(remote, 'legacy', 'helpers.py')) && existsSync(join(remote, 'old name $(touch PWNED5).py')));
      // what a run writes into the copy, and Python's own caches there
      mkdirSync(join(remote, 'outputs'));
      writeFileSync(join(remote, 'outputs', 'metrics.json'), '{}');
      mkdirSync(join(remote, 'legacy', '__pycache__'));
      writeFileSync(join(remote, 'legacy', '__pycache__', 'helpers.cpython-311.pyc'), '');

      rmSync(join(ws, 'legacy'), { recursive: true });
      renameSync(join(ws, 'old name $(touch PWNED5).py'), join(ws, 'new_name.py'));
      writeFileSync(join(ws, '.gitignore'), readFileSync(join(ws, '.gitignore'), 'utf8') + '\nnotes.txt\n');
      const second = await run({}, 'probe.py', [], { syncMethod: method }, ws);
      assert.equal(second.summary.remoteDir, remote);
      assert.match(second.out, /legacy importable: False/, 'the deleted package is still importable on the host');
      assert.match(messages(second), /removed 3 files deleted locally since the last sync/);
      assert.ok(!existsSync(join(remote, 'legacy')), 'the deleted package folder is left on the host');
      assert.ok(!existsSync(join(remote, 'old name $(touch PWNED5).py')) && existsSync(join(remote, 'new_name.py')));
      assert.ok(existsSync(join(remote, 'outputs', 'metrics.json')), 'a file the run wrote was removed');
      assert.ok(existsSync(join(remote, 'notes.txt')), 'a file only git-ignored since was removed');
      assert.ok(readdirSync(remote).every((n) => !n.includes('synced-files')), 'the list of synced files is kept inside the copy');
      const third = await run({}, 'probe.py', [], { syncMethod: method }, ws);
      assert.doesNotMatch(messages(third), /removed/);
      const found = s.sh(`find ${JSON.stringify(s.dir)} ${JSON.stringify(ws)} /tmp -maxdepth 3 -name 'PWNED*' 2>/dev/null`);
      assert.equal(found.trim(), '', `an injected command ran: ${found}`);
    });
  }

  test('live streaming, logs saved locally, device samples, visible devices and plog directory', async () => {
    const stamps: Array<[string, number]> = [];
    const r = await run({ devices: [1, 0] }, 'ok.py', ['--exit', '0'], {
      onEvent: (e) => {
        if (e.type === 'output' && /step 0/.test(e.text)) stamps.push(['first', Date.now()]);
        if (e.type === 'step' && e.step === 'run' && e.status !== 'start') stamps.push(['end', Date.now()]);
      },
    });
    assert.equal(r.summary.status, 'ok', messages(r));
    const first = stamps.find((x) => x[0] === 'first')![1];
    const end = stamps.find((x) => x[0] === 'end')![1];
    assert.ok(end - first >= 300, `output arrived only at the end (${end - first} ms)`);
    assert.match(r.out, /ASCEND_RT_VISIBLE_DEVICES=0,1/);
    assert.match(r.out, /ASCEND_PROCESS_LOG_PATH=.*\.runs\/[^/]+\/plog/);
    assert.match(r.out, /to stderr/);
    assert.ok(r.summary.samples >= 1);
    assert.equal(r.summary.peakMemMB, 3318 + 3316);
    assert.ok(r.summary.meanPowerW! > 190 && r.summary.energyWh! > 0);
    assert.ok(readFileSync(join(r.summary.logDir, 'output.log'), 'utf8').includes('step 2'));
    assert.ok(existsSync(join(r.summary.logDir, 'remote', 'plog')));
    assert.ok(existsSync(join(r.summary.logDir, 'summary.json')));
  });

  test('cancel kills the remote process group, children included', async () => {
    const marker = `mp-cancel-${process.pid}`;
    const ctl = new AbortController();
    const r = await run({}, 'slow.py', [marker], {
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'output' && e.text.includes('started')) setTimeout(() => ctl.abort(), 200);
      },
    });
    assert.equal(r.summary.status, 'cancelled');
    assert.equal(r.summary.exitCode, 130);
    assert.match(messages(r), /remote process group killed/);
    assert.deepEqual(procs(marker), []);
  });

  test('timeout stops the run and leaves nothing behind', async () => {
    const marker = `mp-timeout-${process.pid}`;
    const r = await run({ timeout: 1.5 }, 'slow.py', [marker]);
    assert.equal(r.summary.status, 'timeout');
    assert.equal(r.summary.exitCode, 124);
    assert.deepEqual(procs(marker), []);
  });

  test('with no client left to stop it, the host stops a run past its limit, children included', async () => {
    // what a run leaves on the host when the editor that started it is gone: only the script's own watchdog
    const marker = `mp-watchdog-${process.pid}`;
    const host = HostSchema.parse(s.host({}));
    const ws = makeWorkspace();
    const runDir = tempDir('mp-wd-run-');
    const ssh = new SshSession(host);
    try {
      const t0 = Date.now();
      const r = await ssh.exec(runScript(host, 'npu', ws, runDir, ['python3', join(ws, 'slow.py'), marker], 2), { maxCapture: 4096 });
      const took = (Date.now() - t0) / 1000;
      assert.match(r.stdout, /started/);
      assert.ok(took >= 2 && took < 15, `stopped after ${took} s`);
      assert.notEqual(r.code, 0);
      assert.match(readFileSync(join(runDir, 'watchdog'), 'utf8'), /stopped by the host after 2 s/);
      assert.deepEqual(procs(marker), [], 'the script and its child are gone');
    } finally {
      await ssh.close();
    }
  });

  test('workspace above max_sync_mb is refused with a clear message', async () => {
    const r = await run({ max_sync_mb: 0.001 }, 'ok.py');
    assert.equal(r.summary.status, 'sync-failed');
    assert.equal(r.summary.exitCode, 4);
    assert.match(r.summary.lastError!, /above the 0\.001 MB limit \(max_sync_mb/);
  });

  test('every error signature maps to the right local line through a real run', async () => {
    const cases: Array<[string, string, string, string, string | undefined]> = [
      ['dtype', 'EZ1001', 'model.py', 'dtype', 'MSP202'],
      ['complex', 'EZ1001', 'model.py', 'complex', 'MSP201'],
      ['op', 'MSP-REMOTE-OP-NOT-MATCHED', 'net.py', 'construct', 'MSP105'],
      ['oom', 'MSP-REMOTE-OOM', 'model.py', 'oom', 'MSP302'],
      ['env', 'MSP-REMOTE-ENV', 'envcheck.py', 'env', undefined],
      ['internal', 'EE9999', 'model.py', 'internal', undefined],
    ];
    const runs = await Promise.all(cases.map(([kind]) => run({}, 'errors.py', [kind])));
    cases.forEach(([kind, code, file, tag, rule], i) => {
      const r = runs[i]!;
      assert.equal(r.summary.exitCode, 1, kind);
      const diags = r.events.flatMap((e) => (e.type === 'diagnostics' ? e.diagnostics : []));
      const d = diags.find((x) => x.code === code);
      assert.ok(d, `${kind}: ${JSON.stringify(diags)}`);
      assert.equal(d.file, join(r.ws, file), kind);
      assert.equal(d.line, markerLine(join(r.ws, file), tag), kind);
      assert.equal(d.rule, rule, kind);
    });
  });

  test('Run on DCU runs the PyTorch original under DTK and says MindSpore is not used', async () => {
    const ws = makeWorkspace();
    writeFileSync(join(ws, 'port.py'), 'import mindspore\n');
    const [r, port] = await Promise.all([run({ kind: 'dcu', devices: [1] }, 'torch_baseline.py'), run({ kind: 'dcu' }, 'port.py', [], {}, ws)]);
    assert.equal(r.summary.status, 'ok', messages(r));
    assert.equal(r.summary.mode, 'baseline');
    assert.match(messages(r), /MindSpore does not run on Hygon DCUs/);
    assert.match(r.out, /HIP_VISIBLE_DEVICES=1/);
    assert.equal(r.summary.meanPowerW, 39);
    assert.match(messages(port), /port\.py imports mindspore, which has no DCU backend/);
  });

  test('msrun launcher with --join=True collects worker logs', async () => {
    const r = await run({ launcher: 'msrun', workers: 2 }, 'ok.py', ['--exit', '0']);
    assert.equal(r.summary.status, 'ok', messages(r) + r.out);
    assert.match(messages(r), /msrun --worker_num=2 --local_worker_num=2 .*--join=True ok\.py/);
    assert.ok(existsSync(join(r.summary.logDir, 'remote', 'msrun_log', 'worker_1.log')));
  });

  test('Slurm: sbatch --parsable with gres, output streamed, exit status from sacct, scancel on cancel', async () => {
    const slurm = { poll_interval: 0.2 };
    const ctl = new AbortController();
    const marker = `mp-slurm-${process.pid}`;
    const [ok, failed, cancelled] = await Promise.all([
      run({ launcher: 'slurm', devices: [0, 1], slurm }, 'ok.py', ['--exit', '0']),
      run({ launcher: 'slurm', slurm: { ...slurm, gres: 'npu:910B3:1' } }, 'ok.py', ['--exit', '5']),
      run({ launcher: 'slurm', slurm }, 'slow.py', [marker], {
        signal: ctl.signal,
        onEvent: (e) => {
          if (e.type === 'output' && e.text.includes('started')) ctl.abort();
        },
      }),
    ]);
    assert.equal(ok.summary.exitCode, 0, messages(ok) + ok.out);
    assert.match(ok.out, /step 2/);
    assert.ok(ok.summary.jobId);
    const args = readFileSync(join(s.hostRoot, 'slurm', `${ok.summary.jobId}.args`), 'utf8');
    assert.match(args, /^--parsable$/m);
    assert.match(args, /^--gres=npu:2$/m);
    assert.equal(failed.summary.exitCode, 5);
    assert.match(readFileSync(join(s.hostRoot, 'slurm', `${failed.summary.jobId}.args`), 'utf8'), /^--gres=npu:910B3:1$/m);
    assert.equal(cancelled.summary.status, 'cancelled');
    assert.match(messages(cancelled), /scancel/);
    assert.deepEqual(procs(marker), []);
  });

  test('CLI: mindport run uses the project file, streams to stdout, prints mapped errors, returns the script status', async () => {
    const ws = makeWorkspace();
    const hosts = { 'fake-ascend': s.host() };
    const a = cliIO(ws, hosts);
    assert.equal(await runCommand([], a.io), 0, a.err());
    assert.match(a.out(), /args: \['--from-project'\]/);
    assert.match(a.err(), /\[mindport\] summary: ok, exit status 0/);
    const b = cliIO(ws, hosts);
    assert.equal(await runCommand(['errors.py', '--host', 'fake-ascend', '--timeout', '30', '--', 'dtype'], b.io), 1);
    assert.ok(b.err().includes(`${join(ws, 'model.py')}:${markerLine(join(ws, 'model.py'), 'dtype')}:1: error EZ1001`), b.err());
    assert.match(b.err(), /MSP202/);
    const c = cliIO(ws, hosts);
    assert.equal(await runCommand(['ok.py', '--host', 'nope'], c.io), 2);
    assert.match(c.err(), /no valid host "nope"/);
  });

  test('no ssh or ControlMaster process is left running', () => {
    const left = s.sh('ps -eo pid,args').split('\n').filter((l) => /ssh .*mp-ssh-/.test(l) || l.includes(s.sshConfig));
    assert.deepEqual(left, []);
    assert.deepEqual(readdirSync('/tmp').filter((n) => n.startsWith('mp-ssh-') && existsSync(join('/tmp', n, 'x'))), []);
  });
});
