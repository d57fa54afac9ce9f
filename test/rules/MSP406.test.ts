import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('save/load/state_dict/load_state_dict with parameter-name advice', () => {
  const src = lines('import torch', 'import torch.nn as nn', 'model = nn.Linear(2, 2)', 'torch.save(model.state_dict(), "m.pth")', 'sd = torch.load("m.pth", map_location="cpu")', 'model.load_state_dict(sd, strict=False)');
  const f = findings(src, 'MSP406');
  assert.equal(f.length, 4);
  assert.match(f[0].message, /moving_mean/);
  // torch's extension becomes .ckpt: save_checkpoint would append it, load_checkpoint refuses another
  assert.match(fix(src, 'MSP406').text, /ms\.save_checkpoint\(model, "m\.ckpt"\)/);
  // by keyword (Prithvi-WxC's torch.save(obj=model.state_dict(), f=ckpt_path))
  const kw = src.replace('torch.save(model.state_dict(), "m.pth")', 'torch.save(obj=model.state_dict(), f=ckpt_path)');
  assert.match(fix(kw, 'MSP406').text, /^ms\.save_checkpoint\(model, ckpt_path\)$/m);
  // (an audit) the inner state_dict() of the keyword form has no fix of its own to clash with the save's
  assert.equal(findings(kw, 'MSP406').filter((x) => x.data?.torchApi === 'torch.nn.Module.state_dict' && x.fixes.length).length, 0);
  // a file object, or an optimizer's state: save_checkpoint takes neither
  const fh = lines('import torch', 'import torch.nn as nn', 'model = nn.Linear(2, 2)', 'with open("m.pth", "wb") as fh:', '    torch.save(model.state_dict(), fh)');
  assert.deepEqual(findings(fh, 'MSP406').find((x) => /torch\.save/.test(x.message))?.fixes, []);
  const opt = lines('import torch', 'import torch.nn as nn', 'model = nn.Linear(2, 2)', 'opt = torch.optim.SGD(model.parameters(), lr=0.1)', 'torch.save(opt.state_dict(), "o.pt")');
  assert.deepEqual(findings(opt, 'MSP406').find((x) => /torch\.save/.test(x.message))?.fixes, []);
  const i = f.findIndex((x) => x.message.includes('torch.load'));
  assert.match(fix(src, 'MSP406', i).text, /sd = ms\.load_checkpoint\("m\.ckpt"\)/);
  const j = f.findIndex((x) => x.message.includes('load_state_dict'));
  const r = fix(src, 'MSP406', j);
  assert.equal(r.applicability, 'unsafe');
  // strict=False: the keys are not checked, as load_param_into_net does not (its strict_load is another switch)
  assert.match(r.text, /^ms\.load_param_into_net\(model, sd\)$/m);
});

test("load_state_dict's default strictness is kept: missing or unexpected parameters raise, written out for a statement", () => {
  const src = lines('import torch.nn as nn', 'model = nn.Linear(2, 2)', 'if ok:', '    model.load_state_dict(sd)', 'r = model.load_state_dict(sd, strict=True)', 'model.load_state_dict(sd, strict=flag)', 'if ok: model.load_state_dict(sd)');
  const f = findings(src, 'MSP406');
  assert.equal(f.length, 4);
  const out = fix(src, 'MSP406', 0).text;
  assert.match(out, /\n    _missing, _unexpected = ms\.load_param_into_net\(model, sd\)\n    if _missing or _unexpected:.*\n        raise RuntimeError\(/);
  assert.equal(countSyntaxErrors(out), 0);
  // a value used (torch's result is (missing_keys, unexpected_keys), MindSpore's the same pair): renamed only
  assert.match(fix(src, 'MSP406', 1).text, /^r = ms\.load_param_into_net\(model, sd\)$/m);
  // strict given as a variable, or a statement sharing its line: no fix
  assert.deepEqual(f[2].fixes, []);
  assert.match(fix(src, 'MSP406', 3).text, /^if ok: ms\.load_param_into_net\(model, sd\)$/m);
});

test('from torch import save as S; a local save() is not flagged', () => {
  assert.equal(findings(lines('from torch import save as S', 'S(obj, "x")'), 'MSP406').length, 1);
  assert.equal(findings(lines('def save(a, b):', '    pass', 'save(1, 2)'), 'MSP406').length, 0);
});

test('torch.save of a dict of states (FourCastNet\'s checkpoint): no fix, and the message gives the flat MindSpore checkpoint for it', () => {
  const src = lines(
    'import torch',
    'import torch.nn as nn',
    'class Trainer:',
    '    def __init__(self):',
    '        self.model = nn.Linear(2, 2)',
    '        self.optimizer = torch.optim.Adam(self.model.parameters())',
    '    def save(self, checkpoint_path):',
    '        torch.save({"iters": self.iters, "epoch": self.epoch, "model_state": self.model.state_dict(),',
    '                    "optimizer_state_dict": self.optimizer.state_dict(), "sched": self.sched.state_dict()}, checkpoint_path)',
  );
  const save = findings(src, 'MSP406').find((f) => /^`torch\.save`/.test(f.message))!;
  assert.deepEqual(save.fixes, []);
  assert.match(save.message, /save `ms\.save_checkpoint\(\{\*\*self\.model\.parameters_dict\(\), \*\*self\.optimizer\.parameters_dict\(\)\}, checkpoint_path, append_dict=\{"iters": self\.iters, "epoch": self\.epoch\}\)`/);
  assert.match(save.message, /`ckpt = ms\.load_checkpoint\(checkpoint_path\)`.*`int\(ckpt\["iters"\]\)`/);
  // the scheduler's state is not a parameter: kept apart
  assert.match(save.message, /`"sched"` has no place in it/);
  // a dict built just before, one module's state only
  const named = lines('import torch', 'import torch.nn as nn', 'model = nn.Linear(2, 2)', 'states = {"model": model.state_dict(), "step": step}', 'torch.save(states, out)');
  assert.match(findings(named, 'MSP406').find((f) => /^`torch\.save`/.test(f.message))!.message, /save `ms\.save_checkpoint\(model\.parameters_dict\(\), out, append_dict=\{"step": step\}\)`/);
});
