import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { applyFixes } from '../../server/src/engine/edits';
import { fixAll } from '../../server/src/engine/fixAll';
import { database, findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

test('.cuda() and .to(device) are removed (safe), .to(dtype) is left alone', () => {
  const src = lines('import torch', 'def f(x, device):', '    y = x.cuda()', '    z = x.to(device)', '    w = x.to(torch.float16)', '    return y, z, w');
  const f = findings(src, 'MSP205');
  assert.equal(f.length, 2);
  const r = fix(src, 'MSP205');
  assert.equal(r.applicability, 'safe');
  assert.match(r.text, /y = x\n/);
  assert.match(fix(src, 'MSP205', 1).text, /z = x\n/);
});

test('statement-level model.to(device) and cudnn flags are deleted', () => {
  const src = lines('import torch.nn as nn', 'import torch', 'model = nn.Linear(2, 2)', 'model.to(device)', 'torch.backends.cudnn.benchmark = True', 'print(1)');
  const f = findings(src, 'MSP205');
  assert.equal(f.length, 2);
  assert.equal(fix(src, 'MSP205').text, lines('import torch.nn as nn', 'import torch', 'model = nn.Linear(2, 2)', 'torch.backends.cudnn.benchmark = True', 'print(1)'));
  assert.equal(fix(src, 'MSP205', 1).text, lines('import torch.nn as nn', 'import torch', 'model = nn.Linear(2, 2)', 'model.to(device)', 'print(1)'));
});

test('only statement in a block becomes pass', () => {
  const src = lines('import torch', 'if ok:', '    torch.cuda.synchronize()');
  assert.equal(fix(src, 'MSP205').text, lines('import torch', 'if ok:', '    pass'));
});

test('torch.device assignment becomes a global set_context (unsafe)', () => {
  const src = lines('import torch', 'device = torch.device("cuda" if torch.cuda.is_available() else "cpu")');
  const r = fix(src, 'MSP205');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /device = "Ascend"\nms\.set_context\(device_target=device\)/);
  assert.match(fix(src, 'MSP205', 0, settings({ device: 'GPU' })).text, /device = "GPU"/);
});

test('from-imports and a local cuda module', () => {
  assert.equal(findings(lines('from torch import cuda', 'cuda.synchronize()'), 'MSP205').length, 1);
  assert.equal(findings(lines('import mylib as cuda', 'cuda.synchronize()'), 'MSP205').length, 0);
});

test('.to(device, dtype): the move goes, the cast stays (safe on a tensor, unsafe on a module or an unknown receiver)', () => {
  const src = lines(
    'import torch',
    'import torch.nn as nn',
    'def f(x: torch.Tensor, device, batch, net: nn.Linear):',
    '    a = x.to(device, dtype=torch.float)',
    '    b = x.to(device, torch.float16, non_blocking=True)',
    '    c = x.to(device=device, dtype=torch.float16)',
    '    d = batch.to(device, dtype=torch.float)',
    '    net.to(device, torch.bfloat16)',
    '    e = x.to(device, torch.float, dtype=torch.half)',
    '    return a, b, c, d, e',
  );
  const f = findings(src, 'MSP205');
  assert.deepEqual(f.map((x) => x.message.split(' moves')[0]), [
    '`.to(device, dtype=torch.float)`',
    '`.to(device, torch.float16)`',
    '`.to(device, dtype=torch.float16)`',
    '`.to(device, dtype=torch.float)`',
    '`.to(device, torch.bfloat16)`',
  ]);
  const texts = f.map((_, i) => fix(src, 'MSP205', i));
  assert.match(texts[0].text, /a = x\.to\(dtype=torch\.float\)\n/);
  assert.equal(texts[0].applicability, 'safe');
  assert.match(texts[1].text, /b = x\.to\(torch\.float16\)\n/);
  assert.match(texts[2].text, /c = x\.to\(dtype=torch\.float16\)\n/);
  assert.equal(texts[3].applicability, 'unsafe', 'batch: not known to be a tensor');
  assert.match(texts[4].text, /net\.to\(torch\.bfloat16\)\n/);
  assert.equal(texts[4].applicability, 'unsafe', 'a module');
});

test('torch.cuda.get_rng_state / set_rng_state: the process generator state, an unsafe rename', () => {
  const src = lines('import torch', 's = torch.cuda.get_rng_state()', 'torch.cuda.set_rng_state(s)');
  const f = findings(src, 'MSP205');
  assert.equal(f.length, 2);
  assert.match(f[0].message, /ms\.get_rng_state\(\) is the process's one generator state/);
  const r = fix(src, 'MSP205');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /s = ms\.get_rng_state\(\)/);
});

test('CUDA probes ask the configured target (unsafe): device_context from 2.5, hal before, get_context for the device id', () => {
  const src = lines('import torch', 'if torch.cuda.is_available():', '    n = torch.cuda.device_count()', '    i = torch.cuda.current_device()');
  const f = findings(src, 'MSP205');
  assert.equal(f.length, 3);
  const r = fix(src, 'MSP205');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /^if ms\.device_context\.ascend\.is_available\(\):$/m);
  assert.match(fix(src, 'MSP205', 1).text, /n = ms\.device_context\.ascend\.device_count\(\)/);
  assert.match(fix(src, 'MSP205', 2).text, /i = ms\.get_context\("device_id"\)/);
  assert.match(fix(src, 'MSP205', 0, settings({ mindsporeVersion: '2.4' })).text, /if ms\.hal\.is_available\("Ascend"\):/);
  assert.match(fix(src, 'MSP205', 1, settings({ mindsporeVersion: '2.3' })).text, /n = ms\.hal\.device_count\("Ascend"\)/);
  assert.match(fix(src, 'MSP205', 0, settings({ device: 'GPU' })).text, /if ms\.device_context\.gpu\.is_available\(\):/);
});

test('a CUDA probe inside torch.device(...) is left to the device assignment, and one with arguments gets no fix', () => {
  const src = lines('import torch', 'device = torch.device("cuda" if torch.cuda.is_available() else "cpu")', 'torch.cuda.device_count(x)');
  const f = findings(src, 'MSP205');
  assert.deepEqual(f.map((x) => x.fixes.length), [1, 0, 0]);
});

test('torch.cuda.set_device(n) passes the device type first in MindSpore 2.6 (a rename would pass the index there), set_context(device_id=n) before', () => {
  const src = lines('import torch', 'torch.cuda.set_device(local_rank)');
  const r = fix(src, 'MSP205');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /^ms\.set_device\("Ascend", local_rank\)$/m);
  assert.match(fix(src, 'MSP205', 0, settings({ mindsporeVersion: '2.4' })).text, /^ms\.set_context\(device_id=local_rank\)$/m);
  assert.match(fix(src, 'MSP205', 0, settings({ device: 'GPU' })).text, /^ms\.set_device\("GPU", local_rank\)$/m);
});

test('.to(memory_format=...) goes, as a move does: dropping the argument alone would leave .to(), which MindSpore refuses', () => {
  const src = lines('import torch', 'def f(x: torch.Tensor):', '    y = x.to(memory_format=torch.channels_last)', '    return y');
  const f = findings(src, 'MSP205');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /memory layout/);
  assert.match(fix(src, 'MSP205').text, /    y = x\n/);
});

test('cudnn.deterministic = True asks MindSpore for deterministic kernels (set_deterministic from 2.5, set_context before)', () => {
  const src = lines('import torch', 'torch.backends.cudnn.deterministic = True');
  const r = fix(src, 'MSP205');
  assert.equal(r.applicability, 'safe');
  assert.match(r.text, /^ms\.set_deterministic\(True\)$/m);
  assert.match(fix(src, 'MSP205', 0, settings({ mindsporeVersion: '2.4' })).text, /^ms\.set_context\(deterministic="ON"\)$/m);
  assert.match(findings(src, 'MSP205')[0].message, /not deterministic by default either/);
});

test('torch.device in a type hint is a hint: MindSpore names devices by strings', () => {
  const src = lines('import torch', 'def get_device() -> torch.device:', '    return None', 'def to(self, device: str | torch.device):', '    pass');
  const f = findings(src, 'MSP205');
  assert.deepEqual(f.map((x) => x.severity), ['hint', 'hint']);
  assert.match(f[0].message, /`torch\.device` in a type hint: MindSpore has no device objects/);
});

test('x = x.cuda() / x = x.to(device): the statement goes (x = x would be left), pass where it was all the block held', () => {
  const src = lines('import torch', 'if ok:', '    net = net.cuda()', 'x = x.to("cuda")', 'y = x.cuda()', 'self.w = self.w.cuda()');
  const f = findings(src, 'MSP205');
  assert.equal(f.length, 4);
  assert.match(fix(src, 'MSP205', 0).text, /^if ok:\n    pass\n/m);
  assert.doesNotMatch(fix(src, 'MSP205', 1).text, /^x = /m);
  assert.match(fix(src, 'MSP205', 2).text, /^y = x$/m);
  assert.doesNotMatch(fix(src, 'MSP205', 3).text, /self\.w = /);
  assert.ok(f.every((x) => x.fixes[0]?.applicability === 'safe'));
});

test('torch.device(...) inside another value is not the device assignment (no x = "Ascend"); class bodies and subscripts keep x = x', () => {
  const src = lines(
    'import torch',
    'ckpt = torch.hub.load_state_dict_from_url(url, map_location=torch.device("cpu"))',
    'x = x.to(torch.device("cuda"))',
    'class Cfg:',
    '    w0 = w0.cuda()',
    'xs[next(it)] = xs[next(it)].cuda()',
  );
  for (const f of findings(src, 'MSP205')) for (const fx of f.fixes) for (const e of fx.edits) assert.doesNotMatch(e.newText, /"Ascend"/, f.message);
  const out = fixAll(src, settings(), database(), { unsafe: true }).text;
  assert.match(out, /^    w0 = w0$/m);
  assert.match(out, /^xs\[next\(it\)\] = xs\[next\(it\)\]$/m);
  assert.doesNotMatch(out, /ckpt = "/);
});

test('x, y = x.to(device), y.to(device): every item moves its own name, so the statement goes (the same edit from each finding)', () => {
  const src = lines('import torch', 'def f(loader, device, model):', '    for x, y in loader:', '        x, y = x.to(device), y.cuda(non_blocking=True)', '        a, b = x.to(torch.float16), y.cuda()', '        out = model(x)');
  const f = findings(src, 'MSP205').filter((x) => x.range.start.line === 3);
  assert.equal(f.length, 2);
  for (const x of f) assert.equal(applyFixes(src, [x.fixes[0]]).text, src.replace('        x, y = x.to(device), y.cuda(non_blocking=True)\n', ''));
  // a cast among the items: only the move goes
  const other = findings(src, 'MSP205').find((x) => x.range.start.line === 4)!;
  assert.match(applyFixes(src, [other.fixes[0]]).text, /^        a, b = x\.to\(torch\.float16\), y$/m);
});

test('(an audit) attribute targets, .cuda(rank) and .to(device=...) in a tuple of moves: the statement goes too', () => {
  const src = lines('import torch', 'class T:', '    def f(self, device, rank):', '        self.a, self.b = self.a.to(device=device), self.b.cuda(rank)', '        return self.a');
  const f = findings(src, 'MSP205').filter((x) => x.range.start.line === 3);
  assert.ok(f.length >= 1);
  assert.doesNotMatch(applyFixes(src, [f[0].fixes[0]]).text, /self\.a, self\.b =/);
});
