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
  const mint = [0, 1, 3].map((i) => fix(src, 'MSP101', i)); // the 3rd (2) renames torch.float32
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

test('torch.dropout, the norms and torch.embedding have entries of their own, in several call styles', () => {
  const cases: Array<[string, string, 'safe' | 'unsafe']> = [
    // dropout's flag is train in torch, training in MindSpore: renamed by keyword, passed by keyword by position
    [lines('import torch', 'y = torch.dropout(x, 0.1, True)'), 'y = mint.nn.functional.dropout(x, 0.1, training=True)', 'safe'],
    [lines('import torch', 'y = torch.dropout(x, train=self.training, p=0.2)'), 'y = mint.nn.functional.dropout(x, training=self.training, p=0.2)', 'safe'],
    [lines('from torch import dropout as drop', 'y = drop(x, p, t)'), 'y = mint.nn.functional.dropout(x, p, training=t)', 'safe'],
    // the cudnn switch is dropped: safe when it is the default True, unsafe otherwise
    [lines('import torch', 'y = torch.layer_norm(x, (64,), w, b, 1e-5, True)'), 'y = mint.nn.functional.layer_norm(x, (64,), w, b, 1e-5)', 'safe'],
    [lines('import torch as th', 'y = th.layer_norm(x, [64], cudnn_enable=False)'), 'y = mint.nn.functional.layer_norm(x, [64])', 'unsafe'],
    [lines('import torch', 'y = torch.group_norm(x, 8, w, b, 1e-5, True)'), 'y = mint.nn.functional.group_norm(x, 8, w, b, 1e-5)', 'safe'],
    // batch_norm: weight and bias come first in torch, after the running statistics in MindSpore
    [
      lines('import torch', 'y = torch.batch_norm(x, w, b, rm, rv, False, 0.1, 1e-5, True)'),
      'y = mint.nn.functional.batch_norm(x, weight=w, bias=b, running_mean=rm, running_var=rv, training=False, momentum=0.1, eps=1e-5)',
      'safe',
    ],
    // embedding: the weight first in torch; padding_idx -1 means "none" there and "the last row" in MindSpore
    [lines('import torch', 'e = torch.embedding(w, idx)'), 'e = mint.nn.functional.embedding(weight=w, input=idx)', 'safe'],
    [lines('import torch', 'e = torch.embedding(w, idx, padding_idx=-1)'), 'e = mint.nn.functional.embedding(weight=w, input=idx, padding_idx=-1)', 'unsafe'],
  ];
  for (const [src, want, applicability] of cases) {
    const [f] = [...findings(src, 'MSP101'), ...findings(src, 'MSP102')];
    assert.ok(f, `no finding in:\n${src}`);
    const out = fix(src, f.code);
    assert.ok(out.text.includes(want), `${out.text}\nhas no\n${want}`);
    assert.equal(out.applicability, applicability, src);
    assert.equal(findings(src, 'MSP103').length, 0, 'not "unknown API" any more');
  }
  // the functional group_norm was missing from the official tables
  const gn = lines('import torch.nn.functional as F', 'y = F.group_norm(x, 8, weight=w)');
  assert.ok(fix(gn, 'MSP101').text.includes('y = mint.nn.functional.group_norm(x, 8, weight=w)'));
  assert.ok(fix(gn, 'MSP101', 0, settings({ targetApi: 'classic' })).text.includes('y = ops.group_norm(x, 8, weight=w)'));
  // torch.instance_norm has no twin: reported with advice, no fix
  const [inorm] = findings(lines('import torch', 'y = torch.instance_norm(x, w, b, rm, rv, True, 0.1, 1e-5, True)'), 'MSP103');
  assert.match(inorm.message, /no MindSpore equivalent.*InstanceNorm/);
});
