import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('save/load/state_dict/load_state_dict with parameter-name advice', () => {
  const src = lines('import torch', 'import torch.nn as nn', 'model = nn.Linear(2, 2)', 'torch.save(model.state_dict(), "m.pth")', 'sd = torch.load("m.pth", map_location="cpu")', 'model.load_state_dict(sd, strict=False)');
  const f = findings(src, 'MSP406');
  assert.equal(f.length, 4);
  assert.match(f[0].message, /moving_mean/);
  assert.match(fix(src, 'MSP406').text, /ms\.save_checkpoint\(model, "m\.pth"\)/);
  const i = f.findIndex((x) => x.message.includes('torch.load'));
  assert.match(fix(src, 'MSP406', i).text, /sd = ms\.load_checkpoint\("m\.pth"\)/);
  const j = f.findIndex((x) => x.message.includes('load_state_dict'));
  const r = fix(src, 'MSP406', j);
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /ms\.load_param_into_net\(model, sd, strict_load=False\)/);
});

test('from torch import save as S; a local save() is not flagged', () => {
  assert.equal(findings(lines('from torch import save as S', 'S(obj, "x")'), 'MSP406').length, 1);
  assert.equal(findings(lines('def save(a, b):', '    pass', 'save(1, 2)'), 'MSP406').length, 0);
});
