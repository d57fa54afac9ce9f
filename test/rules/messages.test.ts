// A finding's message says what is wrong and then what to do, once: a rule's own advice and the mapping
// database's advice for the API used to be joined even where both said the same in other words (half the
// rule-owned APIs), e.g. "MindSpore places all work on one device per process: ..." followed by "MindSpore
// places work on one device per process: ...".
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { all, lines, ROOT, settings, setup } from './helpers';
import type { MappingDatabase } from '../../server/src/mappings/database';

let db: MappingDatabase;
before(async () => {
  db = await setup();
});

const STOP = new Set('the and with for its are this that from into when then where use used them they their one once not only per'.split(' '));

/** Pairs of content words (first 5 letters of words of 3+ letters) that occur twice, not overlapping; API names in backticks left out. */
export function repeatedPairs(message: string): string[] {
  const words = (message.replace(/`[^`]*`/g, ' ').toLowerCase().match(/[a-z][a-z0-9_]*/g) ?? []).filter((w) => w.length >= 3 && !STOP.has(w)).map((w) => w.slice(0, 5));
  const first = new Map<string, number>();
  const repeated = new Set<string>();
  for (let i = 0; i + 2 <= words.length; i++) {
    const pair = `${words[i]} ${words[i + 1]}`;
    const at = first.get(pair);
    if (at === undefined) first.set(pair, i);
    else if (i - at >= 2) repeated.add(pair);
  }
  return [...repeated];
}

/** A use of `api` the resolver sees as that API: a call on a known receiver, or of the dotted name. */
function useOf(api: string): string | undefined {
  const member = /^torch\.(Tensor|nn\.Module|optim\.Optimizer)\.(\w+)$/.exec(api);
  if (member) return `y = ${{ Tensor: 't', 'nn.Module': 'model', 'optim.Optimizer': 'opt' }[member[1]]}.${member[2]}()`;
  if (!/^[A-Za-z_][\w.]*$/.test(api) || /\.[A-Z]\w*\.\w+$/.test(api)) return undefined;
  return `y = ${api}(t)`;
}

function ruleOwnedUses(): { api: string; rule: string; src: string }[] {
  const out: { api: string; rule: string; src: string }[] = [];
  for (const [api, entry] of db.entries) {
    if (!entry.rule || !/^MSP[234]/.test(entry.rule)) continue;
    const use = useOf(api);
    if (!use) continue;
    const root = api.split('.')[0];
    out.push({
      api,
      rule: entry.rule,
      src: lines(`import ${root}`, 'import torch.nn as nn', 'import torch.utils.checkpoint', 'import torch.distributed', 'import torch.utils.data.distributed', 't = torch.ones(3)', 'model = nn.Linear(2, 2)', 'opt = torch.optim.SGD(model.parameters(), lr=0.1)', use),
    });
  }
  return out;
}

test('no rule-owned API gets a message that repeats itself (Ascend and GPU targets)', () => {
  const uses = ruleOwnedUses();
  assert.ok(uses.length > 80, `only ${uses.length} rule-owned APIs found`);
  const bad: string[] = [];
  let checked = 0;
  for (const target of [settings(), settings({ device: 'GPU' })]) {
    for (const { api, rule, src } of uses) {
      const f = all(src, target).find((x) => x.code === rule && x.data?.torchApi === api);
      if (!f) continue;
      checked++;
      const pairs = repeatedPairs(f.message);
      if (pairs.length >= 2) bad.push(`${rule} ${api}: repeats ${pairs.join(', ')}\n  ${f.message}`);
    }
  }
  assert.ok(checked > 150, `only ${checked} messages checked`);
  assert.deepEqual(bad, []);
});

test('the check tells a repeated sentence from a plain one', () => {
  const dup = '`torch.device`: MindSpore places all work on one device per process: set it once with ms.set_context(device_target=...). MindSpore places work on one device per process: choose it once with ms.set_context(device_target="Ascend").';
  assert.ok(repeatedPairs(dup).length >= 2);
  assert.ok(repeatedPairs('`torch.cuda.is_available`: CUDA-specific. The device target is configured, not probed per call: remove CUDA checks.').length < 2);
});

test('an API with advice of its own gets that advice, not the rule generic one', () => {
  const freq = all(lines('import torch', 'f = torch.fft.rfftfreq(8)')).find((x) => x.code === 'MSP201')!;
  assert.match(freq.message, /np\.fft\.rfftfreq/);
  assert.doesNotMatch(freq.message, /DFT matri/, 'frequency bookkeeping is not a transform');
  const rfft = all(lines('import torch', 'y = torch.fft.rfft(x)')).find((x) => x.code === 'MSP201')!;
  assert.equal(rfft.message.match(/DFT matri/g)?.length, 1, rfft.message);
  const dev = all(lines('import torch', 'd = torch.device("cuda")')).find((x) => x.code === 'MSP205')!;
  assert.equal(dev.message.match(/one device per process/g)?.length, 1, dev.message);
  const avail = all(lines('import torch', 'ok = torch.cuda.is_available()')).find((x) => x.code === 'MSP205')!;
  assert.match(avail.message, /asks the configured target/);
  assert.doesNotMatch(avail.message, /one device per process/, 'the rule generic what-to-do is not added');
});

test('an API without advice in the database gets the rule own what-to-do', () => {
  const db2 = all(lines('from torch_scatter import scatter_min', 'y = scatter_min(m, idx, dim=0)')).find((x) => x.code === 'MSP204');
  assert.ok(db2, 'scatter_min flagged');
  assert.match(db2.message, /Express message passing with static src\/dst index Tensors/);
});

test('messages of the examples and rule fixtures: no doubled full stop, no repeated advice', () => {
  const files = [join(ROOT, 'examples'), join(ROOT, 'test', 'rules', 'fixtures')].flatMap((d) => pythonFiles(d));
  assert.ok(files.length >= 5, `only ${files.length} files`);
  const bad: string[] = [];
  for (const file of files) {
    for (const f of all(readFileSync(file, 'utf8'))) {
      if (/[^.]\.\.(?!\.)/.test(f.message) || repeatedPairs(f.message).length >= 2) bad.push(`${file}: ${f.code}: ${f.message}`);
    }
  }
  assert.deepEqual(bad, []);
});

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? pythonFiles(join(dir, e.name)) : e.name.endsWith('.py') ? [join(dir, e.name)] : []));
}
