import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('torch.compile call and decorators', () => {
  const src = lines('import torch', 'net = torch.compile(model, mode="max-autotune")', '@torch.jit.script', 'def f(x):', '    return x');
  const f = findings(src, 'MSP206');
  assert.equal(f.length, 2);
  assert.match(fix(src, 'MSP206').text, /^net = model$/m);
  const r = fix(src, 'MSP206', 1);
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /@ms\.jit\ndef f/);
  assert.match(r.text, /import mindspore as ms/);
});

test('from torch import jit; a user compile() is not flagged', () => {
  assert.equal(findings(lines('from torch import jit', 'm = jit.trace(model, example)'), 'MSP206').length, 1);
  assert.equal(findings(lines('def compile(m):', '    return m', 'net = compile(model)'), 'MSP206').length, 0);
});

test('@torch.jit.ignore / unused / export and @torch.compiler.disable(): the decorator line goes (safe)', () => {
  const src = lines(
    'import torch',
    'import torch.nn as nn',
    'class M(nn.Module):',
    '    @torch.jit.ignore',
    '    def no_weight_decay(self):',
    '        return {"pos"}',
    '    @torch.compiler.disable()',
    '    def f(self, x):',
    '        return x',
  );
  const f = findings(src, 'MSP206');
  assert.deepEqual(f.map((x) => x.fixes[0]?.applicability), ['safe', 'safe']);
  const out = fix(src, 'MSP206', 0).text;
  assert.match(out, /^class M\(nn\.Module\):\n    def no_weight_decay\(self\):$/m);
  assert.match(fix(src, 'MSP206', 1).text, /^        return \{"pos"\}\n    def f\(self, x\):$/m);
});

test('(an audit) a comment after the removed decorator stays on its line; a decorator with a comment inside gets no fix', () => {
  const src = lines('import torch', 'class M:', '    @torch.jit.ignore  # keep out of the weight decay', '    def no_weight_decay(self):', '        return {"pos"}');
  assert.match(fix(src, 'MSP206').text, /^    # keep out of the weight decay\n    def no_weight_decay\(self\):$/m);
});
