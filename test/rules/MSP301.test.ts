import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fix, lines, settings, setup, all } from './helpers';

before(setup);

const SRC = lines(
  'import torch.nn as nn',
  'from torch.utils.checkpoint import checkpoint',
  'class Net(nn.Module):',
  '    def __init__(self):',
  '        super().__init__()',
  '        self.block = nn.Linear(4, 4)',
  '',
  '    def forward(self, x):',
  '        return checkpoint(self.block, x, use_reentrant=False)',
);

test('checkpoint → direct call + recompute() in __init__ (unsafe)', () => {
  assert.equal(findings(SRC, 'MSP301').length, 1);
  const r = fix(SRC, 'MSP301');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /self\.block = nn\.Linear\(4, 4\)\n        self\.block\.recompute\(\)\n/);
  assert.match(r.text, /return self\.block\(x\)/);
});

test('module-style import, checkpoint_sequential and library switches', () => {
  const src = lines('import torch.utils.checkpoint as cp', 'y = cp.checkpoint_sequential(layers, 2, x)', 'model.set_grad_checkpointing()', 'hf.gradient_checkpointing_enable()');
  assert.equal(findings(src, 'MSP301').length, 3);
  assert.match(fix(src, 'MSP301').text, /y = layers\(x\)/);
});

test('a local checkpoint function is not flagged', () => {
  assert.equal(findings(lines('def checkpoint(path):', '    return path', 'checkpoint("a.pt")'), 'MSP301').length, 0);
});

test('a checkpoint under `if self.flag:` marks the Cell under the same condition', () => {
  const src = lines(
    'import torch.nn as nn',
    'from torch.utils.checkpoint import checkpoint',
    'class Net(nn.Module):',
    '    def __init__(self, use_checkpoint=False):',
    '        super().__init__()',
    '        self.use_checkpoint = use_checkpoint',
    '        self.block = nn.Linear(4, 4)',
    '    def forward(self, x):',
    '        if self.use_checkpoint:',
    '            return checkpoint(self.block, x)',
    '        return self.block(x)',
  );
  const r = fix(src, 'MSP301');
  assert.match(r.text, /        self\.block = nn\.Linear\(4, 4\)\n        if self\.use_checkpoint:\n            self\.block\.recompute\(\)\n/);
  assert.match(r.text, /            return self\.block\(x\)\n/);
  // an else branch, or a condition on a local, is not the checkpoint's condition: the mark is unconditional
  const other = fix(src.replace('if self.use_checkpoint:', 'if x.ndim > 3:'), 'MSP301').text;
  assert.match(other, /        self\.block = nn\.Linear\(4, 4\)\n        self\.block\.recompute\(\)\n/);
  // an attribute set after the Cell is built cannot guard it there
  const late = src.replace('        self.use_checkpoint = use_checkpoint\n', '').replace("        self.block = nn.Linear(4, 4)\n", "        self.block = nn.Linear(4, 4)\n        self.use_checkpoint = use_checkpoint\n");
  assert.match(fix(late, 'MSP301').text, /        self\.block = nn\.Linear\(4, 4\)\n        self\.block\.recompute\(\)\n/);
});

test('blocks checkpointed in a loop are marked at the end of __init__, once the container is filled', () => {
  const src = lines(
    'import torch.nn as nn',
    'from torch.utils.checkpoint import checkpoint',
    'class Net(nn.Module):',
    '    def __init__(self, n, level):',
    '        super().__init__()',
    '        self.checkpointing = level',
    '        self.blocks = nn.ModuleList([])',
    '        for _ in range(n):',
    '            self.blocks.append(nn.Linear(4, 4))',
    '    def forward(self, x):',
    '        for i, blk in enumerate(self.blocks):',
    '            if self.checkpointing >= 3:',
    '                x = checkpoint(blk, x)',
    '            else:',
    '                x = blk(x)',
    '        return x',
  );
  const r = fix(src, 'MSP301');
  assert.match(
    r.text,
    /            self\.blocks\.append\(nn\.Linear\(4, 4\)\)\n        if self\.checkpointing >= 3:\n            for blk in self\.blocks:\n                blk\.recompute\(\)\n    def forward/,
  );
  assert.match(r.text, /                x = blk\(x\)\n            else:/);
});

test('a function that is not a Cell (a nested closure) is called directly with a TODO, never dropped silently', () => {
  const src = lines(
    'import torch.nn as nn',
    'from torch.utils.checkpoint import checkpoint',
    'class Net(nn.Module):',
    '    def forward(self, a, b):',
    '        def inner(a, b):',
    '            return a + b',
    '        return checkpoint(inner, a, b, use_reentrant=False)',
  );
  const r = fix(src, 'MSP301');
  assert.match(r.text, /        # TODO\(mindport\) MSP301: inner was checkpointed here: call \.recompute\(\) on the Cell\(s\) it runs, where they are built\n        return inner\(a, b\)\n/);
});
