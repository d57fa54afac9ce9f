#!/usr/bin/env node
// A/B of the one-thread analysis: the engine as it is (B) against the same engine with some files taken from
// an earlier commit (A), everything else identical (so other people's rule changes do not skew the result).
//   node bench/ab.mjs REV [--files a.ts,b.ts] [--pairs N] [--rounds N] [--sample K] [--instructions]
// Runs A and B alternately N times on every K-th corpus file and prints the best CPU and wall times of each.
// --instructions: counts instead of times. A and B each run once under valgrind's callgrind, at the same time,
// with V8 made deterministic (--single-threaded --predictable: no GC or compiler threads, garbage collection
// included in the count); runs of one build agree within about 0.2 %, where times on a shared VM drift by
// up to 1.5x. Needs valgrind; about 6 minutes with its default --sample 10 (JIT compilation is counted too: a third of the
// instructions at --sample 20).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCorpus } from './corpus.mjs';
import { nodeBundleOptions } from '../scripts/esbuild-options.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const rev = argv[0];
if (!rev || rev.startsWith('--')) {
  console.error('usage: node bench/ab.mjs REV [--files a.ts,b.ts] [--pairs N] [--rounds N] [--sample K]');
  process.exit(2);
}
const files = opt(
  '--files',
  'server/src/engine/analyze.ts,server/src/engine/resolve.ts,server/src/engine/noqa.ts,server/src/engine/text.ts,server/src/engine/rules/apiMapping.ts',
).split(',');
const pairs = Number(opt('--pairs', '3'));
const rounds = Number(opt('--rounds', '2'));
const instructions = argv.includes('--instructions');
const sample = Number(opt('--sample', instructions ? '10' : '4'));
const cacheDir = process.env.MINDPORT_BENCH_CACHE ?? join(tmpdir(), 'mindport-bench');
const corpus = ensureCorpus({ cacheDir });
const list = join(cacheDir, `ab-files-${process.pid}.json`);
writeFileSync(list, JSON.stringify(corpus.files.filter((_, i) => i % sample === 0).map((f) => join(corpus.dir, f))));

const { build } = await import('esbuild');
const old = Object.fromEntries(files.map((f) => [resolve(root, f), execFileSync('git', ['show', `${rev}:${f}`], { cwd: root, encoding: 'utf8' })]));
async function bundle(outfile, replace) {
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'bench', 'harness.ts')],
    outfile,
    ...nodeBundleOptions,
    plugins: replace
      ? [{ name: 'ab', setup: (b) => b.onLoad({ filter: /\.ts$/ }, (a) => (old[a.path] !== undefined ? { contents: old[a.path], loader: 'ts', resolveDir: dirname(a.path) } : undefined)) }]
      : [],
  });
}
const A = join(cacheDir, 'harness-A.cjs');
const B = join(cacheDir, 'harness-B.cjs');
await bundle(A, true);
await bundle(B, false);
const env = { ...process.env, MINDPORT_WASM_DIR: join(root, 'dist'), MINDPORT_MAPPINGS_DIR: join(root, 'mappings') };
const best = { A: { cpu: Infinity, wall: Infinity, parseCpu: Infinity }, B: { cpu: Infinity, wall: Infinity, parseCpu: Infinity } };
let findings = {};
// same output first: every FileResult of A and B must be identical
const dump = (h) => {
  const r = spawnSync(process.execPath, [h, 'dump', list], { env, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};
const identical = dump(A) === dump(B);
console.log(`outputs identical: ${identical}`);
if (instructions) {
  const count = (h) =>
    new Promise((res, rej) => {
      const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', '--predictable', h, 'profile', list, '--rounds', String(rounds)];
      const p = spawn('valgrind', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('error', rej);
      p.on('close', (code) => {
        const m = /Collected : (\d+)/.exec(err);
        if (code !== 0 || !m) rej(new Error(`valgrind failed (${code}): ${err.slice(-500)}`));
        else res(Number(m[1]));
      });
    });
  const [a, b] = await Promise.all([count(A), count(B)]);
  console.log(`instructions: A ${(a / 1e9).toFixed(3)} G, B ${(b / 1e9).toFixed(3)} G (${((100 * (b - a)) / a).toFixed(2)} %)`);
  console.log(JSON.stringify({ rev, files, identical, sample, rounds, instructions_A: a, instructions_B: b, gain: +(1 - b / a).toFixed(4) }));
  process.exit(0);
}
for (let i = 0; i < pairs; i++) {
  for (const [k, h] of [['A', A], ['B', B]]) {
    const r = spawnSync(process.execPath, [h, 'measure', list, '--rounds', String(rounds)], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const m = JSON.parse(r.stdout.trim().split('\n').pop());
    best[k].cpu = Math.min(best[k].cpu, m.analyzeBestCpu);
    best[k].wall = Math.min(best[k].wall, m.analyzeBest);
    best[k].parseCpu = Math.min(best[k].parseCpu, m.parseBestCpu);
    best[k].lines = m.lines;
    findings[k] = m.findings;
    console.log(`${k} pair ${i + 1}: analysis cpu ${m.analyzeMs.map((x) => Math.round(x.cpu)).join('/')} ms, wall ${m.analyzeMs.map((x) => Math.round(x.wall)).join('/')} ms`);
  }
}
console.log(JSON.stringify({ rev, files, identical, lines: best.A.lines, findings, A: best.A, B: best.B, cpu_gain: +(1 - best.B.cpu / best.A.cpu).toFixed(3) }));
