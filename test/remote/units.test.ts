// Pure parts of remote runs: quoting, configuration, npu-smi/hy-smi parsing, error mapping, Slurm parsing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quote, quoteArgs, quotePath, rsyncQuote, exportLine } from '../../server/src/remote/shellQuote';
import { parseHosts, parseHostsToml, loadHostsFile, loadProjectRun, formatProblem, HostSchema } from '../../server/src/remote/hostsConfig';
import { parseNpuSmi, parseHySmi, evaluatePreflight, preflightScript } from '../../server/src/remote/preflight';
import { mapRemoteErrors, lastError } from '../../server/src/remote/errorMap';
import { parseSacct, parseSbatch, sbatchArgs } from '../../server/src/remote/slurm';
import { hostGraceSec, killScript, runScript, summariseSamples, launchCommand } from '../../server/src/remote/run';
import { isCopyPath, listWorkspaceFiles, staleEntries } from '../../server/src/remote/sync';
import { FIXTURES, makeWorkspace, markerLine, tempDir } from './sshd';

const smi = (name: string) => readFileSync(join(FIXTURES, 'host', 'smi', name), 'utf8');
const NASTY = ["it's", 'a b', '$(touch /tmp/mp-pwned)', '`touch /tmp/mp-pwned`', 'line\nbreak', 'ünïcødé 文件', '"dq"', '\\back\\', '*', '-n', '', "'", '$HOME', '; rm -rf /'];

describe('shellQuote', () => {
  test('every nasty word survives a real POSIX shell unchanged', () => {
    const script = `for a in ${quoteArgs(NASTY)}; do printf '%s\\0' "$a"; done`;
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), NASTY);
    assert.ok(!existsSync('/tmp/mp-pwned'));
  });
  test('plain words stay bare, NUL is refused, ~/ paths expand only the home part', () => {
    assert.equal(quote('train.py'), 'train.py');
    assert.equal(quote("it's"), `'it'\\''s'`);
    assert.throws(() => quote('a\0b'));
    const r = spawnSync('sh', ['-c', `printf %s ${quotePath("~/runs/it's $(x)")}`], { encoding: 'utf8', env: { ...process.env, HOME: '/home/u' } });
    assert.equal(r.stdout, "/home/u/runs/it's $(x)");
  });
  test('rsync quoting doubles quotes instead of using backslashes', () => {
    assert.equal(rsyncQuote("/tmp/it's"), "'/tmp/it''s'");
    assert.equal(rsyncQuote('-F'), '-F');
  });
  test('export refuses invalid names', () => {
    assert.equal(exportLine('A_1', 'x y'), "export A_1='x y'");
    assert.throws(() => exportLine('A;B', 'x'));
  });
});

describe('hosts configuration', () => {
  const toml = `
[hosts.ascend1]
destination = "me@ascend-login"
kind = "ascend"
devices = [0, 1]
launcher = "msrun"
env = { GLOG_v = "2" }
slurm = { partition = "npu", gres = 2, time = "00:30:00" }

[hosts.bad]
destination = "-oProxyCommand=touch /tmp/x"
kind = "gpu"
port = 70000
colour = "red"
`;
  test('valid hosts parse with defaults; errors name host and field', () => {
    const r = parseHostsToml(toml);
    const h = r.hosts.get('ascend1')!;
    assert.equal(h.workdir, '~/mindport-runs');
    assert.equal(h.python, 'python3');
    assert.equal(h.timeout, 1800);
    assert.deepEqual(h.devices, [0, 1]);
    assert.ok(!r.hosts.has('bad'));
    const msgs = r.problems.map((p) => formatProblem(p, 'hosts.toml'));
    assert.ok(msgs.some((m) => m.includes('host "bad"') && m.includes('field "destination"') && m.includes('must not start with "-"')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.includes('host "bad"') && m.includes('field "kind"')));
    assert.ok(msgs.some((m) => m.includes('host "bad"') && m.includes('field "port"')));
    assert.ok(msgs.some((m) => m.includes('host "bad"') && m.includes('field "colour"') && m.includes('unknown field')));
  });
  test('bad nested fields and bad TOML are reported', () => {
    const r = parseHosts({ h: { destination: 'x', kind: 'dcu', env: { 'BAD NAME': 'v' }, ssh_options: ['-oProxyCommand=x'], workdir: 'relative' } });
    const fields = r.problems.map((p) => p.field);
    assert.ok(fields.includes('env.BAD NAME'), JSON.stringify(r.problems));
    assert.ok(fields.includes('ssh_options[0]'));
    assert.ok(fields.includes('workdir'));
    assert.match(parseHostsToml('[hosts.x\n').problems[0]!.message, /not valid TOML/);
  });
  test('hosts.toml location follows MINDPORT_CONFIG_HOME', () => {
    const d = tempDir('mp-cfg-');
    writeFileSync(join(d, 'hosts.toml'), '[hosts.a]\ndestination = "a"\nkind = "dcu"\n');
    const r = loadHostsFile({ MINDPORT_CONFIG_HOME: d });
    assert.equal(r.path, join(d, 'hosts.toml'));
    assert.equal(r.hosts.get('a')!.kind, 'dcu');
    assert.equal(loadHostsFile({ MINDPORT_CONFIG_HOME: join(d, 'none') }).exists, false);
  });
  test('a project file may pick host, entry and args, and nothing that runs commands', () => {
    const d = tempDir('mp-proj-');
    writeFileSync(join(d, 'pyproject.toml'), '[tool.mindport.run]\nhost = "ascend1"\nentry = "train.py"\nargs = ["--epochs", "1"]\n');
    assert.deepEqual(loadProjectRun(d).run, { host: 'ascend1', entry: 'train.py', args: ['--epochs', '1'] });
    writeFileSync(join(d, 'pyproject.toml'), '[tool.mindport.run]\nhost = "a"\nenv_script = "/tmp/evil.sh"\nssh_options = ["ProxyCommand=x"]\n');
    const r = loadProjectRun(d);
    assert.equal(r.run.host, undefined);
    assert.ok(r.problems.some((p) => p.field === 'tool.mindport.run.env_script' && /not allowed in a project file/.test(p.message)));
    assert.ok(r.problems.some((p) => p.field === 'tool.mindport.run.ssh_options'));
  });
});

describe('npu-smi and hy-smi parsing', () => {
  test('910B: ids, health, power, HBM', () => {
    const d = parseNpuSmi(smi('npu-smi-910b.txt'));
    assert.equal(d.length, 4);
    assert.deepEqual(
      { id: d[0]!.id, name: d[0]!.name, health: d[0]!.health, powerW: d[0]!.powerW, hbmUsedMB: d[0]!.hbmUsedMB, hbmTotalMB: d[0]!.hbmTotalMB, busy: d[0]!.busy },
      { id: 0, name: '910B3', health: 'OK', powerW: 101.8, hbmUsedMB: 3318, hbmTotalMB: 65536, busy: false },
    );
    assert.deepEqual(d.map((x) => x.id), [0, 1, 2, 3]);
  });
  test('busy: "59356/ 65536" spacing and a process row', () => {
    const d = parseNpuSmi(smi('npu-smi-busy.txt'));
    assert.equal(d[0]!.hbmUsedMB, 59356);
    assert.equal(d[0]!.processes, 1);
    assert.equal(d[0]!.busy, true);
    assert.equal(d[1]!.busy, false);
  });
  test('unhealthy: Critical with NA power; Warning', () => {
    const d = parseNpuSmi(smi('npu-smi-unhealthy.txt'));
    assert.equal(d[0]!.health, 'Critical');
    assert.equal(d[0]!.powerW, undefined);
    assert.equal(d[1]!.health, 'Warning');
  });
  test('310P: no HBM column, chip+device ids, NA power', () => {
    const d = parseNpuSmi(smi('npu-smi-310p.txt'));
    assert.deepEqual(d.map((x) => [x.id, x.npuId, x.memUsedMB, x.memTotalMB, x.hbmTotalMB]), [
      [0, 8, 1782, 21527, undefined],
      [1, 8, 1469, 21527, undefined],
    ]);
  });
  test('A3: several chips per NPU get logical ids in order', () => {
    const d = parseNpuSmi(smi('npu-smi-a3.txt'));
    assert.deepEqual(d.map((x) => x.id), [0, 1, 2, 3]);
    assert.equal(d[1]!.powerW, undefined);
  });
  test('hy-smi: new and old headers, meminfo totals', () => {
    const d = parseHySmi(smi('hy-smi.txt') + smi('hy-smi-meminfo.txt'));
    assert.deepEqual(d.map((x) => [x.id, x.powerW, x.tempC, x.memTotalMB, x.memUsedMB]), [
      [0, 38, 30, 65520, 0],
      [1, 39, 31, 65520, 0],
    ]);
    const old = parseHySmi(smi('hy-smi-old.txt'));
    assert.equal(old.length, 1);
    assert.equal(old[0]!.powerW, 38);
  });
  test('preflight evaluation refuses unhealthy, warns busy, reads run_check', () => {
    const host = HostSchema.parse({ destination: 'h', kind: 'ascend' });
    const out = (smiText: string) =>
      `@@MP:env:/usr/local/Ascend/ascend-toolkit/set_env.sh\n@@MP:missing:\n@@MP:home:/root\n@@MP:tools\nrsync\n@@MP:end:tools:0\n@@MP:smi\n${smiText}@@MP:end:smi:0\n@@MP:check\nMindSpore version: 2.6.0\nThe result of multiplication calculation is correct, MindSpore has been installed on platform [Ascend] successfully!\n@@MP:end:check:0\n`;
    const bad = evaluatePreflight(host, 'npu', out(smi('npu-smi-unhealthy.txt')));
    assert.equal(bad.ok, false);
    assert.ok(bad.errors.some((e) => /device 0 .*Critical/.test(e)));
    assert.ok(bad.warnings.some((e) => /device 1 .*Warning/.test(e)));
    const busy = evaluatePreflight(host, 'npu', out(smi('npu-smi-busy.txt')));
    assert.equal(busy.ok, true);
    assert.ok(busy.warnings.some((w) => /device 0 .*busy: HBM 59356\/65536 MB, 1 process/.test(w)), busy.warnings.join('\n'));
    assert.equal(busy.mindsporeVersion, '2.6.0');
    assert.equal(busy.platform, 'Ascend');
    assert.ok(busy.tools.has('rsync'));
    const chosen = evaluatePreflight({ ...host, devices: [1] }, 'npu', out(smi('npu-smi-unhealthy.txt')));
    assert.equal(chosen.ok, true, chosen.errors.join());
    const noSmi = evaluatePreflight(host, 'npu', out('sh: 1: npu-smi: not found\n').replace('@@MP:end:smi:0', '@@MP:end:smi:127'));
    assert.ok(noSmi.errors.some((e) => /npu-smi not found/.test(e)));
  });
  test('generated scripts are valid sh', () => {
    const host = HostSchema.parse({ destination: 'h', kind: 'dcu', env: { TOKEN: "a'b $(x)" }, devices: [1, 0], env_script: "~/dtk/it's env.sh" });
    for (const s of [preflightScript(host, 'baseline'), runScript(host, 'baseline', "/w/it's", '/w/r', launchCommand(host, 'python', 'a b.py', ['$(x)'], '/w/r'), 60), killScript("/w/it's")]) {
      const r = spawnSync('sh', ['-n'], { input: s, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr + s);
    }
    assert.match(preflightScript(host, 'baseline'), /export HIP_VISIBLE_DEVICES=0,1/);
  });
  test("the host's watchdog never stops a run before its limit, even when the clock's second is about to turn", async () => {
    // `date +%s` counts whole seconds. This stand-in date makes each caller's first reading fall 1 ms before a
    // second turns, the worst case for the watchdog's arithmetic; every later reading follows the real clock.
    const dir = tempDir('mp-wd-');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const realDate = spawnSync('sh', ['-c', 'command -v date'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(
      join(bin, 'date'),
      [
        '#!/bin/sh',
        `[ "$1" = +%s ] || exec ${quote(realDate)} "$@"`,
        `ms=$(( $(${quote(realDate)} +%s%N) / 1000000 ))`,
        `f=${quote(dir)}/first.$PPID`,
        '[ -s "$f" ] || echo $(( 999 - ms % 1000 )) > "$f"',
        'read -r shift < "$f"',
        'echo $(( (ms + shift) / 1000 ))',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const host = HostSchema.parse({ destination: 'h', kind: 'ascend', env_script: join(dir, 'no-env.sh'), sample_interval: 5 });
    const runDir = join(dir, 'run');
    const t0 = Date.now();
    // its own process group, which the watchdog stops
    const sh = spawn('sh', ['-c', runScript(host, 'cpu', dir, runDir, ['sleep', '30'], 2)], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => sh.on('exit', (_code, sig) => resolve(sig)));
    const took = (Date.now() - t0) / 1000;
    assert.equal(signal, 'SIGTERM');
    assert.match(readFileSync(join(runDir, 'watchdog'), 'utf8'), /stopped by the host after 2 s/);
    assert.ok(took > 2 && took < 8, `stopped after ${took} s`);
  });
});

describe('error mapping (real Python run of the fixture scripts)', () => {
  const ws = makeWorkspace();
  const runLocal = (kind: string) => {
    const r = spawnSync('python3', ['-u', join(ws, 'errors.py'), kind], { cwd: ws, encoding: 'utf8' });
    return r.stdout + r.stderr;
  };
  // Pretend the workspace lived at /remote/run on the host: rewrite the paths as the host would print them.
  const remote = (s: string) => s.split(ws).join('/home/u/mindport-runs/ws-1234');
  const map = (out: string) => mapRemoteErrors(remote(out), { remoteRoots: ['/home/u/mindport-runs/ws-1234'], localRoot: ws, entryFile: join(ws, 'errors.py') });
  const cases: Array<[string, string, string, number | string, string | undefined]> = [
    ['dtype', 'EZ1001', 'model.py', 'dtype', 'MSP202'],
    ['complex', 'EZ1001', 'model.py', 'complex', 'MSP201'],
    ['oom', 'MSP-REMOTE-OOM', 'model.py', 'oom', 'MSP302'],
    ['internal', 'EE9999', 'model.py', 'internal', undefined],
    ['op', 'MSP-REMOTE-OP-NOT-MATCHED', 'net.py', 'construct', 'MSP105'],
    ['graph', 'MSP-REMOTE-EXCEPTION', 'net.py', 'construct', undefined],
    ['env', 'MSP-REMOTE-ENV', 'envcheck.py', 'env', undefined],
    ['plain', 'MSP-REMOTE-EXCEPTION', 'errors.py', 'plain', undefined],
  ];
  for (const [kind, code, file, tag, rule] of cases) {
    test(`${kind} → ${code} on ${file}:${tag}`, () => {
      const diags = map(runLocal(kind));
      const d = diags.find((x) => x.code === code);
      assert.ok(d, JSON.stringify(diags, null, 1));
      assert.equal(d.file, join(ws, file));
      assert.equal(d.line, markerLine(join(ws, file), String(tag)));
      assert.equal(d.rule, rule);
      assert.ok(d.message.length > 10, d.message);
      if (kind === 'graph' || kind === 'op') assert.equal(d.column, 16);
    });
  }
  test('frames outside the workspace are ignored; no location falls back to the entry file', () => {
    const out = 'Traceback (most recent call last):\n  File "/usr/lib/python3/site-packages/mindspore/x.py", line 3, in f\nRuntimeError: EE1001: The argument is invalid.\n';
    const d = map(out);
    assert.equal(d.length, 1);
    assert.equal(d[0]!.code, 'EE1001');
    assert.equal(d[0]!.file, join(ws, 'errors.py'));
    assert.equal(d[0]!.approximate, true);
  });
  test('older "In file net.py(17)" frames and relative paths', () => {
    const out = 'RuntimeError: x\n- The Traceback of Net Construct Code:\n# 0 In file net.py(8)\n';
    const d = mapRemoteErrors(out + 'NPU out of memory. Tried to allocate 260.00 MiB (NPU 0; 28.50 GiB total capacity)\n', { remoteRoots: ['/r'], localRoot: ws });
    assert.equal(d[0]!.file, join(ws, 'net.py'));
    assert.equal(d[0]!.line, 8);
    assert.equal(d[0]!.code, 'MSP-REMOTE-OOM');
  });
  test('lastError picks the exception line, not a torch_npu ownership warning', () => {
    assert.equal(lastError('RuntimeError: boom\n/x/torch_npu/__init__.py:1: UserWarning: owner\n'), 'RuntimeError: boom');
  });
});

describe('slurm and sampling helpers', () => {
  test('sbatch / sacct parsing and arguments', () => {
    assert.equal(parseSbatch('12345\n'), '12345');
    assert.equal(parseSbatch('12345;cluster1'), '12345');
    assert.deepEqual(parseSacct('COMPLETED|0:0\n'), { state: 'COMPLETED', exitCode: 0 });
    assert.deepEqual(parseSacct('FAILED|2:0\n'), { state: 'FAILED', exitCode: 2 });
    assert.deepEqual(parseSacct('CANCELLED by 0|0:15\n'), { state: 'CANCELLED', exitCode: 143 });
    const host = HostSchema.parse({ destination: 'h', kind: 'ascend', devices: [0, 1], slurm: { partition: 'p1', time: '00:10:00' } });
    const a = sbatchArgs(host, { runDir: '/r', remoteDir: '/w', prelude: '', command: [], jobName: 'j' });
    assert.ok(a.includes('--gres=npu:2') && a.includes('--parsable') && a.includes('--partition=p1'));
    assert.ok(sbatchArgs({ ...host, kind: 'dcu', slurm: { gres: 8, poll_interval: 2 } }, { runDir: '/r', remoteDir: '/w', prelude: '', command: [], jobName: 'j' }).includes('--gres=dcu:8'));
    // a time limit always: the host's, else the run's timeout and grace in whole minutes (a vanished client's job ends)
    assert.ok(a.includes('--time=00:10:00'));
    const noTime = { ...host, slurm: { poll_interval: 2 } };
    assert.ok(sbatchArgs(noTime, { runDir: '/r', remoteDir: '/w', prelude: '', command: [], jobName: 'j', timeLimitSec: 1800 + hostGraceSec(1800) }).includes('--time=31'));
    assert.ok(sbatchArgs(noTime, { runDir: '/r', remoteDir: '/w', prelude: '', command: [], jobName: 'j', timeLimitSec: 5 }).includes('--time=1'));
  });
  test('samples give peak memory and mean power of the selected devices', () => {
    const host = HostSchema.parse({ destination: 'h', kind: 'ascend' });
    const text = `@@S 1\n${smi('npu-smi-910b.txt')}@@S 2\n${smi('npu-smi-busy.txt')}`;
    const s = summariseSamples(host, text, [0]);
    assert.equal(s.samples, 2);
    assert.equal(s.peakMemMB, 59356);
    assert.equal(s.meanPowerW, (101.8 + 352.1) / 2);
  });
  test('workspace listing honours .gitignore', () => {
    const ws = makeWorkspace();
    const l = listWorkspaceFiles(ws);
    assert.ok(l.files.includes('errors.py') && l.files.includes('pkg/__init__.py'));
    assert.ok(!l.files.some((f) => f.startsWith('data/') || f.endsWith('.ckpt')), l.files.join());
  });
  test('stale entries: only files the last sync uploaded and the workspace no longer has, and their vanished folders', () => {
    const local = new Set(['a.py', 'pkg', 'pkg/__init__.py', 'data', 'data/big.bin', 'keep']);
    const previous = ['a.py', 'gone.py', 'pkg/__init__.py', 'pkg/old.py', 'old/sub/deep.py', 'old/x.py', 'data/big.bin', 'keep/ignored.txt', 'gone.py'];
    const stale = staleEntries(previous, ['a.py', 'pkg/__init__.py', 'new.py'], (p) => local.has(p) || p === 'keep/ignored.txt');
    // data/big.bin and keep/ignored.txt still exist locally (git-ignored since): they stay on the host
    assert.deepEqual(stale.files, ['gone.py', 'old/sub/deep.py', 'old/x.py', 'pkg/old.py']);
    assert.deepEqual(stale.dirs, ['old/sub', 'old'], 'deepest first; pkg/ still exists locally');
  });
  test('stale entries never name anything outside the copy, nor a skipped folder', () => {
    for (const bad of ['', '/etc/passwd', '../outside.py', 'a/../../b', 'a//b', './a', 'a/.', '.git/config', 'x/__pycache__/m.pyc', '.mindport-cache/log']) {
      assert.equal(isCopyPath(bad), false, bad);
    }
    for (const good of ['a.py', "odd dir $(touch X)/it's.py", 'new\nline.txt', '..hidden/x', 'a/b/c.py']) assert.equal(isCopyPath(good), true, good);
    const stale = staleEntries(['../outside.py', '/abs.py', 'fine.py'], [], () => false);
    assert.deepEqual(stale, { files: ['fine.py'], dirs: [] });
  });
});

describe('VS Code contributions', () => {
  const root = join(__dirname, '..', '..');
  const contrib = JSON.parse(readFileSync(join(root, 'client/src/remote/contributes.json'), 'utf8'));
  test('the hosts setting is machine-scoped, restricted, and lists every schema field', () => {
    const prop = contrib.contributes.configuration.properties['mindport.remote.hosts'];
    assert.equal(prop.scope, 'machine');
    assert.deepEqual(contrib.capabilities.untrustedWorkspaces.restrictedConfigurations, ['mindport.remote.hosts']);
    assert.deepEqual(Object.keys(prop.additionalProperties.properties).sort(), Object.keys(HostSchema.shape).sort());
    assert.equal(contrib.contributes.taskDefinitions[0].type, 'mindport-remote');
    const cmds = contrib.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(cmds, ['mindport.cancelRun', 'mindport.checkHost', 'mindport.runOnAscend', 'mindport.runOnDcu']);
  });
  test('the client reads only the user-level hosts value and checks trust in its handlers', () => {
    const src = readFileSync(join(root, 'client/src/remote/index.ts'), 'utf8');
    assert.match(src, /inspect<unknown>\('remote\.hosts'\)/);
    assert.match(src, /parseHosts\(inspected\?\.globalValue\)/);
    assert.doesNotMatch(src, /\.get(<[^>]*>)?\('remote\.hosts'/);
    assert.ok((src.match(/isTrusted/g) ?? []).length >= 3);
    assert.doesNotMatch(src, /child_process|exec\(/);
  });
});
