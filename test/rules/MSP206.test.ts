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
