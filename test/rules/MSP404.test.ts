import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { countSyntaxErrors, fixAll } from '../../server/src/engine/fixAll';
import { database, findings, fix, lines, settings, setup, all, findPython } from './helpers';

before(setup);

const SRC = lines(
  'import torch',
  'def train(model, loader, optimizer, criterion):',
  '    for x, y in loader:',
  '        optimizer.zero_grad()',
  '        # forward',
  '        out = model(x)',
  '        loss = criterion(out, y)',
  '        loss.backward()',
  '        optimizer.step()',
  '        print(loss.item(), out.shape)',
);

test('a recognisable loop becomes a value_and_grad step (unsafe)', () => {
  const f = findings(SRC, 'MSP404');
  assert.equal(f.length, 1);
  const r = fix(SRC, 'MSP404');
  assert.equal(r.applicability, 'unsafe');
  assert.equal(
    r.text,
    lines(
      'import torch',
      'import mindspore as ms',
      'def train(model, loader, optimizer, criterion):',
      '    def forward_fn(x, y):',
      '        # forward',
      '        out = model(x)',
      '        loss = criterion(out, y)',
      '        return loss, out',
      '    grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)',
      '    for x, y in loader:',
      '        (loss, out), grads = grad_fn(x, y)',
      '        optimizer(grads)',
      '        print(loss.item(), out.shape)',
    ),
  );
});

test('zero_grad after step, while loop; unrecognisable loops get advice only', () => {
  const b = lines('while True:', '    loss = net(x).sum()', '    loss.backward()', '    opt.step()', '    opt.zero_grad()');
  assert.match(fix(b, 'MSP404').text, /def forward_fn\(\):\n    loss = net\(x\)\.sum\(\)\n    return loss\ngrad_fn = /);
  const c = lines('import torch', 'opt = torch.optim.SGD(ps, lr=0.1)', 'for x in d:', '    loss = f(x)', '    loss.backward()', '    clip(ps)', '    opt.step()');
  const f = findings(c, 'MSP404');
  assert.ok(f.length >= 1);
  assert.ok(f.every((x) => x.fixes.length === 0));
});

test('a user step() without backward is not flagged', () => {
  assert.equal(findings(lines('for e in range(3):', '    sched.step()'), 'MSP404').length, 0);
});

test('state the loop keeps across iterations, assigned in the forward part, stays the outer name (nonlocal; global at module level)', () => {
  const body = [
    '    optimizer.zero_grad()',
    '    out, v = model(data)',
    '    loss = (out - data).pow(2).mean()',
    '    if loss.item() < best_loss:',
    '        best_loss = loss.item()',
    '        final_v = v',
    '    loss.backward()',
    '    optimizer.step()',
  ];
  const inFunction = lines('import torch', 'def fit(model, optimizer, data, best_loss=1e9):', '    final_v = None', '    for epoch in range(10):', ...body.map((l) => `    ${l}`), '    return final_v, best_loss');
  const out = fix(inFunction, 'MSP404').text;
  assert.match(out, /^    def forward_fn\(\):\n        nonlocal best_loss, final_v\n/m);
  assert.equal(countSyntaxErrors(out), 0);
  const atModule = lines('import torch', 'best_loss = 1e9', 'final_v = None', 'for epoch in range(10):', ...body);
  const out2 = fix(atModule, 'MSP404').text;
  assert.match(out2, /^def forward_fn\(\):\n    global best_loss, final_v\n/m);
  assert.equal(countSyntaxErrors(out2), 0);
});

/** A function training with a GradScaler made in it, the loop's body ending with the scaler's update. */
const SCALED_LOOP = [
  'import torch',
  'def train(model, loader, optimizer, criterion):',
  '    scaler = torch.cuda.amp.GradScaler()',
  '    for x, y in loader:',
  '        optimizer.zero_grad()',
  '        loss = criterion(model(x), y)',
  '        scaler.scale(loss).backward()',
  '        scaler.step(optimizer)',
  '        scaler.update()',
];

test('a GradScaler loop: forward_fn returns the scaled loss; the step unscales, steps on finite gradients and adjusts the scale', () => {
  const src = lines(
    ...SCALED_LOOP,
    '        print(loss.item())',
  );
  const [f] = findings(src, 'MSP404');
  assert.match(f.message, /scaler\.scale\(loss\)\.backward\(\)/);
  assert.match(f.message, /DynamicLossScaler/);
  const r = fix(src, 'MSP404');
  assert.equal(r.applicability, 'unsafe');
  assert.match(
    r.text,
    new RegExp(
      [
        '    def forward_fn\\(x, y\\):',
        '        loss = criterion\\(model\\(x\\), y\\)',
        '        return scaler\\.scale\\(loss\\)',
        '    grad_fn = ms\\.value_and_grad\\(forward_fn, None, optimizer\\.parameters\\)',
        '    for x, y in loader:',
        '        loss, grads = grad_fn\\(x, y\\)',
        '        loss = scaler\\.unscale\\(loss\\)',
        '        grads = scaler\\.unscale\\(grads\\)',
        '        finite = ms\\.amp\\.all_finite\\(grads\\)',
        '        if finite:',
        '            optimizer\\(grads\\)',
        '        scaler\\.adjust\\(finite\\)',
        '        print\\(loss\\.item\\(\\)\\)',
      ].join('\n'),
    ),
  );
  // then the scaler's constructor, no longer used for step/update, is MSP303's to rename
  const ctor = findings(r.text, 'MSP303').find((x) => /GradScaler/.test(x.message) && x.fixes.length);
  assert.ok(ctor, 'GradScaler() gets its DynamicLossScaler fix');
});

test('a scaler step with unscale_ and clipping in between, or a scale() of something not a GradScaler, is not rewritten', () => {
  const clipped = lines(
    'import torch',
    'scaler = torch.cuda.amp.GradScaler()',
    'for x in data:',
    '    opt.zero_grad()',
    '    loss = f(x)',
    '    scaler.scale(loss).backward()',
    '    scaler.unscale_(opt)',
    '    scaler.step(opt)',
    '    scaler.update()',
  );
  assert.ok(findings(clipped, 'MSP404').every((x) => x.fixes.length === 0));
  const other = lines('for x in data:', '    opt.zero_grad()', '    loss = f(x)', '    weights.scale(loss).backward()', '    weights.step(opt)', '    weights.update()');
  assert.ok(findings(other, 'MSP404').every((x) => x.fixes.length === 0));
});

/** A loop adding each step's loss to a running total bound before it. */
const TOTAL_STEP = [
  '    for x, y in loader:',
  '        optimizer.zero_grad()',
  '        loss = criterion(model(x), y)',
  '        total += loss.item()',
  '        loss.backward()',
  '        optimizer.step()',
];

test('a running total the forward part adds to and the loop reads later is nonlocal too (it is read before it is bound)', () => {
  const src = lines(
    'def train(model, loader, optimizer, criterion):',
    '    total = 0.0',
    ...TOTAL_STEP,
    '        print(total)',
  );
  const out = fix(src, 'MSP404').text;
  assert.match(out, /^    def forward_fn\(x, y\):\n        nonlocal total\n/m);
  assert.match(out, /^        \(loss, total\), grads = grad_fn\(x, y\)$/m);
});

test('gradient clipping between backward and step (after a scaler unscale_) becomes ops.clip_by_global_norm on the gradients', () => {
  const plain = lines(
    'import torch',
    'def train(model, loader, criterion):',
    '    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)',
    '    for x, y in loader:',
    '        optimizer.zero_grad()',
    '        loss = criterion(model(x), y)',
    '        loss.backward()',
    '        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)',
    '        optimizer.step()',
  );
  const a = fix(plain, 'MSP404').text;
  assert.match(a, /^        loss, grads = grad_fn\(x, y\)\n        grads = ops\.clip_by_global_norm\(grads, 1\.0\)\n        optimizer\(grads\)$/m);
  assert.doesNotMatch(a, /clip_grad_norm_/);
  const scaled = lines(
    'import torch',
    'def train(model, loader, criterion):',
    '    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)',
    '    scaler = torch.cuda.amp.GradScaler()',
    '    for x, y in loader:',
    '        optimizer.zero_grad()',
    '        loss = criterion(model(x), y)',
    '        scaler.scale(loss).backward()',
    '        scaler.unscale_(optimizer)',
    '        torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)',
    '        scaler.step(optimizer)',
    '        scaler.update()',
  );
  const b = fix(scaled, 'MSP404').text;
  assert.match(b, /^        grads = scaler\.unscale\(grads\)\n        grads = ops\.clip_by_global_norm\(grads, 2\.0\)\n        finite = ms\.amp\.all_finite\(grads\)$/m);
  // another norm than the 2-norm is not what clip_by_global_norm computes
  const inf = plain.replace('max_norm=1.0)', 'max_norm=1.0, norm_type=float("inf"))');
  assert.ok(findings(inf, 'MSP404').every((f) => f.fixes.length === 0));
});

// found by an audit
test('what the rewrite cannot keep gets no fix: clipping other parameters, a max_norm the forward part computes, a scaler clip without unscale_, a scaler with arguments, the loss read before it is assigned', () => {
  const loop = (...body: string[]) =>
    lines('import torch', 'def train(model, loader, criterion, sched):', '    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)', '    scaler = torch.cuda.amp.GradScaler()', '    loss = None', '    for x, y in loader:', ...body.map((b) => `        ${b}`));
  const cases: [string, string][] = [
    ['other parameters', loop('optimizer.zero_grad()', 'loss = criterion(model(x), y)', 'loss.backward()', 'torch.nn.utils.clip_grad_norm_(model.backbone.parameters(), 1.0)', 'optimizer.step()')],
    ['max_norm from the forward part', loop('optimizer.zero_grad()', 'max_norm = sched.clip_value()', 'loss = criterion(model(x), y)', 'loss.backward()', 'torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)', 'optimizer.step()')],
    ['scaled clip without unscale_', loop('optimizer.zero_grad()', 'loss = criterion(model(x), y)', 'scaler.scale(loss).backward()', 'torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)', 'scaler.step(optimizer)', 'scaler.update()')],
    ['the previous loss read', loop('optimizer.zero_grad()', 'if loss is not None:', '    print(loss.item())', 'loss = criterion(model(x), y)', 'loss.backward()', 'optimizer.step()')],
    ['a scaler that may be off', loop('optimizer.zero_grad()', 'loss = criterion(model(x), y)', 'scaler.scale(loss).backward()', 'scaler.step(optimizer)', 'scaler.update()').replace('GradScaler()', 'GradScaler(enabled=use_amp)')],
  ];
  for (const [what, src] of cases) assert.ok(findings(src, 'MSP404').every((f) => f.fixes.length === 0), what);
});

test('the forward part is everything before backward: a model call before zero_grad moves into forward_fn too; state read later or kept across iterations stays right', () => {
  const src = lines(
    'import torch',
    'def train(model, loader, optimizer, criterion):',
    '    hidden = None',
    '    total = 0.0',
    '    for x, y in loader:',
    '        out, hidden = model(x, hidden)',
    '        optimizer.zero_grad()',
    '        loss = criterion(out, y)',
    '        total += loss.item()',
    '        n = sum(1 for _ in out)',
    '        loss.backward()',
    '        optimizer.step()',
    '    print(out.shape, total, n)',
  );
  const out = fix(src, 'MSP404').text;
  assert.match(out, /^    def forward_fn\(x, y\):\n        nonlocal hidden, total\n        out, hidden = model\(x, hidden\)\n        loss = criterion\(out, y\)$/m);
  assert.match(out, /nonlocal [^\n]*\bhidden\b/);
  assert.match(out, /nonlocal [^\n]*\btotal\b/);
  assert.match(out, /^        out, hidden = model\(x, hidden\)$/m);
  // read after the loop: an auxiliary output (n, bound by a generator expression's sum, is the function's own)
  assert.match(out, /^        \(loss, [^)]*\bout\b[^)]*\), grads = grad_fn\(/m);
  assert.doesNotMatch(out, /optimizer\.zero_grad/);
  assert.doesNotMatch(out, /return loss[^\n]*\b_\b/);
});

test('a name the enclosing function declares global or nonlocal is declared the same way in forward_fn', () => {
  const src = lines(
    'import torch',
    'total = 0.0',
    'def train(model, loader, optimizer, criterion):',
    '    global total',
    ...TOTAL_STEP,
  );
  const out = fix(src, 'MSP404').text;
  assert.match(out, /^        global total$/m);
  assert.doesNotMatch(out, /nonlocal total/);
});

test('(an audit) a scaler also used as torch GradScaler elsewhere (its state_dict saved) keeps its loop: MSP303 would not rename it', () => {
  const src = lines(
    ...SCALED_LOOP,
    '    torch.save({"scaler": scaler.state_dict()}, "s.pt")',
  );
  assert.ok(findings(src, 'MSP404').every((f) => f.fixes.length === 0));
});

/** A function that is one train step, as weatherbench-resunet's train_once: inputs rebound, a configured clip. */
const STEP_FUNCTION = lines(
  'import torch',
  'import torch.nn as nn',
  'def train_once(network, optimizer, configs, input_x, input_y):',
  '    """One step."""',
  '    network.train()',
  '    input_x = input_x.float()',
  '    optimizer.zero_grad()',
  '    output = network(input_x)',
  '    if configs.sq:',
  '        err = (output - input_y) ** 2',
  '    else:',
  '        err = abs(output - input_y)',
  '    loss = err.mean()',
  '    loss.backward()',
  '    loss_value = loss.item()',
  '    if configs.clip:',
  '        nn.utils.clip_grad_norm_(network.parameters(), configs.max_norm)',
  '    optimizer.step()',
  '    return loss_value, output, input_x',
);

test('a function that is one step: forward_fn in it (its parameters rebound are nonlocal), a configured clip, a statement reading the loss moved after grad_fn', () => {
  const src = STEP_FUNCTION.replace('optimizer, configs, input_x', 'configs, input_x').replace('import torch.nn as nn', 'import torch.nn as nn\noptimizer = torch.optim.Adam(network.parameters())');
  const f = findings(src, 'MSP404');
  assert.equal(f.length, 1, f.map((x) => x.message).join('\n'));
  assert.match(f[0].message, /clipped with `ops\.clip_by_global_norm\(grads, configs\.max_norm\)` when `configs\.clip`/);
  assert.equal(
    fix(src, 'MSP404').text.split('def train_once')[1],
    lines(
      '(network, configs, input_x, input_y):',
      '    """One step."""',
      '    def forward_fn():',
      '        nonlocal input_x',
      '        network.train()',
      '        input_x = input_x.float()',
      '        output = network(input_x)',
      '        if configs.sq:',
      '            err = (output - input_y) ** 2',
      '        else:',
      '            err = abs(output - input_y)',
      '        loss = err.mean()',
      '        return loss, input_x, output',
      '    grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)',
      '    (loss, input_x, output), grads = grad_fn()',
      '    loss_value = loss.item()',
      '    if configs.clip:',
      '        grads = ops.clip_by_global_norm(grads, configs.max_norm)',
      '    optimizer(grads)',
      '    return loss_value, output, input_x',
    ),
  );
});

test('the rewritten step computes what the torch one did (CPython: torch and MindSpore played by stand-ins)', (t) => {
  const python = findPython();
  if (!python) return t.skip('no python3');
  const loopSrc = lines(
    'import torch',
    'def fit(model, optimizer, data, best=1e9):',
    '    total = 0.0',
    '    for step, (x, y) in enumerate(data):',
    '        out = model(x)',
    '        optimizer.zero_grad()',
    '        loss = (out - y) ** 2',
    '        total += loss.item()',
    '        loss.backward()',
    '        seen = loss.item() + step',
    '        optimizer.step()',
    '        if loss.item() < best:',
    '            best = loss.item()',
    '    return total, best, out, seen',
  );
  const stepSrc = STEP_FUNCTION.replace("    if configs.clip:\n        nn.utils.clip_grad_norm_(network.parameters(), configs.max_norm)\n", '');
  const after = (src: string) => fixAll(src, settings({ select: ['MSP404'] }), database(), { unsafe: true }).text;
  assert.match(after(stepSrc), /def forward_fn\(\):\n        nonlocal input_x\n/);
  assert.match(after(loopSrc), /def forward_fn\(x, y\):/);
  assert.deepEqual(
    differing([
      { name: 'loop', src: loopSrc, run: 'fit(Net(), Opt(), [(1.0, 0.5), (2.0, 1.0), (0.25, 3.0)])' },
      { name: 'one-step function', src: stepSrc, run: 'train_once(Net(), Opt(), Cfg(), T(1.5), 1.0)' },
    ]),
    [],
  );
});

test('zero_grad inside a `with` block of the forward part (an autocast region) goes with its line, the block stays', () => {
  const src = lines(
    'import torch',
    'def train(model, loader, optimizer):',
    '    for x in loader:',
    '        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):',
    '            optimizer.zero_grad()',
    '            loss = model(x).mean()',
    '        loss.backward()',
    '        optimizer.step()',
  );
  const out = fix(src, 'MSP404').text;
  assert.match(out, /    def forward_fn\(x\):\n        with torch\.autocast\(device_type="cuda", dtype=torch\.bfloat16\):\n            loss = model\(x\)\.mean\(\)\n        return loss\n/);
  assert.doesNotMatch(out, /zero_grad/);
  // alone in its block, zero_grad cannot go without emptying it: no rewrite
  const alone = src.replace('            loss = model(x).mean()\n', '').replace('        loss.backward()', '        loss = model(x).mean()\n        loss.backward()');
  assert.ok(findings(alone, 'MSP404').every((x) => x.fixes.length === 0));
});

test('a train step left alone says why on its backward', () => {
  const why = (...body: string[]) => {
    const f = findings(lines('import torch', 'def train(model, loader, optimizer):', '    for x in loader:', ...body.map((b) => `        ${b}`)), 'MSP404');
    return f.find((x) => x.message.startsWith('`torch.Tensor.backward`'))!.message.replace(/^.*No rewrite of this train step: /, '');
  };
  assert.match(why('loss = model(x)', 'loss.backward()', 'optimizer.step()'), /^no `zero_grad\(\)` in the same block: torch accumulates gradients over iterations without one\./);
  assert.match(why('optimizer.zero_grad()', 'loss = model(x)', 'loss.backward()', 'print(model.weight.grad)', 'optimizer.step()'), /^a statement between `backward` and `step` reads more than the forward part's values/);
  assert.match(why('optimizer.zero_grad()', 'loss = model(x)', 'loss.backward(retain_graph=True)', 'optimizer.step()'), /^`backward` is given arguments/);
  assert.match(why('optimizer.zero_grad()', 'loss = model(x)', 'loss.backward()', 'if x:', '    break'), /^`backward\(\)` is not followed by `step\(\)` in the same block \(only clipping/);
});

/**
 * Runs each case's source before and after MSP404's fixes (fix-all, unsafe) in CPython with torch and MindSpore
 * played by stand-ins, calling `run` in each; returns the names of the cases whose result or log differ, or that
 * failed. A case with `declined` must get no rewrite.
 */
function differing(cases: { name: string; src: string; run: string }[]): string[] {
  const python = findPython();
  if (!python) return [];
  const program = `
import json, sys, types
class T(float):
    def backward(self): LOG.append(("backward", float(self)))
    def item(self): return float(self)
    def float(self): return T(self)
    def mean(self): return T(self)
    def __add__(self, o): return T(float(self) + o)
    def __mul__(self, o): return T(float(self) * o)
    def __sub__(self, o): return T(float(self) - o)
    def __pow__(self, n): return T(float(self) ** n)
    def __abs__(self): return T(abs(float(self)))
class Opt:
    parameters = "params"
    def zero_grad(self): pass
    def step(self): LOG.append("step")
    def __call__(self, grads): LOG.append("step")
class Net:
    def train(self): LOG.append("train")
    def __call__(self, x): return T(x * 2)
class Cfg:
    sq = True
    clip = False
def value_and_grad(fn, pos, weights, has_aux=False):
    def run(*args):
        out = fn(*args)
        LOG.append(("backward", float(out[0] if has_aux else out)))
        return out, "grads"
    return run
torch = types.ModuleType("torch"); torch.nn = types.ModuleType("torch.nn"); ms = types.ModuleType("mindspore"); ms.value_and_grad = value_and_grad
sys.modules.update({"torch": torch, "torch.nn": torch.nn, "mindspore": ms})
cases = json.loads(sys.stdin.read())
bad = []
for c in cases:
    results = []
    for src in (c["before"], c["after"]):
        LOG = []
        g = {"T": T, "Opt": Opt, "Net": Net, "Cfg": Cfg}
        try:
            exec(compile(src, c["name"], "exec"), g)
            results.append(repr(eval(c["run"], g)) + repr(LOG))
        except Exception as e:
            results.append("error " + type(e).__name__ + ": " + str(e))
    # (a case whose torch version fails tests nothing)
    if results[0].startswith("error") or results[0] != results[1]: bad.append(c["name"] + ": " + results[0] + " / " + results[1])
print(json.dumps(bad))
`;
  const after = (s: string) => fixAll(s, settings({ select: ['MSP404'] }), database(), { unsafe: true }).text;
  const input = JSON.stringify(cases.map((c) => ({ name: c.name, run: c.run, before: c.src, after: after(c.src) })));
  const run = spawnSync(python, ['-c', program], { input, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

// found by an audit (the thirty-first session)
test('(an audit) what the rest of the scope reads: defaults of lambdas and defs, and a nested global, count as reads of forward values', (t) => {
  if (!findPython()) return t.skip('no python3');
  const loop = (tail: string[], ret: string) =>
    lines('import torch', 'def fit(model, optimizer, data):', '    cbs = []', '    for x in data:', '        optimizer.zero_grad()', '        out = model(x)', '        loss = out.mean()', '        loss.backward()', '        optimizer.step()', ...tail, `    return ${ret}`);
  const cases = [
    { name: 'lambda default', src: loop(['        cbs.append(lambda out=out: out * 1)'], 'cbs[-1]()'), run: 'fit(Net(), Opt(), [1.0, 2.0])' },
    { name: 'def default', src: loop(['        def cb(v=out):', '            return v', '        cbs.append(cb)'], 'cbs[-1]()'), run: 'fit(Net(), Opt(), [1.0, 2.0])' },
    {
      name: 'nested global',
      src: lines('import torch', 'out = 0.0', 'def bump():', '    global out', '    out = out + 1', '    return out', 'def go(model, optimizer, data):', '    global out', '    for x in data:', '        optimizer.zero_grad()', '        out = model(x)', '        loss = out.mean()', '        loss.backward()', '        optimizer.step()', '    return bump()'),
      run: 'go(Net(), Opt(), [1.0, 2.0])',
    },
  ];
  assert.deepEqual(differing(cases), []);
});

test('(an audit) a one-step function is rewritten only where forward_fn keeps its meaning', (t) => {
  if (!findPython()) return t.skip('no python3');
  const fn = (...body: string[]) => lines('import torch', 'best = None', 'def train_once(model, optimizer, batch):', ...body.map((b) => `    ${b}`));
  const step = ['optimizer.zero_grad()', 'loss = model(x).mean()', 'loss.backward()', 'optimizer.step()'];
  const cases = [
    { name: 'global after the first statement', src: fn('x = batch', 'global best', ...step, 'best = loss.item()', 'return best'), run: '(train_once(Net(), Opt(), 1.5), best)' },
    { name: 'del of a parameter', src: fn('x = batch', 'del batch', ...step, 'return loss.item()'), run: 'train_once(Net(), Opt(), 1.5)' },
    { name: 'annotated rebinding', src: fn('batch: float = batch * 2', 'x = batch', ...step, 'return loss.item(), batch'), run: 'train_once(Net(), Opt(), 1.5)' },
    { name: 'optimizer assigned in the forward part', src: fn('opt = optimizer', 'x = batch', ...step.map((l) => l.replace('optimizer', 'opt')), 'return loss.item()'), run: 'train_once(Net(), Opt(), 1.5)' },
    { name: 'statements sharing a line', src: fn('x = batch', 'optimizer.zero_grad(); y = x', 'loss = model(y).mean()', 'loss.backward()', 'n = loss.item(); optimizer.step()', 'return n'), run: 'train_once(Net(), Opt(), 1.5)' },
    { name: 'one-line function', src: lines('import torch', 'def train_once(model, optimizer, x): optimizer.zero_grad(); loss = model(x).mean(); loss.backward(); optimizer.step(); return loss'), run: 'train_once(Net(), Opt(), 1.5)' },
  ];
  assert.deepEqual(differing(cases), []);
  // and those that cannot keep it get no rewrite, with the reason
  const reason = (src: string) => findings(src, 'MSP404').map((f) => f.message).find((m) => /No (fix|rewrite)/.test(m)) ?? '';
  assert.match(reason(cases[0].src), /declares a name global or nonlocal/);
  assert.match(reason(cases[3].src), /the forward part assigns `opt`/);
  assert.match(reason(cases[4].src), /share a line/);
  assert.match(reason(fn('x = batch', 'y = super().f(x)', ...step)), /calls `super\(\)` without arguments/);
  assert.match(reason(lines('import torch', 'async def train_once(model, optimizer, b):', '    optimizer.zero_grad()', '    x = await b', '    loss = model(x).mean()', '    loss.backward()', '    optimizer.step()')), /the forward part awaits/);
  // del binds: the parameter it deletes is nonlocal in forward_fn
  assert.match(fix(cases[1].src, 'MSP404').text, /def forward_fn\(\):\n        nonlocal batch\n/);
  // an annotated rebinding of a nonlocal name loses its annotation (a local's is never evaluated)
  assert.match(fix(cases[2].src, 'MSP404').text, /        nonlocal batch\n        batch = batch \* 2\n/);
});

test('(an audit) a clip condition over several lines gets no rewrite; comments between backward and step stay', () => {
  const src = (cond: string) =>
    lines('import torch', 'def train(model, loader, cfg):', '    optimizer = torch.optim.AdamW(model.parameters())', '    for x in loader:', '        optimizer.zero_grad()', '        loss = model(x).mean()', '        loss.backward()', '        # clip here later', `        if ${cond}:`, '            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_norm)', '        optimizer.step()');
  assert.match(findings(src('(cfg.clip  # only when set\n                and cfg.max_norm > 0)'), 'MSP404').find((f) => f.message.startsWith('`torch.Tensor.backward`'))!.message, /the clipping condition spans lines/);
  const out = fix(src('cfg.clip'), 'MSP404').text;
  assert.match(out, /        loss, grads = grad_fn\(x\)\n        # clip here later\n        if cfg\.clip:\n            grads = ops\.clip_by_global_norm\(grads, cfg\.max_norm\)\n        optimizer\(grads\)/);
  // zero_grad between backward and step: its own reason
  const zero = lines('import torch', 'for x in data:', '    opt.zero_grad()', '    loss = f(x)', '    loss.backward()', '    opt.zero_grad()', '    opt.step()');
  assert.match(findings(zero, 'MSP404').find((f) => f.message.startsWith('`torch.Tensor.backward`'))!.message, /`zero_grad\(\)` comes between `backward` and `step`/);
});

test('(an audit) a loop inside an if or a with: what the function reads after that block comes back too', (t) => {
  if (!findPython()) return t.skip('no python3');
  const src = lines(
    'import torch',
    'def fit(model, optimizer, data, train=True):',
    '    if train:',
    '        for x in data:',
    '            optimizer.zero_grad()',
    '            out = model(x)',
    '            loss = out.mean()',
    '            loss.backward()',
    '            optimizer.step()',
    '    return out',
  );
  assert.match(fix(src, 'MSP404').text, /return loss, out\n/);
  assert.deepEqual(differing([{ name: 'loop in an if', src, run: 'fit(Net(), Opt(), [1.0, 2.0])' }]), []);
});

test('a long function calling backward once at its top level (a script\'s main()) is no one-step function', () => {
  const filler = Array.from({ length: 200 }, (_, i) => `    v${i} = prepare(${i}, "a line of set-up code")`);
  const src = lines('import torch', 'def main(model, optimizer, x):', ...filler, '    optimizer.zero_grad()', '    loss = model(x).mean()', '    loss.backward()', '    optimizer.step()');
  const f = findings(src, 'MSP404');
  assert.ok(f.length >= 1 && f.every((x) => x.fixes.length === 0 && !/No (fix|rewrite)/.test(x.message)), f.map((x) => x.message).join('\n'));
});
