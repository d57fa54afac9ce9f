// Loader, validation and twin choice of the mapping database (no reference data needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { MappingDatabase, type Target } from '../../server/src/mappings/database';

const ROOT = resolve(__dirname, '..', '..');
const MAPPINGS = join(ROOT, 'mappings');

const file = (name: string, layer: 'generated' | 'overlay', entries: Record<string, unknown>) => ({
  name,
  text: JSON.stringify({ layer, entries }, null, 2),
});

test('every mappings/*.json file validates', () => {
  const db = MappingDatabase.loadDir(MAPPINGS);
  assert.deepEqual(db.problems, []);
  assert.ok(db.entries.size > 1000, `expected > 1000 entries, got ${db.entries.size}`);
});

test('every status-none entry carries advice, and every entry with twins has a non-none status', () => {
  const db = MappingDatabase.loadDir(MAPPINGS);
  const bad: string[] = [];
  for (const e of db.entries.values()) {
    const s = db.statusOf(e);
    if (s === 'none' && !e.advice) bad.push(`${e.torch}: none without advice`);
    if (s === 'none' && (e.mint || e.classic)) bad.push(`${e.torch}: twins but status none`);
  }
  assert.deepEqual(bad, []);
});

test('a duplicate key is an error naming the file and the key', () => {
  const text = `{ "layer": "overlay", "entries": {
    "torch.abs": { "status": "same", "mint": { "api": "mindspore.mint.abs", "status": "same" } },
    "torch.abs": { "status": "none", "advice": "x" } } }`;
  const db = MappingDatabase.fromFiles([{ name: 'overlay-dup.json', text }]);
  const p = db.problems.find((x) => x.key === 'torch.abs');
  assert.ok(p, JSON.stringify(db.problems));
  assert.equal(p.file, 'overlay-dup.json');
  assert.match(p.message, /duplicate/);
});

test('an unknown field is an error naming the file and the key; other entries still load', () => {
  const db = MappingDatabase.fromFiles([
    file('overlay-bad.json', 'overlay', {
      'torch.abs': { status: 'same', mint: { api: 'mindspore.mint.abs', status: 'same', platform: ['Ascend'] } },
      'torch.neg': { statsu: 'same' },
      'torch.exp': { status: 'same', classic: { api: 'mindspore.ops.exp', status: 'same' } },
    }),
  ]);
  const keys = db.problems.map((p) => `${p.file}:${p.key}`).sort();
  assert.deepEqual(keys, ['overlay-bad.json:torch.abs', 'overlay-bad.json:torch.neg']);
  assert.ok(db.has('torch.exp'));
});

test('an unknown top-level field or a bad layer is a file error', () => {
  const db = MappingDatabase.fromFiles([
    { name: 'a.json', text: JSON.stringify({ layer: 'generated', entries: {}, extra: 1 }) },
    { name: 'b.json', text: JSON.stringify({ layer: 'manual', entries: {} }) },
  ]);
  assert.deepEqual(db.problems.map((p) => p.file).sort(), ['a.json', 'b.json']);
});

test('overlays win over generated files, twins are merged field by field', () => {
  const db = MappingDatabase.fromFiles([
    file('overlay-x.json', 'overlay', { 'torch.foo': { note: 'hand', classic: { api: 'mindspore.ops.foo', status: 'args', note: 'fixed' } } }),
    file('generated-x.json', 'generated', {
      'torch.foo': { classic: { api: 'mindspore.ops.foo', status: 'same', since: '2.4', platforms: { '2.6': ['Ascend', 'GPU', 'CPU'] } } },
    }),
  ]);
  const e = db.get('torch.foo')!;
  assert.equal(e.note, 'hand');
  assert.equal(e.classic?.status, 'args');
  assert.equal(e.classic?.since, '2.4');
  assert.deepEqual(e.classic?.platforms?.['2.6'], ['Ascend', 'GPU', 'CPU']);
  assert.deepEqual(e.files, ['generated-x.json', 'overlay-x.json']);
});

// ---- choose()
const chooseDb = MappingDatabase.fromFiles([
  file('generated-c.json', 'generated', {
    'torch.both': {
      mint: { api: 'mindspore.mint.both', status: 'same', since: '2.5', platforms: { '2.6': ['Ascend'] } },
      classic: { api: 'mindspore.ops.both', status: 'args', since: '2.4', platforms: { '2.6': ['Ascend', 'GPU', 'CPU'] } },
    },
    'torch.ascendonly': { mint: { api: 'mindspore.mint.ascendonly', status: 'same', since: '2.5', platforms: { '2.6': ['Ascend'] } } },
    'torch.gpuonly': { classic: { api: 'mindspore.ops.gpuonly', status: 'same', since: '2.4', platforms: { '2.6': ['GPU'] } } },
    'torch.newer': { mint: { api: 'mindspore.mint.newer', status: 'same', since: '2.7', platforms: { '2.7': ['Ascend', 'GPU', 'CPU'] } } },
    'torch.none': { status: 'none', advice: 'nothing' },
  }),
]);
const T = (device: Target['device'], version: Target['version'] = '2.6', api: Target['api'] = 'auto'): Target => ({ device, version, api });

test('choose(): mint on Ascend910B', () => {
  const c = chooseDb.choose(chooseDb.get('torch.both')!, T('Ascend910B'));
  assert.equal(c.which, 'mint');
  assert.equal(c.twin?.api, 'mindspore.mint.both');
  assert.equal(c.status, 'same');
});

test('choose(): the classic twin on GPU and CPU when the mint API is Ascend-only', () => {
  for (const d of ['GPU', 'CPU'] as const) {
    const c = chooseDb.choose(chooseDb.get('torch.both')!, T(d));
    assert.equal(c.which, 'classic', d);
    assert.equal(c.twin?.api, 'mindspore.ops.both');
  }
  // even when the user prefers mint, an Ascend-only mint twin yields to the classic one on GPU,
  // and the preference that does not run there is reported (MSP105)
  const c = chooseDb.choose(chooseDb.get('torch.both')!, T('GPU', '2.6', 'mint'));
  assert.equal(c.which, 'classic');
  assert.equal(c.uncovered?.twin.api, 'mindspore.mint.both');
  // in auto mode the fallback is silent
  assert.equal(chooseDb.choose(chooseDb.get('torch.both')!, T('GPU')).uncovered, undefined);
});

test('choose(): uncovered when no twin covers the device', () => {
  const c = chooseDb.choose(chooseDb.get('torch.ascendonly')!, T('CPU'));
  assert.equal(c.twin, undefined);
  assert.equal(c.uncovered?.twin.api, 'mindspore.mint.ascendonly');
  assert.deepEqual(c.uncovered?.platforms, ['Ascend']);
  const g = chooseDb.choose(chooseDb.get('torch.gpuonly')!, T('Ascend910B'));
  assert.equal(g.uncovered?.which, 'classic');
});

test('choose(): tooNew when the configured version is older than since', () => {
  const c = chooseDb.choose(chooseDb.get('torch.newer')!, T('Ascend910B', '2.6'));
  assert.equal(c.twin, undefined);
  assert.equal(c.tooNew?.since, '2.7');
  assert.equal(c.status, 'none');
  const ok = chooseDb.choose(chooseDb.get('torch.newer')!, T('Ascend910B', '2.7'));
  assert.equal(ok.twin?.api, 'mindspore.mint.newer');
  // with 2.4 configured, the mint twin (since 2.5) is skipped for the classic one
  const old = chooseDb.choose(chooseDb.get('torch.both')!, T('Ascend910B', '2.4'));
  assert.equal(old.which, 'classic');
});

test('choose(): status none without twins', () => {
  const c = chooseDb.choose(chooseDb.get('torch.none')!, T('Ascend910B'));
  assert.equal(c.status, 'none');
  assert.equal(c.twin, undefined);
});

test('choose() on the real database: gelu is mint on Ascend, ops on GPU', () => {
  const db = MappingDatabase.loadDir(MAPPINGS);
  const e = db.get('torch.nn.functional.gelu')!;
  assert.equal(db.choose(e, T('Ascend910B')).twin?.api, 'mindspore.mint.nn.functional.gelu');
  assert.equal(db.choose(e, T('GPU')).twin?.api, 'mindspore.ops.gelu');
  const lin = db.get('torch.nn.Linear')!;
  assert.equal(db.choose(lin, T('CPU')).twin?.api, 'mindspore.mint.nn.Linear'); // auto: mint wherever it runs
  assert.equal(db.choose(lin, T('CPU', '2.6', 'classic')).twin?.api, 'mindspore.nn.Dense');
  assert.equal(db.choose(lin, T('CPU', '2.6', 'mint')).twin?.api, 'mindspore.mint.nn.Linear'); // mint.nn.Linear runs on CPU too
});
