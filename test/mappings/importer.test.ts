// The importer's reading of difference pages (scripts/mappings-import.mjs): torch signatures become `params`, which
// tell rewrites where positional arguments land; what the data then does to real calls.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain ES module script, without type declarations
import { signatureParams } from '../../scripts/mappings-import.mjs';
import { all, findings, fix, lines, settings, setup } from '../rules/helpers';

before(setup);

const PAGE = [
  '# Differences with torch.nn.Example',
  '',
  '## torch.nn.Example',
  '',
  '```text',
  'class torch.nn.Example(',
  '    in_channels,',
  '    kernel_size,  # a comment',
  "    mode='nearest',",
  '    pad=(0, 0),',
  '    *,',
  '    out=None',
  ')(input) -> Tensor',
  '```',
  '',
  '## mindspore.nn.Example',
  '',
  '```python',
  'mindspore.nn.Example(*args, **kwargs)',
  '```',
  '',
  '## Code Example',
  '',
  '```python',
  'net = torch.nn.Example(3, 4)',
  '```',
].join('\n');

test('the signature under the page\'s torch heading: order, defaults, keyword-only after *, star parameters', () => {
  assert.deepEqual(signatureParams(PAGE, 'torch.nn.Example'), [
    { name: 'in_channels' },
    { name: 'kernel_size' },
    { name: 'mode', default: "'nearest'" },
    { name: 'pad', default: '(0, 0)' },
    { name: 'out', default: 'None', kwOnly: true },
  ]);
  assert.deepEqual(signatureParams(PAGE, 'mindspore.nn.Example'), [{ name: '*args' }, { name: '**kwargs' }]);
});

test('no heading, a call instead of a signature, or a part that is no parameter: no params (never a guess)', () => {
  assert.equal(signatureParams(PAGE, 'torch.nn.Other'), undefined);
  const call = PAGE.replace("class torch.nn.Example(\n    in_channels,", 'torch.nn.Example(\n    3,');
  assert.equal(signatureParams(call, 'torch.nn.Example'), undefined);
  // the block must be under the heading, not in a later section
  assert.equal(signatureParams('## torch.nn.Example\n\ntext\n\n## Code\n\n```python\ntorch.nn.Example(a, b)\n```\n', 'torch.nn.Example'), undefined);
});

test("with torch's positions known, a positional argument a difference applies to is seen; the page's defaults and names are not used", () => {
  // Tensor.flip: MindSpore takes one tuple of dims, torch also one int or several: written as a tuple
  const flip = lines('import torch', 'y = torch.zeros(2, 3)', 'a = y.flip(1)', 'b = y.flip(0, 1)', 'c = y.flip((0, 1))');
  // MSP102 #0 is torch.zeros(2, 3)'s shape
  assert.match(fix(flip, 'MSP102', 1).text, /^a = y\.flip\(\(1,\)\)$/m);
  assert.match(fix(flip, 'MSP102', 2).text, /^b = y\.flip\(\(0, 1\)\)$/m);
  assert.equal(findings(flip, 'MSP102').filter((f) => /Tensor\.flip/.test(f.message)).length, 2, 'a tuple is passed as it is');
  // a page shows one overload: torch.median(input) has no dim, randint_like(x, 10) means high=10 (not the page's
  // first `low`), and the 2.4 pages' MindSpore names (x, x1) are stale: positions stay as written
  const src = lines('import torch', 'a = torch.median(x)', 'b = torch.randint_like(x, 10)', 'c = torch.all(x, 1)', 'd = torch.isclose(a, b)');
  const out = (v: string) => all(src, settings({ mindsporeVersion: v })).flatMap((f) => f.fixes.slice(0, 1).flatMap((x) => x.edits.map((e) => e.newText))).join('\n');
  for (const v of ['2.4', '2.6']) {
    const text = out(v);
    assert.doesNotMatch(text, /dim=-1|low=10|x=x|axis=1|x1=/, `${v}: ${text}`);
  }
});

test("nn.ModuleDict's modules go to CellDict(*args) by position, also when passed by keyword", () => {
  const src = lines('import torch.nn as nn', 'a = nn.ModuleDict({"x": nn.ReLU()})', 'b = nn.ModuleDict(modules={"x": nn.ReLU()})');
  assert.match(fix(src, 'MSP101', 0).text, /^a = ms\.nn\.CellDict\(\{"x": nn\.ReLU\(\)\}\)$/m);
  const b = findings(src, 'MSP102');
  assert.match(b[0].message, /`modules=` passed by position/);
  assert.match(fix(src, 'MSP102', 0).text, /^b = ms\.nn\.CellDict\(\{"x": nn\.ReLU\(\)\}\)$/m);
});
