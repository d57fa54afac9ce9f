// A broken mapping file or entry is reported with its file and key, and everything else still loads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { MappingDatabase } from '../../server/src/mappings/database';
import { ROOT } from './helpers';

const good = {
  name: 'overlay-good.json',
  text: JSON.stringify({ layer: 'overlay', entries: { 'torch.abs': { status: 'same', mint: { api: 'mindspore.mint.abs', status: 'same' } } } }),
};

test('invalid JSON: the file is named, the other files load', () => {
  const db = MappingDatabase.fromFiles([good, { name: 'overlay-broken.json', text: '{ "layer": "overlay", "entries": { "torch.x": ' }]);
  assert.equal(db.problems.length, 1);
  assert.equal(db.problems[0].file, 'overlay-broken.json');
  assert.equal(db.problems[0].key, undefined);
  assert.match(db.problems[0].message, /^invalid JSON: /);
  assert.ok(db.get('torch.abs'));
});

test('an unknown top-level field rejects that file only, naming the field', () => {
  const db = MappingDatabase.fromFiles([good, { name: 'generated-x.json', text: JSON.stringify({ layer: 'generated', entires: {}, entries: {} }) }]);
  assert.equal(db.problems.length, 1);
  assert.equal(db.problems[0].file, 'generated-x.json');
  assert.match(db.problems[0].message, /entires/);
  assert.ok(db.get('torch.abs'));
});

test('a bad entry is reported with file and key; its siblings in the same file load', () => {
  const text = JSON.stringify({
    layer: 'overlay',
    entries: {
      'torch.ok1': { status: 'same', mint: { api: 'mindspore.mint.ok1', status: 'same' } },
      'torch.unknown_field': { status: 'same', colour: 'red' },
      'torch.bad_status': { status: 'maybe' },
      'torch.bad_twin': { mint: { api: 'tensorflow.abs', status: 'same' } },
      'torch.bad_arg': { classic: { api: 'mindspore.ops.x', status: 'args', args: [{ torch: 'dim', change: 'moved' }] } },
      'torch.ok2': { status: 'none', advice: 'write it by hand' },
    },
  });
  const db = MappingDatabase.fromFiles([good, { name: 'overlay-mixed.json', text }]);
  const byKey = new Map(db.problems.map((p) => [p.key, p]));
  assert.deepEqual([...byKey.keys()].sort(), ['torch.bad_arg', 'torch.bad_status', 'torch.bad_twin', 'torch.unknown_field']);
  for (const p of db.problems) assert.equal(p.file, 'overlay-mixed.json');
  assert.match(byKey.get('torch.unknown_field')!.message, /colour/);
  assert.match(byKey.get('torch.bad_status')!.message, /^status: /);
  assert.match(byKey.get('torch.bad_twin')!.message, /^mint\.api: must be a dotted mindspore\.\* name/);
  assert.match(byKey.get('torch.bad_arg')!.message, /^classic\.args\.0\.change: /);
  assert.ok(db.get('torch.ok1'));
  assert.ok(db.get('torch.ok2'));
  assert.ok(db.get('torch.abs'));
  assert.equal(db.get('torch.bad_status'), undefined);
});

test('a bad key (not a dotted torch name) rejects its file with the key in the message', () => {
  const db = MappingDatabase.fromFiles([good, { name: 'overlay-key.json', text: JSON.stringify({ layer: 'overlay', entries: { 'not dotted': {} } }) }]);
  assert.equal(db.problems.length, 1);
  assert.equal(db.problems[0].file, 'overlay-key.json');
  assert.match(db.problems[0].message, /not dotted/);
});

test('the real mappings/ folder loads without problems', () => {
  const db = MappingDatabase.loadDir(join(ROOT, 'mappings'));
  assert.deepEqual(db.problems, []);
  assert.ok(db.entries.size > 1000);
});

test('a missing mappings folder is one clear problem, not a crash', () => {
  const db = MappingDatabase.loadDir(join(ROOT, 'no-such-mappings-dir'));
  assert.equal(db.entries.size, 0);
  assert.equal(db.problems.length, 1);
  assert.match(db.problems[0].message, /cannot read the mappings folder/);
});

test('loadDatabase() run from source (tsx) finds the repository mappings/, not the TypeScript mappings folder', () => {
  // a child process: this process's loadDatabase() is already loaded
  const env = { ...process.env };
  delete env.MINDPORT_MAPPINGS_DIR;
  const script = "const { loadDatabase } = require('./server/src/mappings/location'); const db = loadDatabase(); console.log(db.entries.size);";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  assert.ok(Number(r.stdout.trim()) > 1000, `entries: ${r.stdout} ${r.stderr}`);
});
