// The bundled CLI (dist/cli.js) end to end: scan in every format with its summary and exit codes, flags,
// file discovery, notebooks, explain, fix, and a copy of dist/ that runs with no node_modules reachable.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { unpackEntry } from '../../server/src/cli/scanEntry';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
let tmp: string;

before(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore' });
  tmp = mkdtempSync(join(tmpdir(), 'mindport-cli-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function cli(args: string[], cwd: string = tmp, cliPath = CLI, extraEnv: Record<string, string> = {}): Promise<Run> {
  // the scan cache goes to the user's cache folder: one under the temp folder, not the real one
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: join(tmp, 'xdg-cache'), ...extraEnv };
  delete env.MINDPORT_MAPPINGS_DIR;
  delete env.MINDPORT_WASM_DIR;
  if (!('MINDPORT_CACHE_DIR' in extraEnv)) delete env.MINDPORT_CACHE_DIR;
  return new Promise((done) => {
    execFile(process.execPath, [cliPath, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}
/** The scan cache's entries under `dir`. */
function cacheEntries(dir: string): string[] {
  const root = join(dir, 'v2');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)).map((f) => join(root, shard, f)));
}
/** A cache entry's result (scanEntry.ts); written back below as a plain JSON result, which entries may be. */
const readEntry = (file: string) => unpackEntry(brotliDecompressSync(readFileSync(file)))!;
/** A fresh folder under the temp dir with the given files. */
function project(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

const MODEL = `import torch
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.bag = nn.EmbeddingBag(10, 3)

    def forward(self, x):
        y = torch.abs(x)
        return F.gelu(self.fc(y)).cpu()
`;

describe('scan', { concurrency: true }, () => {
  test('text output: one line per finding and the summary', async () => {
    const dir = project('text', { 'model.py': MODEL });
    const r = await cli(['scan', '.', '--select', 'MSP1'], dir);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.includes('model.py:12:13: MSP101 info: `torch.abs` → `mindspore.mint.abs` (same behaviour) [*]'), r.stdout);
    assert.match(r.stdout, /^model\.py:9:20: MSP103 warning: `torch\.nn\.EmbeddingBag` has no MindSpore equivalent/m);
    assert.match(r.stdout, /^Scanned 1 file \(14 lines\): \d+ findings?/m);
    const counts = /^torch API uses: (\d+) — same behaviour (\d+), with differences (\d+), not needed (\d+), no equivalent (\d+)/m.exec(r.stdout);
    assert.ok(counts, r.stdout);
    const [, uses, same, diff, unneeded, none] = counts.map(Number);
    assert.equal(uses, same + diff + unneeded + none);
    assert.equal(unneeded, 1, 'x.cpu(): the port deletes it'); 
    assert.ok(none >= 1 && same >= 2, r.stdout);
    assert.match(r.stdout, /^Ready to port: \d+(\.\d)?%$/m);
    assert.match(r.stdout, /^By rule: .*MSP101 \d+/m);
  });

  test('examples/: every file scanned, summary and exit 0 without error-level findings', async () => {
    const r = await cli(['scan', 'examples/'], ROOT);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Scanned 6 files \(\d+ lines\): \d+ findings/m);
    // the notebook's findings name the cell (markdown cells counted, as editors number them)
    assert.match(r.stdout, /^examples\/weather_port\/notebooks\/inspect_forecast\.ipynb\[cell 7\]:1:8: MSP201 /m);
    assert.match(r.stdout, /^examples\/weather_port\/train\.py:\d+:\d+: MSP\d{3} /m);
    assert.match(r.stdout, /^examples\/weather_port\/models\/afno\.py:\d+:\d+: MSP\d{3} /m);
    const pct = Number(/^Ready to port: ([\d.]+)%$/m.exec(r.stdout)?.[1]);
    assert.ok(pct > 0 && pct < 100, r.stdout);
  });

  test('--format json: each finding with code, path, 1-based line/column, message, severity, fix_applicability', async () => {
    const dir = project('json', { 'pkg/model.py': MODEL });
    const r = await cli(['scan', 'pkg', '--format', 'json', '--select', 'MSP1'], dir);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.findings.length >= 3);
    for (const f of j.findings) {
      for (const k of ['code', 'path', 'line', 'column', 'message', 'severity', 'fix_applicability']) assert.ok(k in f, `${k} in ${JSON.stringify(f)}`);
      assert.match(f.code, /^MSP1\d\d$/);
      assert.equal(f.path, 'pkg/model.py');
      assert.ok(f.line >= 1 && f.column >= 1);
      assert.ok(['error', 'warning', 'info', 'hint'].includes(f.severity));
      assert.ok([null, 'safe', 'unsafe'].includes(f.fix_applicability));
    }
    const abs = j.findings.find((f: { torch_api: string }) => f.torch_api === 'torch.abs');
    assert.deepEqual([abs.code, abs.line, abs.column, abs.severity, abs.fix_applicability], ['MSP101', 12, 13, 'info', 'safe']);
    const bag = j.findings.find((f: { torch_api: string }) => f.torch_api === 'torch.nn.EmbeddingBag');
    assert.deepEqual([bag.code, bag.fix_applicability], ['MSP103', null]);
    assert.equal(j.summary.files, 1);
    assert.equal(j.summary.stats.apiUses, j.summary.stats.same + j.summary.stats.args + j.summary.stats.behavior + j.summary.stats.notNeeded + j.summary.stats.none);
    assert.equal(typeof j.summary.readyPercent, 'number');
    assert.deepEqual(j.skipped, []);
  });

  test('--format sarif: 2.1.0, rules with ids, results with ruleId and physical locations', async () => {
    const dir = project('sarif', { 'model.py': MODEL });
    const r = await cli(['scan', 'model.py', '--format', 'sarif', '--select', 'MSP1'], dir);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.version, '2.1.0');
    const run = s.runs[0];
    assert.equal(run.tool.driver.name, 'mindport');
    const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const id of ['MSP101', 'MSP102', 'MSP103', 'MSP104', 'MSP105']) assert.ok(ids.includes(id), id);
    assert.ok(run.results.length >= 3);
    for (const res of run.results) {
      assert.ok(ids.includes(res.ruleId));
      assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uri, 'model.py');
      assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
    }
    const abs = run.results.find((x: { message: { text: string } }) => x.message.text.startsWith('`torch.abs`'));
    assert.deepEqual([abs.ruleId, abs.locations[0].physicalLocation.region.startLine, abs.locations[0].physicalLocation.region.startColumn], ['MSP101', 12, 13]);
  });

  test('exit codes: 0 clean, 1 with an error-level finding (severity from mindport.toml), --exit-zero', async () => {
    const clean = project('clean', { 'a.py': 'import os\nprint(os.getcwd())\n' });
    const r0 = await cli(['scan', '.'], clean);
    assert.equal(r0.code, 0, r0.stderr);
    assert.match(r0.stdout, /^Scanned 1 file \(3 lines\): 0 findings$/m);
    assert.match(r0.stdout, /^Ready to port: 100%$/m);

    const table = project('err-table', { 'mindport.toml': '[severity]\nMSP103 = "error"\n', 'a.py': 'import torch.nn as nn\nb = nn.EmbeddingBag(10, 3)\n' });
    const r1 = await cli(['scan', '.', '--select', 'MSP103'], table);
    assert.equal(r1.code, 1, r1.stdout + r1.stderr);
    assert.match(r1.stdout, /^a\.py:2:5: MSP103 error: /m);
    assert.equal((await cli(['scan', '.', '--select', 'MSP103', '--exit-zero'], table)).code, 0);

    const inline = project('err-inline', { 'pyproject.toml': '[tool.mindport]\nseverity = { MSP103 = "error" }\n', 'a.py': 'import torch.nn as nn\nb = nn.EmbeddingBag(10, 3)\n' });
    assert.equal((await cli(['scan', 'a.py', '--select', 'MSP103'], inline)).code, 1);
    assert.equal((await cli(['scan', 'a.py', '--select', 'MSP101'], inline)).code, 0, 'the error-level rule is not selected');
  });

  test('exit 2 on usage errors, with a message on stderr', async () => {
    const dir = project('usage', { 'a.py': 'x = 1\n' });
    const all = [['scan', '.', '--bogus'], ['scan', '.', '--format', 'xml'], ['scan', 'missing-dir'], ['scan'], ['frobnicate'], ['scan', '.', '--device', 'TPU'], ['explain'], []];
    const runs = await Promise.all(all.map((args) => cli(args, dir)));
    all.forEach((args, i) => {
      const r = runs[i];
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      if (args.length) assert.match(r.stderr, /^mindport: \S/, args.join(' '));
    });
    assert.match(runs[0].stderr, /--bogus/);
    assert.match(runs[1].stderr, /--format must be text, json or sarif \(got "xml"\)/);
    assert.match(runs[2].stderr, /no such file or folder: .*missing-dir/);
    assert.match(runs[5].stderr, /--device/);
    const help = await cli(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage:\n\s+mindport scan PATH/);
  });

  test('--select and --ignore (codes and prefixes)', async () => {
    const dir = project('select', { 'a.py': "import torch\ny = torch.abs(x)\nz = torch.zeros(2, device='cuda')\n" });
    const codes = async (args: string[]) => (JSON.parse((await cli(['scan', '.', '--format', 'json', ...args], dir)).stdout).findings as { code: string }[]).map((f) => f.code).sort();
    assert.deepEqual(await codes(['--select', 'MSP101']), ['MSP101', 'MSP101']);
    assert.deepEqual(await codes(['--select', 'MSP104']), ['MSP104']);
    assert.deepEqual(await codes(['--select', 'msp1', '--ignore', 'MSP101']), ['MSP104']);
    assert.deepEqual(await codes(['--select', 'MSP1,MSP2', '--ignore', 'MSP2,MSP104']), ['MSP101', 'MSP101']);
  });

  test('--device GPU changes the suggestion', async () => {
    const dir = project('device', { 'a.py': 'import torch.nn.functional as F\ny = F.gelu(x)\n' });
    const asc = await cli(['scan', '.', '--select', 'MSP1'], dir);
    assert.match(asc.stdout, /MSP101 info: `torch\.nn\.functional\.gelu` → `mindspore\.mint\.nn\.functional\.gelu`/);
    const gpu = await cli(['scan', '.', '--select', 'MSP1', '--device', 'GPU'], dir);
    assert.match(gpu.stdout, /MSP102 warning: `torch\.nn\.functional\.gelu` → `mindspore\.ops\.gelu`/);
    const mint = await cli(['scan', '.', '--select', 'MSP1', '--device', 'GPU', '--target-api', 'mint'], dir);
    assert.match(mint.stdout, /MSP105 warning: `mindspore\.mint\.nn\.functional\.gelu` does not run on GPU/);
    const old = await cli(['scan', '.', '--select', 'MSP1', '--ms-version', '2.4'], dir);
    assert.match(old.stdout, /`mindspore\.ops\.gelu`/);
  });

  test('.git, virtualenvs, node_modules and .gitignore\'d files are skipped; a file named explicitly is not', async () => {
    const src = 'import torch\ny = torch.abs(x)\n';
    const dir = project('walk', {
      'keep.py': src,
      'sub/keep2.py': src,
      '.git/hooks/x.py': src,
      'venv/lib/x.py': src,
      '.venv/x.py': src,
      'env/pyvenv.cfg': 'home = /usr\n',
      'env/lib/x.py': src,
      'node_modules/pkg/x.py': src,
      '__pycache__/x.py': src,
      '.gitignore': 'build/\n*_gen.py\n',
      'build/out.py': src,
      'model_gen.py': src,
      'sub/.gitignore': 'local.py\n',
      'sub/local.py': src,
      'notes.txt': 'torch.abs',
    });
    const paths = async (args: string[]) => [...new Set((JSON.parse((await cli(['scan', ...args, '--format', 'json', '--select', 'MSP1'], dir)).stdout).findings as { path: string }[]).map((f) => f.path))].sort();
    assert.deepEqual(await paths(['.']), ['keep.py', 'sub/keep2.py']);
    assert.deepEqual(await paths(['.', '--no-gitignore']), ['build/out.py', 'keep.py', 'model_gen.py', 'sub/keep2.py', 'sub/local.py']);
    assert.deepEqual(await paths(['model_gen.py']), ['model_gen.py']);
  });

  test('notebooks: code cells scanned together, findings carry the cell number as editors count cells (markdown included)', async () => {
    const nb = {
      cells: [
        { cell_type: 'markdown', source: ['# Title'] },
        { cell_type: 'code', source: ['import torch\n', '%matplotlib inline'] },
        { cell_type: 'code', source: ['!pip install x\n', 'y = torch.abs(x)'] },
      ],
      metadata: { kernelspec: { language: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const dir = project('nb', { 'n.ipynb': JSON.stringify(nb), 'broken.ipynb': '{ nope' });
    const text = await cli(['scan', '.', '--select', 'MSP1'], dir);
    assert.match(text.stdout, /^n\.ipynb\[cell 3\]:2:5: MSP101 info: `torch\.abs`/m);
    assert.match(text.stdout, /^broken\.ipynb: skipped: not a valid notebook/m);
    const j = JSON.parse((await cli(['scan', '.', '--select', 'MSP1', '--format', 'json'], dir)).stdout);
    assert.deepEqual(j.findings.map((f: { path: string; cell: number; line: number; column: number }) => [f.path, f.cell, f.line, f.column]), [['n.ipynb', 3, 2, 5]]);
    assert.deepEqual(j.skipped.map((s: { path: string }) => s.path), ['broken.ipynb']);
    const sarif = JSON.parse((await cli(['scan', '.', '--select', 'MSP1', '--format', 'sarif'], dir)).stdout);
    assert.equal(sarif.runs[0].results[0].properties.cell, 3);
  });

  test('a non-UTF-8 file: the warning is printed and the file still analysed', async () => {
    const dir = project('latin', { 'a.py': Buffer.from('import torch\ns = "caf\xe9"\ny = torch.abs(x)\n', 'latin1') });
    const r = await cli(['scan', '.', '--select', 'MSP1'], dir);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^a\.py: warning: the file is not valid UTF-8; it was read as Latin-1/m);
    assert.match(r.stdout, /^a\.py:3:5: MSP101 /m);
  });

  test('a scan in worker threads reports exactly what one thread does, file by file in path order', async () => {
    // enough files for workers (24+), of every kind: findings, none, a notebook, a skipped file, a non-UTF-8 one,
    // broken Python, and a long file early on (files are reported in order whichever worker finishes first)
    const files: Record<string, string | Buffer> = {
      'a00_long.py': `import torch\n${'y = torch.abs(x) + torch.cdist(a, b)\n'.repeat(500)}`,
      'a01_broken.py': 'import torch\ndef f(:\n    return torch.abs(x\n',
      'a02_latin.py': Buffer.from('import torch\ns = "caf\xe9"\ny = torch.abs(x)\n', 'latin1'),
      'a03_empty.py': '',
      'a04_nb.ipynb': JSON.stringify({ cells: [{ cell_type: 'code', source: ['import torch\n', 'y = torch.abs(x)'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }),
      'a05_bad.ipynb': '{ nope',
      'mindport.toml': '[severity]\nMSP103 = "error"\n',
    };
    for (let i = 6; i < 34; i++) files[`m${String(i).padStart(2, '0')}.py`] = i % 3 ? MODEL : 'x = 1\n';
    const dir = project('many', files);
    for (const format of ['text', 'json']) {
      const one = await cli(['scan', '.', '--format', format, '--jobs', '1', '--no-cache'], dir);
      const two = await cli(['scan', '.', '--format', format, '--jobs', '2', '--no-cache'], dir);
      assert.equal(two.code, 1, 'MSP103 is an error here: exit 1');
      assert.equal(one.code, two.code);
      assert.equal(two.stdout, one.stdout, `${format}: same report from workers as from one thread`);
      // the same through the scan cache: while workers fill it, then read back from it
      const cacheDir = join(tmp, `many-cache-${format}`);
      const filling = await cli(['scan', '.', '--format', format, '--jobs', '2', '--cache-dir', cacheDir], dir);
      const cached = await cli(['scan', '.', '--format', format, '--jobs', '2', '--cache-dir', cacheDir], dir);
      assert.equal(cacheEntries(cacheDir).length, 33, `every file but the skipped notebook is kept: ${cacheEntries(cacheDir).length}`);
      assert.deepEqual([filling.code, cached.code], [1, 1]);
      assert.equal(filling.stdout, one.stdout, `${format}: same report while the cache is filled`);
      assert.equal(cached.stdout, one.stdout, `${format}: same report from the cache`);
      if (format === 'json') {
        const j = JSON.parse(two.stdout);
        const paths: string[] = j.findings.map((f: { path: string }) => f.path);
        assert.deepEqual([...new Set(paths)], [...new Set(paths)].sort(), 'findings grouped by file in path order');
        assert.equal(paths.filter((p) => p === 'a00_long.py').length, 1000);
        assert.equal(j.summary.files, 33);
        assert.deepEqual(j.skipped.map((s: { path: string }) => s.path), ['a05_bad.ipynb']);
        assert.equal(j.summary.findings, j.findings.length);
        assert.equal(j.summary.bySeverity.error, j.findings.filter((f: { severity: string }) => f.severity === 'error').length);
      } else {
        assert.match(two.stdout, /^a02_latin\.py: warning: the file is not valid UTF-8/m);
        assert.match(two.stdout, /^Scanned 33 files \(\d+ lines, 1 skipped\): \d+ findings, \d+ fixable with `mindport fix` \(marked \*\)$/m);
      }
    }
  });

  test('the scan cache: unchanged files are read back, changed files, settings or damaged entries analysed again', async () => {
    const dir = project('cached', { 'pyproject.toml': '[project]\nname = "x"\n', 'src/model.py': MODEL, 'src/other.py': 'import torch\ny = torch.abs(x)\n' });
    const xdg = join(tmp, 'cached-xdg');
    const scan = (...extra: string[]) => cli(['scan', '.', '--format', 'json', ...extra], join(dir, 'src'), CLI, { XDG_CACHE_HOME: xdg });
    const fresh = await scan('--no-cache');
    assert.equal(existsSync(xdg), false, '--no-cache writes nothing');
    const first = await scan();
    assert.equal(first.stdout, fresh.stdout);
    // kept in the user's cache folder, nothing in the project
    assert.deepEqual(readdirSync(dir).sort(), ['pyproject.toml', 'src']);
    assert.deepEqual(readdirSync(join(dir, 'src')).sort(), ['model.py', 'other.py']);
    const cacheDir = join(xdg, 'mindport', 'scan');
    assert.match(readFileSync(join(cacheDir, 'CACHEDIR.TAG'), 'utf8'), /^Signature: 8a477f597d28d172789f06886806bc55/);
    const entries = cacheEntries(cacheDir);
    assert.equal(entries.length, 2);
    // a kept result is what the next scan reports (proof that the file is not analysed again): doctor one
    const doctored = entries.find((e) => readEntry(e).path.endsWith('other.py'))!;
    const r = readEntry(doctored);
    r.findings[0].message = 'FROM THE CACHE';
    writeFileSync(doctored, brotliCompressSync(JSON.stringify(r)));
    assert.match((await scan()).stdout, /FROM THE CACHE/);
    // other settings: analysed again, not the doctored result
    const gpu = await scan('--device', 'GPU');
    assert.doesNotMatch(gpu.stdout, /FROM THE CACHE/);
    assert.equal(gpu.stdout, (await scan('--device', 'GPU', '--no-cache')).stdout);
    // the file changed: its new findings, a new entry
    writeFileSync(join(dir, 'src/other.py'), 'import torch\ny = torch.abs(x)\nz = torch.cdist(a, b)\n');
    const changed = await scan();
    assert.doesNotMatch(changed.stdout, /FROM THE CACHE/);
    assert.match(changed.stdout, /torch\.cdist/);
    assert.equal(changed.stdout, (await scan('--no-cache')).stdout);
    // a damaged entry (a scan killed while writing cannot leave one, a disk can): a miss, written again
    writeFileSync(doctored, 'not brotli at all');
    writeFileSync(join(dir, 'src/other.py'), 'import torch\ny = torch.abs(x)\n');
    assert.equal((await scan()).stdout, fresh.stdout);
    assert.equal(readEntry(doctored).findings[0].code, 'MSP101', 'rewritten whole');
    // entries not written for 30 days go when a scan writes new ones, once a day at most
    const old = new Date(Date.now() - 40 * 86_400_000);
    utimesSync(doctored, old, old);
    writeFileSync(join(dir, 'src/third.py'), 'import torch\n');
    await scan();
    assert.equal(existsSync(doctored), true, 'pruned less than a day ago: not looked at again');
    const yesterday = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(join(cacheDir, 'last-pruned'), yesterday, yesterday);
    writeFileSync(join(dir, 'src/fourth.py'), 'import torch\n');
    await scan();
    assert.equal(existsSync(doctored), false, 'the old entry is pruned');
    // left: model.py, third.py, fourth.py, other.py's version with torch.cdist, and both first files with --device GPU
    assert.equal(cacheEntries(cacheDir).length, 6);
  });

  test('a model class imported from the project: found by scan, fix and port; the cache notices the model file change', async () => {
    const net = 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return x\n';
    const train = 'import torch\nfrom models.net import Net\n\nmodel = Net()\nmodel.eval()\ntorch.save(model.state_dict(), "m.pt")\n';
    const dir = project('imported', { 'pyproject.toml': '[project]\nname = "x"\n', 'models/__init__.py': '', 'models/net.py': net, 'train.py': train });
    const scan = (...extra: string[]) => cli(['scan', 'train.py', '--format', 'json', ...extra], dir, CLI, { XDG_CACHE_HOME: join(tmp, 'imported-xdg') });
    const codes = (out: string) => (JSON.parse(out).findings as { code: string; line: number }[]).map((f) => `${f.line}:${f.code}`);
    const first = await scan();
    assert.deepEqual(codes(first.stdout), ['5:MSP402', '6:MSP406', '6:MSP406'], first.stdout);
    assert.equal((await scan()).stdout, first.stdout, 'read back from the cache');
    // the model file changes (the class is no longer a Module): the cached result of train.py is not used
    writeFileSync(join(dir, 'models/net.py'), net.replace('class Net(nn.Module):', 'class Net:'));
    const after = await scan();
    assert.deepEqual(codes(after.stdout), ['6:MSP406'], after.stdout);
    assert.equal(after.stdout, (await scan('--no-cache')).stdout);
    writeFileSync(join(dir, 'models/net.py'), net);
    // fix and port see the class too
    const fixed = await cli(['fix', 'train.py'], dir);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(readFileSync(join(dir, 'train.py'), 'utf8'), /^model\.set_train\(False\)$/m);
    writeFileSync(join(dir, 'train.py'), train);
    const ported = await cli(['port', 'train.py'], dir);
    assert.equal(ported.code, 0, ported.stderr);
    assert.match(readFileSync(join(dir, 'train_ms.py'), 'utf8'), /^model\.set_train\(False\)$/m);
  });

  test('a project without a root marker: its modules are searched up to the current folder', async () => {
    // no .git, pyproject.toml …: the folder mindport runs in stands for the project's root
    const net = 'import torch.nn as nn\n\n\nclass Net(nn.Module):\n    pass\n';
    const dir = project('bare', { 'models/net.py': net, 'scripts/train.py': 'from models.net import Net\n\nmodel = Net()\nmodel.eval()\n' });
    const codes = (r: Run) => (JSON.parse(r.stdout).findings as { code: string; line: number }[]).map((f) => `${f.line}:${f.code}`);
    assert.deepEqual(codes(await cli(['scan', 'scripts/train.py', '--format', 'json', '--no-cache'], dir)), ['4:MSP402']);
    // run from scripts/, the project's models/ is above the root: not looked for
    assert.deepEqual(codes(await cli(['scan', 'train.py', '--format', 'json', '--no-cache'], join(dir, 'scripts'))), []);
    const ported = await cli(['port', 'scripts/train.py'], dir);
    assert.equal(ported.code, 0, ported.stderr);
    assert.match(readFileSync(join(dir, 'scripts/train_ms.py'), 'utf8'), /^model\.set_train\(False\)$/m);
  });

  test('a cache folder that cannot be written is a warning; the scan and its exit status are unchanged', async () => {
    const dir = project('nocache', { 'a.py': MODEL, 'blocker': 'a file where the cache folder would go' });
    const plain = await cli(['scan', '.', '--no-cache'], dir);
    const r = await cli(['scan', '.', '--cache-dir', 'blocker/cache'], dir);
    assert.equal(r.code, plain.code);
    assert.equal(r.stdout, plain.stdout);
    assert.match(r.stderr, /mindport: warning: results are not cached: cannot write .*blocker\/cache/);
    // MINDPORT_CACHE_DIR chooses the folder too
    const viaEnv = await cli(['scan', '.'], dir, CLI, { MINDPORT_CACHE_DIR: join(dir, 'env-cache') });
    assert.equal(viaEnv.stdout, plain.stdout);
    assert.equal(cacheEntries(join(dir, 'env-cache')).length, 1);
  });

  test('a bad project setting is a warning naming the file and key; scanning goes on', async () => {
    const dir = project('badcfg', { 'mindport.toml': 'device = "TPU"\ncolour = 1\n', 'a.py': 'import torch\ny = torch.abs(x)\n' });
    const r = await cli(['scan', '.', '--select', 'MSP1'], dir);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /mindport: warning: .*mindport\.toml.*device: "TPU" is not valid/);
    assert.match(r.stderr, /mindport: warning: .*mindport\.toml.*colour.*unknown key/);
    assert.match(r.stdout, /MSP101 info: `torch\.abs` → `mindspore\.mint\.abs`/, 'the default device is kept');
  });

  test('fix and port warn of a bad project setting too, once for all files, and go on', async () => {
    const dir = project('badcfg2', { 'pyproject.toml': '[tool.mindport]\nselect = [1, 2\n', 'a.py': 'import torch\ny = torch.abs(x)\n', 'b.py': 'import torch\nz = torch.abs(x)\n' });
    for (const [args, code] of [[['fix', '.', '--diff'], 1], [['port', 'a.py', 'b.py'], 0]] as const) {
      const r = await cli([...args], dir);
      assert.equal(r.code, code, `${args[0]}: ${r.stderr}`); // fix --diff: 1, there are changes
      assert.equal(r.stderr.match(/mindport: warning: .*pyproject\.toml: cannot parse/g)?.length, 1, `${args[0]}: ${r.stderr}`);
    }
    assert.match(readFileSync(join(dir, 'b_ms.py'), 'utf8'), /mint\.abs/);
  });
});

describe('explain', { concurrency: true }, () => {
  test('a rule code prints its page (any case), --json its metadata and page; an unknown code exits 1', async () => {
    const r = await cli(['explain', 'msp106']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# MSP106 · einops-pattern/m);
    assert.match(r.stdout, /## Fix safety/);
    const j = JSON.parse((await cli(['explain', 'MSP103', '--json'])).stdout);
    assert.equal(j.name, 'torch-api-no-twin');
    assert.match(j.doc, /typed constructors/);
    const bad = await cli(['explain', 'MSP999']);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /MSP999: not a MindPort rule code/);
  });

  test('text', async () => {
    const r = await cli(['explain', 'torch.nn.functional.gelu']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /`torch\.nn\.functional\.gelu`/);
    assert.match(r.stdout, /mindspore\.mint\.nn\.functional\.gelu/);
    assert.match(r.stdout, /mindspore\.ops\.gelu/);
  });

  test('--json with torch_api and both twins; the device changes the suggestion', async () => {
    const j = JSON.parse((await cli(['explain', 'torch.nn.functional.gelu', '--json'])).stdout);
    assert.equal(j.torch_api, 'torch.nn.functional.gelu');
    assert.equal(j.found, true);
    assert.equal(j.mint.api, 'mindspore.mint.nn.functional.gelu');
    assert.equal(j.classic.api, 'mindspore.ops.gelu');
    assert.equal(j.suggested, 'mindspore.mint.nn.functional.gelu');
    assert.equal(JSON.parse((await cli(['explain', 'torch.nn.functional.gelu', '--json', '--device', 'GPU'])).stdout).suggested, 'mindspore.ops.gelu');
  });

  test('an unknown API exits 1; a mix of known and unknown exits 0', async () => {
    const r = await cli(['explain', 'torch.not_a_real_api']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /torch\.not_a_real_api: not in MindPort's mapping database/);
    const j = await cli(['explain', 'torch.not_a_real_api', '--json']);
    assert.equal(j.code, 1);
    assert.equal(JSON.parse(j.stdout).found, false);
    assert.equal((await cli(['explain', 'torch.abs', 'torch.not_a_real_api'])).code, 0);
  });
});

describe('fix', { concurrency: true }, () => {
  const SRC = `import torch

def f(x):
    y = torch.abs(x)
    z = torch.zeros(2, 3, requires_grad=True)
    return y + z
`;

  test('safe fixes only by default; the file re-parses and scans clean of what was fixed', async () => {
    const dir = project('fix-safe', { 'a.py': SRC });
    const r = await cli(['fix', 'a.py', '--select', 'MSP1'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^a\.py: applied 1 fix \(MSP101 ×1\)$/m);
    const out = readFileSync(join(dir, 'a.py'), 'utf8');
    // mint.zeros takes no requires_grad=: renaming that call alone would leave one that fails, so it is not safe
    assert.equal(
      out,
      `import torch
from mindspore import mint

def f(x):
    y = mint.abs(x)
    z = torch.zeros(2, 3, requires_grad=True)
    return y + z
`,
    );
    const after = JSON.parse((await cli(['scan', 'a.py', '--format', 'json', '--select', 'MSP1'], dir)).stdout);
    const left = after.findings.map((f: { code: string; fix_applicability: string | null }) => `${f.code} ${f.fix_applicability}`);
    assert.deepEqual(left, ['MSP102 unsafe', 'MSP104 unsafe'], 'only what has no safe fix is left to report');
    assert.equal(spawnSync('python3', ['-c', `import ast,sys; ast.parse(open(${JSON.stringify(join(dir, 'a.py'))}).read())`]).status ?? 0, 0);
  });

  test('--diff prints what --unsafe would change and writes nothing (exit 1); without it the change is applied', async () => {
    const dir = project('fix-unsafe', { 'a.py': SRC });
    const r = await cli(['fix', 'a.py', '--select', 'MSP1', '--unsafe', '--diff'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^-    z = torch\.zeros\(2, 3, requires_grad=True\)$/m);
    assert.match(r.stdout, /^\+    z = mint\.zeros\(\(2, 3\)\)$/m);
    assert.match(r.stdout, /Would fix .*\(unsafe fixes included\); nothing was written/);
    assert.equal(readFileSync(join(dir, 'a.py'), 'utf8'), SRC, 'the file is untouched');
    const w = await cli(['fix', 'a.py', '--select', 'MSP1', '--unsafe'], dir);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /\(unsafe fixes included\)/);
    assert.match(readFileSync(join(dir, 'a.py'), 'utf8'), /z = mint\.zeros\(\(2, 3\)\)\n/);
    const again = await cli(['fix', 'a.py', '--select', 'MSP1', '--unsafe', '--diff'], dir);
    assert.equal(again.code, 0, 'nothing left to change: exit 0');
  });

  test('--diff gives one hunk per change with three lines of context, which git apply turns into what fix writes', async () => {
    const middle = Array.from({ length: 30 }, (_, i) => `n${i} = ${i}`);
    const src = ['import torch', 'a = torch.abs(x)', ...middle, 'b = torch.abs(y)', ''].join('\n');
    const dir = project('fix-hunks', { 'a.py': src });
    const r = await cli(['fix', 'a.py', '--select', 'MSP1', '--diff'], dir);
    assert.equal(r.code, 1, r.stderr);
    const patch = r.stdout.slice(0, r.stdout.indexOf('a.py: would apply'));
    assert.deepEqual(patch.match(/^@@ .* @@$/gm), ['@@ -1,5 +1,6 @@', '@@ -30,4 +31,4 @@']);
    assert.doesNotMatch(patch, /^[-+]n1[0-9] = /m, 'the unchanged lines between the two fixes are not in the diff');
    writeFileSync(join(dir, 'change.patch'), patch);
    execFileSync('git', ['apply', 'change.patch'], { cwd: dir });
    const patched = readFileSync(join(dir, 'a.py'), 'utf8');
    writeFileSync(join(dir, 'a.py'), src);
    assert.equal((await cli(['fix', 'a.py', '--select', 'MSP1'], dir)).code, 0);
    assert.equal(patched, readFileSync(join(dir, 'a.py'), 'utf8'));
  });

  test('--diff names a file outside the current folder by its absolute path, which patch -p0 applies', async () => {
    const dir = project('fix-outside', { 'a.py': SRC, 'sub/.keep': '' });
    const r = await cli(['fix', '../a.py', '--select', 'MSP1', '--diff'], join(dir, 'sub'));
    assert.equal(r.code, 1, r.stderr);
    const file = join(dir, 'a.py');
    assert.ok(r.stdout.startsWith(`--- ${file}\n+++ ${file}\n@@ `), r.stdout);
    writeFileSync(join(dir, 'change.patch'), r.stdout.slice(0, r.stdout.indexOf('../a.py: would apply')));
    execFileSync('patch', ['-p0', '-i', join(dir, 'change.patch')], { cwd: '/' });
    assert.match(readFileSync(file, 'utf8'), /y = mint\.abs\(x\)/);
  });

  test('a Latin-1 file without a coding cookie is refused and left byte-identical', async () => {
    const bytes = Buffer.from('import torch\ns = "caf\xe9"\ny = torch.abs(x)\n', 'latin1');
    const dir = project('fix-latin', { 'a.py': bytes });
    const r = await cli(['fix', 'a.py'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a\.py: skipped: the file is not valid UTF-8.*not rewritten/);
    assert.ok(readFileSync(join(dir, 'a.py')).equals(bytes));
  });

  test('a file with a latin-1 coding cookie is fixed and keeps its encoding byte for byte', async () => {
    const bytes = Buffer.from('# -*- coding: latin-1 -*-\nimport torch\ns = "caf\xe9 \xb5"\ny = torch.abs(x)\n', 'latin1');
    const dir = project('fix-cookie', { 'a.py': bytes });
    assert.equal((await cli(['fix', 'a.py', '--select', 'MSP1'], dir)).code, 0);
    assert.ok(
      readFileSync(join(dir, 'a.py')).equals(Buffer.from('# -*- coding: latin-1 -*-\nimport torch\nfrom mindspore import mint\ns = "caf\xe9 \xb5"\ny = mint.abs(x)\n', 'latin1')),
    );
  });

  test('a GBK file (coding cookie) is fixed and ported in GBK: every byte outside the fix kept, the output runs', async () => {
    // 海洋模型, 取绝对值, 温度 in GBK
    const comment = [0xba, 0xa3, 0xd1, 0xf3, 0xc4, 0xa3, 0xd0, 0xcd];
    const note = [0xc8, 0xa1, 0xbe, 0xf8, 0xb6, 0xd4, 0xd6, 0xb5];
    const word = [0xce, 0xc2, 0xb6, 0xc8];
    const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
    const source = bytes('# -*- coding: gbk -*-\n"""', comment, '"""\nimport torch\ny = torch.abs(x)  # ', note, '\ns = "', word, '"\n');
    const dir = project('fix-gbk', { 'a.py': source, 'b.py': source });
    const scan = await cli(['scan', '.', '--select', 'MSP1', '--no-cache'], dir);
    assert.doesNotMatch(scan.stdout, /warning/, scan.stdout);
    const r = await cli(['fix', 'a.py', '--select', 'MSP1'], dir);
    assert.equal(r.code, 0, r.stderr);
    const fixed = bytes('# -*- coding: gbk -*-\n"""', comment, '"""\nimport torch\nfrom mindspore import mint\ny = mint.abs(x)  # ', note, '\ns = "', word, '"\n');
    assert.ok(readFileSync(join(dir, 'a.py')).equals(fixed), readFileSync(join(dir, 'a.py')).toString('latin1'));
    const p = await cli(['port', 'b.py'], dir);
    assert.equal(p.code, 0, p.stderr);
    const ported = readFileSync(join(dir, 'b_ms.py'));
    assert.ok(ported.includes(Buffer.from(note)) && ported.includes(Buffer.from(word)), 'the ported file is not GBK');
    // Python reads it by its cookie: the Chinese text comes back, and the code compiles
    const script = 'import sys; src = open(sys.argv[1], "rb").read(); compile(src, sys.argv[1], "exec"); print(src.decode("gbk").splitlines()[1])';
    const py = spawnSync('python3', ['-c', script, join(dir, 'b_ms.py')], { encoding: 'utf8', env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), '"""海洋模型"""');
  });

  test("a fix whose result the file's encoding cannot hold, or a file its cookie misdescribes, is left byte-identical", async () => {
    const gb18030 = Buffer.from([...Buffer.from('# coding: gb18030\nimport torch\ns = "', 'latin1'), 0x95, 0x32, 0x82, 0x36, ...Buffer.from('"\ny = torch.abs(x)\n', 'latin1')]); // U+20000: four bytes
    const bad = Buffer.from('# coding: gbk\nimport torch\ns = "\x81 "\ny = torch.abs(x)\n', 'latin1');
    const dir = project('fix-gb18030', { 'a.py': gb18030, 'b.py': bad });
    const r = await cli(['fix', '.', '--select', 'MSP1'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a\.py: skipped: the result has a character GB18030 cannot hold as MindPort writes it \(U\+20000\); not rewritten so nothing is lost/);
    assert.match(r.stderr, /b\.py: skipped: the file is not valid GBK as its coding cookie declares; it was read as Latin-1; not rewritten/);
    assert.ok(readFileSync(join(dir, 'a.py')).equals(gb18030) && readFileSync(join(dir, 'b.py')).equals(bad));
    const p = await cli(['port', 'a.py', 'b.py'], dir);
    assert.equal(p.code, 1);
    assert.ok(!existsSync(join(dir, 'a_ms.py')) && !existsSync(join(dir, 'b_ms.py')));
  });

  test('a notebook: its code cells fixed together (the import once), written back in its own JSON style, nothing else touched', async () => {
    // as Jupyter writes it: indent 1, sources as lists of lines, outputs and metadata, non-ASCII kept
    const nb = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Ocean model ✓\n', 'torch.abs(x) in prose'] },
        { cell_type: 'code', execution_count: 1, metadata: { tags: ['setup'] }, outputs: [], source: ['import torch\n', '%matplotlib inline'] },
        {
          cell_type: 'code',
          execution_count: 2,
          metadata: {},
          outputs: [{ name: 'stdout', output_type: 'stream', text: ['tensor(1.)\n'] }],
          source: ['y = torch.sin(x).cuda()\n', '!nvidia-smi\n', 'z = torch.abs(y)  # température'],
        },
        { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: 'w = torch.zeros(3, requires_grad=True)' },
      ],
      metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const text = JSON.stringify(nb, null, 1) + '\n';
    const dir = project('fix-nb', { 'n.ipynb': text });
    const d = await cli(['fix', 'n.ipynb', '--diff'], dir);
    assert.equal(d.code, 1, d.stderr);
    assert.equal(readFileSync(join(dir, 'n.ipynb'), 'utf8'), text, '--diff writes nothing');
    const r = await cli(['fix', 'n.ipynb'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^n\.ipynb: applied 3 fixes \(MSP101 ×2, MSP205 ×1\)$/m);
    const out = readFileSync(join(dir, 'n.ipynb'), 'utf8');
    const want = structuredClone(nb);
    want.cells[1].source = ['import torch\n', 'from mindspore import mint\n', '%matplotlib inline'];
    want.cells[2].source = ['y = mint.sin(x)\n', '!nvidia-smi\n', 'z = mint.abs(y)  # température'];
    // the unsafe rename of torch.zeros (requires_grad) is left for the user
    assert.equal(out, JSON.stringify(want, null, 1) + '\n', 'byte for byte what Jupyter would write');
    // the printed diff is the patch of what was written
    writeFileSync(join(dir, 'n.ipynb'), text);
    writeFileSync(join(dir, 'change.patch'), d.stdout.slice(0, d.stdout.indexOf('n.ipynb: would apply')));
    execFileSync('git', ['apply', 'change.patch'], { cwd: dir });
    assert.equal(readFileSync(join(dir, 'n.ipynb'), 'utf8'), out);
    assert.equal((await cli(['fix', 'n.ipynb', '--diff'], dir)).code, 0, 'nothing left to fix');
  });

  test('a notebook that is not valid JSON is skipped with the reason, and left as it was', async () => {
    const broken = '{"cells": [{"cell_type": "code", "source": "import torch\ny = torch.abs(x)"}';
    const dir = project('fix-nb-broken', { 'n.ipynb': broken });
    const r = await cli(['fix', '.'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /n\.ipynb: skipped: not a valid notebook \(JSON\).*not rewritten so nothing is lost/);
    assert.equal(readFileSync(join(dir, 'n.ipynb'), 'utf8'), broken);
  });
});

/** An installed MindPort: a copy of dist/ (scripts and wasm files) beside a copy of mappings/, in a new temp folder. */
function installedCopy(prefix: string): string {
  const install = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(install, 'dist'));
  for (const f of readdirSync(join(ROOT, 'dist'))) {
    if (f.endsWith('.js') || f.endsWith('.wasm')) cpSync(join(ROOT, 'dist', f), join(install, 'dist', f));
  }
  cpSync(join(ROOT, 'mappings'), join(install, 'mappings'), { recursive: true });
  return install;
}

test('the bundled CLI loads its wasm files from dist/ with no node_modules reachable', async () => {
  const install = installedCopy('mindport-cli-install-');
  try {
    assert.deepEqual(readdirSync(join(install, 'dist')).filter((f) => f.endsWith('.wasm')).sort(), ['tree-sitter-python.wasm', 'web-tree-sitter.wasm']);
    // nothing named node_modules on the way up from the temp folder
    for (let d = install; d !== dirname(d); d = dirname(d)) assert.equal(readdirSync(d).includes('node_modules'), false, d);
    const file = join(install, 'model.py');
    writeFileSync(file, 'import torch\ny = torch.abs(x)\n');
    const r = await cli(['scan', file, '--format', 'json'], install, join(install, 'dist', 'cli.js'));
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.findings.map((f: { code: string; torch_api: string }) => [f.code, f.torch_api]), [['MSP101', 'torch.abs']]);
  } finally {
    rmSync(install, { recursive: true, force: true });
  }
});

test('shipped mapping files are trusted only while unchanged: an edited one is validated and its problem reported', async () => {
  // the build records the sha256 of every shipped mapping file it validated, and the bundles load those
  // without validating again
  const install = installedCopy('mindport-cli-mappings-');
  try {
    const installed = join(install, 'dist', 'cli.js');
    const shipped = await cli(['explain', 'torch.abs', 'torch.nn.functional.interpolate'], install, installed);
    const fromRepo = await cli(['explain', 'torch.abs', 'torch.nn.functional.interpolate'], install);
    assert.equal(shipped.code, 0, shipped.stderr);
    assert.equal(shipped.stderr, '');
    assert.equal(shipped.stdout, fromRepo.stdout);

    // one entry of a shipped file gains a key the schema does not allow
    const path = join(install, 'mappings', 'generated-torch.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { entries: Record<string, Record<string, unknown>> };
    const [key] = Object.keys(file.entries);
    file.entries[key].surprise = true;
    writeFileSync(path, JSON.stringify(file, null, 2));
    const edited = await cli(['explain', 'torch.abs'], install, installed);
    assert.match(edited.stderr, new RegExp(`mapping file generated-torch\\.json entry "${key.replace(/\./g, '\\.')}": .*surprise`));
  } finally {
    rmSync(install, { recursive: true, force: true });
  }
});
