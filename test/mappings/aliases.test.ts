// torch.* functions that are torch.nn.functional.* under another name (mappings/overlay-aliases.json): reported
// and fixed as their functional twin in every import style; those whose signatures differ stay apart.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { explainMarkdown } from '../../server/src/engine/explain';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { findings, fix, lines, settings, setup } from '../rules/helpers';

let db: MappingDatabase;
before(async () => {
  db = await setup();
});

test('torch.relu in every import style is reported and fixed as torch.nn.functional.relu', () => {
  const cases: Array<[string, string]> = [
    [lines('import torch', 'y = torch.relu(x)'), 'y = mint.nn.functional.relu(x)'],
    [lines('import torch as th', 'y = th.relu(x)'), 'y = mint.nn.functional.relu(x)'],
    [lines('from torch import relu', 'y = relu(x)'), 'y = mint.nn.functional.relu(x)'],
    [lines('from torch import relu as act', 'y = act(input=x)'), 'y = mint.nn.functional.relu(input=x)'],
    [lines('import torch', 'f = torch.relu', 'y = f(x)'), 'f = mint.nn.functional.relu'],
  ];
  for (const [src, want] of cases) {
    const [f] = findings(src, 'MSP101');
    assert.ok(f, `no MSP101 in:\n${src}`);
    assert.match(f.message, /`mindspore\.mint\.nn\.functional\.relu`/);
    const out = fix(src, 'MSP101');
    assert.equal(out.applicability, 'safe');
    assert.ok(out.text.includes(want), `${out.text} has no ${want}`);
    assert.match(out.text, /^from mindspore import mint$/m);
    assert.equal(findings(src, 'MSP103').length, 0, 'not "unknown API" any more');
  }
});

test('convolutions, pooling and pixel shuffles called from torch keep their arguments', () => {
  const src = lines('import torch', 'z = torch.conv2d(y, w, None, 1, 1)', 'p = torch.max_pool2d(z, 2)', 'q = torch.pixel_shuffle(p, upscale_factor=2)');
  assert.deepEqual(
    findings(src, 'MSP101').map((f) => /→ `([\w.]+)`/.exec(f.message)?.[1]),
    ['mindspore.mint.nn.functional.conv2d', 'mindspore.mint.nn.functional.max_pool2d', 'mindspore.ops.pixel_shuffle'],
  );
  assert.ok(fix(src, 'MSP101', 0).text.includes('z = mint.nn.functional.conv2d(y, w, None, 1, 1)'));
  assert.ok(fix(src, 'MSP101', 2).text.includes('q = ops.pixel_shuffle(p, upscale_factor=2)'));
});

test('torch functions whose parameters differ from the functional ones are not aliased to them', () => {
  // torch.softmax(x, 1, torch.float32): the third is dtype, F.softmax's third is _stacklevel (own entries);
  // torch.embedding takes the weight first; torch.dropout calls its flag train
  for (const name of ['softmax', 'log_softmax', 'dropout', 'embedding', 'layer_norm', 'batch_norm', 'group_norm', 'instance_norm', 'rrelu']) {
    assert.notEqual(db.get(`torch.${name}`)?.torch, `torch.nn.functional.${name}`, `torch.${name}`);
  }
  for (const name of ['relu', 'conv2d', 'avg_pool1d', 'cosine_similarity', 'bilinear']) {
    assert.equal(db.get(`torch.${name}`)?.torch, `torch.nn.functional.${name}`, `torch.${name}`);
  }
});

test('torch.softmax and torch.log_softmax have entries of their own: a third positional dtype is passed by keyword', () => {
  const src = lines('import torch', 'a = torch.softmax(x, -1)', 'b = torch.softmax(x, 1, torch.float32)', 'c = torch.log_softmax(x, dim=1)');
  const mint = [0, 1, 2].map((i) => fix(src, 'MSP101', i));
  assert.ok(mint.every((f) => f.applicability === 'safe'));
  assert.ok(mint[0].text.includes('a = mint.nn.functional.softmax(x, -1)'));
  assert.ok(mint[1].text.includes('b = mint.nn.functional.softmax(x, 1, dtype=torch.float32)'));
  assert.ok(mint[2].text.includes('c = mint.nn.functional.log_softmax(x, dim=1)'));
  // the classic twins rename dim (and log_softmax's input), and ops.log_softmax takes no dtype
  const classic = settings({ targetApi: 'classic' });
  assert.ok(fix(src, 'MSP102', 1, classic).text.includes('b = ops.softmax(x, axis=1, dtype=torch.float32)'));
  assert.ok(fix(src, 'MSP102', 2, classic).text.includes('c = ops.log_softmax(logits=x, axis=1)'));
  assert.equal(findings(lines('import torch', 'c = torch.log_softmax(x, 1, torch.float64)'), 'MSP104', classic).length, 1, 'dtype not supported there');
});

test('explaining an alias names what was asked and what it is the same as (hover, Explain API, mindport explain)', () => {
  const md = explainMarkdown(db, db.get('torch.relu')!, undefined, 'torch.relu');
  assert.match(md.split('\n')[0], /^### `torch\.relu` \(the same as `torch\.nn\.functional\.relu`\)$/);
  assert.match(explainMarkdown(db, db.get('torch.abs')!, undefined, 'torch.abs').split('\n')[0], /^### `torch\.abs`$/);
});
