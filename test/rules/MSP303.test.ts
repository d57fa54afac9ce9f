import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('autocast block is unwrapped and the model cast to O2 (unsafe)', () => {
  const src = lines('import torch', 'import torch.nn as nn', 'model = nn.Linear(2, 2)', 'for x in data:', '    with torch.autocast("cuda", dtype=torch.float16):', '        y = model(x)', '        z = y * 2', '    print(z)');
  const f = findings(src, 'MSP303');
  assert.equal(f.length, 1);
  const r = fix(src, 'MSP303');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /model = nn\.Linear\(2, 2\)\nmodel = ms\.amp\.auto_mixed_precision\(model, "O2"\)\n/);
  assert.match(r.text, /for x in data:\n    y = model\(x\)\n    z = y \* 2\n    print\(z\)/);
});

test('GradScaler and its methods; from-import alias', () => {
  const src = lines('from torch.cuda.amp import GradScaler as GS, autocast', 'scaler = GS()', 'scaler.scale(loss).backward()', 'scaler.step(opt)', 'with autocast():', '    pass');
  const f = findings(src, 'MSP303');
  assert.equal(f.length, 4);
  // scaler.step(opt) has no DynamicLossScaler counterpart: renaming the constructor alone would leave it calling
  // a method that does not exist, no longer flagged (the scaler is no longer torch's)
  assert.deepEqual(f[0].fixes, []);
  const scaleOnly = lines('from torch.cuda.amp import GradScaler as GS', 'scaler = GS()', 'loss = scaler.scale(loss)');
  assert.match(fix(scaleOnly, 'MSP303').text, /scaler = ms\.amp\.DynamicLossScaler\(scale_value=2\*\*16, scale_factor=2, scale_window=2000\)/);
  // a scheduler's step() or another object's update() is not the scaler's
  const withScheduler = lines('from torch.cuda.amp import GradScaler', 'self.gscaler = GradScaler()', 'loss = self.gscaler.scale(loss)', 'sched.step()', 'ema.update()', 'myscaler.step(opt)');
  assert.match(fix(withScheduler, 'MSP303').text, /self\.gscaler = ms\.amp\.DynamicLossScaler\(/);
  assert.deepEqual(findings(withScheduler + 'self.gscaler.update()\n', 'MSP303')[0].fixes, []);
  // handed on, copied, read through another object, or asked what only GradScaler has: still torch's (an audit)
  for (const extra of ['train_one_epoch(model, self.gscaler)', 's = self.gscaler', 'trainer.gscaler.step(opt)', 'print(self.gscaler.get_scale())', 'state = self.gscaler.state_dict()', 'getattr(self.gscaler, "unscale_")(opt)', 'self.gscaler.step (opt)']) {
    assert.deepEqual(findings(withScheduler + extra + '\n', 'MSP303')[0].fixes, [], extra);
  }
});

test('a local autocast is not flagged', () => {
  assert.equal(findings(lines('from contextlib import nullcontext as autocast', 'with autocast():', '    pass'), 'MSP303').length, 0);
});

test("GradScaler's arguments carry over to DynamicLossScaler's when they mean the same; enabled= or a backoff that is not the growth's inverse gets no fix", () => {
  const made = (call: string) => findings(lines('import torch', `scaler = ${call}`, 'loss = scaler.scale(loss)'), 'MSP303')[0];
  assert.match(fix(lines('import torch', 'scaler = torch.amp.GradScaler("cuda", init_scale=1024, growth_interval=500)', 'loss = scaler.scale(loss)'), 'MSP303').text, /scaler = ms\.amp\.DynamicLossScaler\(scale_value=1024, scale_factor=2, scale_window=500\)/);
  assert.match(fix(lines('import torch', 'scaler = torch.cuda.amp.GradScaler(2.**10, 4.0, 0.25)', 'loss = scaler.scale(loss)'), 'MSP303').text, /DynamicLossScaler\(scale_value=2\.\*\*10, scale_factor=4, scale_window=2000\)/);
  for (const call of ['torch.cuda.amp.GradScaler(enabled=use_amp)', 'torch.cuda.amp.GradScaler(growth_factor=3.0)', 'torch.cuda.amp.GradScaler("cuda")']) assert.deepEqual(made(call).fixes, [], call);
});

test('(an audit) a growth factor of 1 or less (torch refuses it) gets no DynamicLossScaler', () => {
  for (const call of ['torch.cuda.amp.GradScaler(growth_factor=0.5, backoff_factor=2.0)', 'torch.cuda.amp.GradScaler(growth_factor=1, backoff_factor=1)']) {
    assert.deepEqual(findings(lines('import torch', `scaler = ${call}`, 'loss = scaler.scale(loss)'), 'MSP303')[0].fixes, [], call);
  }
});
