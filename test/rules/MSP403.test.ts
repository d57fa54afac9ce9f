import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('with torch.no_grad(): is unwrapped (unsafe), decorator removed', () => {
  const src = lines('import torch', 'def evaluate(m, x):', '    with torch.no_grad():', '        y = m(x)', '        return y');
  const r = fix(src, 'MSP403');
  assert.equal(r.applicability, 'unsafe');
  assert.equal(r.text, lines('import torch', 'def evaluate(m, x):', '    y = m(x)', '    return y'));
  const d = lines('from torch import inference_mode', '@inference_mode()', 'def f(x):', '    return x');
  assert.equal(fix(d, 'MSP403').text, lines('from torch import inference_mode', 'def f(x):', '    return x'));
});

test('requires_grad_(False) becomes an attribute assignment', () => {
  const src = lines('import torch', 'p = torch.zeros(2)', 'p.requires_grad_(False)');
  assert.match(fix(src, 'MSP403').text, /^p\.requires_grad = False$/m);
});

test('severity info, and a local no_grad is not flagged', () => {
  assert.equal(findings(lines('import torch', 'with torch.no_grad():', '    pass'), 'MSP403')[0].severity, 'info');
  assert.equal(findings(lines('from contextlib import nullcontext as no_grad', 'with no_grad():', '    pass'), 'MSP403').length, 0);
});

test('torch.no_grad() among other context managers: only that item goes', () => {
  const src = lines('import torch', 'def v(self):', '    with torch.no_grad(), self._validation_context():', '        pass', '    with self.a(), torch.no_grad(), GlobalTimer():', '        pass');
  const f = findings(src, 'MSP403');
  assert.equal(f.length, 2);
  assert.match(fix(src, 'MSP403', 0).text, /^    with self\._validation_context\(\):$/m);
  assert.match(fix(src, 'MSP403', 1).text, /^    with self\.a\(\), GlobalTimer\(\):$/m);
});

test('(an audit) comments among the with items: no fix rather than a comment moved to another item', () => {
  const src = lines('import torch', 'with (', '    ctx(),  # keep', '    torch.no_grad(),  # drop', '):', '    pass');
  assert.deepEqual(findings(src, 'MSP403')[0].fixes, []);
});
