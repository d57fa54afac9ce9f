// Type hints naming torch-only types get the plain type the values have in MindSpore code (annotationTypes.ts):
// PyG's aliases (MSP204), ProcessGroup (MSP407), torch.device (MSP205), DataLoader (MSP405).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixAll } from '../../server/src/engine/fixAll';
import { portText } from '../../server/src/engine/port';
import { all, database, findings, fix, lines, settings, setup, findPython } from './helpers';

before(setup);

const PYG = lines(
  'from typing import Optional',
  'from torch import Tensor',
  'from torch_geometric.typing import Adj, OptTensor, OptPairTensor, PairTensor, Size',
  '',
  'def forward(x: OptPairTensor, edge_attr: Tensor, edge_index: Adj, size: Optional[Size] = None, w: OptTensor = None) -> PairTensor:',
  '    return x',
);

test('PyG aliases in hints become the plain types, safely, with the typing names they need', () => {
  const f = findings(PYG, 'MSP204');
  assert.equal(f.length, 5);
  assert.ok(f.every((x) => x.fixes[0]?.applicability === 'safe'));
  assert.match(f.find((x) => /Size/.test(x.message))!.message, /plain type `Optional\[Tuple\[int, int\]\]`/);
  const out = fixAll(PYG, settings(), database()).text;
  assert.match(out, /^from typing import Tuple$/m);
  assert.match(
    out,
    /^def forward\(x: Tuple\[ms\.Tensor, Optional\[ms\.Tensor\]\], edge_attr: ms\.Tensor, edge_index: ms\.Tensor, size: Optional\[Tuple\[int, int\]\] = None, w: Optional\[ms\.Tensor\] = None\) -> Tuple\[ms\.Tensor, ms\.Tensor\]:$/m,
  );
});

test('an Optional of an optional alias is written once: Optional[Size] is not Optional[Optional[...]]', () => {
  const src = lines('from typing import Optional', 'from torch_geometric.typing import OptTensor, Size', 'def f(a: Optional[OptTensor], b: Optional[Size]): pass');
  assert.match(fix(src, 'MSP204').text, /a: Optional\[ms\.Tensor\], b: Optional\[Size\]/);
  assert.match(fixAll(src, settings(), database()).text, /^def f\(a: Optional\[ms\.Tensor\], b: Optional\[Tuple\[int, int\]\]\): pass$/m);
});

test('typing names come through the module\'s alias when typing is imported as a module', () => {
  const src = lines('import typing as t', 'from torch_geometric.typing import PairTensor', 'def f(p: PairTensor): pass');
  const out = fixAll(src, settings(), database()).text;
  assert.match(out, /^def f\(p: t\.Tuple\[ms\.Tensor, ms\.Tensor\]\): pass$/m);
  assert.doesNotMatch(out, /from typing import/);
});

test('a device or group hint is a string; a union with str keeps one str', () => {
  const src = lines(
    'from typing import Optional, Union',
    'import torch',
    'from torch.distributed import ProcessGroup',
    'def f(a: torch.device, b: str | torch.device, c: Union[str, torch.device], d: Union[str, torch.device, int], g: Optional[ProcessGroup] = None) -> torch.device: pass',
  );
  assert.equal(findings(src, 'MSP205').length, 5);
  assert.equal(findings(src, 'MSP407')[0].fixes[0].applicability, 'safe');
  const out = fixAll(src, settings(), database()).text;
  assert.match(out, /^def f\(a: str, b: str, c: str, d: Union\[str, int\], g: Optional\[str\] = None\) -> str: pass$/m);
});

test('DataLoader in a hint is a MindSpore dataset (the classic target); 2.10 renames it to its own loader', () => {
  const src = lines('from typing import Optional', 'from torch.utils.data import DataLoader', 'def loader() -> Optional[DataLoader]: pass');
  assert.match(fix(src, 'MSP405').text, /-> Optional\[ms\.dataset\.Dataset\]/);
  const v210 = findings(src, 'MSP405', settings({ mindsporeVersion: '2.10' }));
  assert.match(v210[0].message, /dataloader\.DataLoader/);
});

test('no fix when a name the spelling needs is taken and typing is not imported', () => {
  const src = lines('from torch_geometric.typing import PairTensor, Adj', 'Tuple = 3', 'def f(p: PairTensor, e: Adj): pass');
  const f = findings(src, 'MSP204');
  assert.deepEqual(f.map((x) => x.fixes.length), [0, 1]);
  // Adj needs no typing name
  assert.match(fix(src, 'MSP204', 1).text, /e: ms\.Tensor\)/);
});

test('hints outside annotations are not touched: isinstance and a call keep their findings without this fix', () => {
  const src = lines('import torch', 'dev = torch.device("cuda")', 'ok = isinstance(dev, torch.device)');
  for (const f of findings(src, 'MSP205')) assert.ok(!f.fixes.some((x) => /plain type/.test(x.title)), f.message);
});

test('port: a file whose PyG and torch.distributed names were only hints imports neither', () => {
  const src = lines(
    'from typing import Optional',
    'import torch',
    'from torch.distributed.distributed_c10d import ProcessGroup',
    'from torch_geometric.typing import Adj, Size',
    '',
    'def hop(x: torch.Tensor, edge_index: Adj, size: Optional[Size] = None, group: Optional[ProcessGroup] = None) -> torch.Tensor:',
    '    return x',
  );
  const out = portText(src, settings(), database()).text;
  assert.doesNotMatch(out, /torch_geometric|torch\.distributed|TODO/, out);
  assert.match(out, /def hop\(x: ms\.Tensor, edge_index: ms\.Tensor, size: Optional\[Tuple\[int, int\]\] = None, group: Optional\[str\] = None\) -> ms\.Tensor:/);
});

test('the ported hints evaluate in CPython (a stand-in mindspore package)', (t) => {
  const python = findPython();
  if (!python) return t.skip('no python3');
  const src = lines(
    'from typing import Optional, Union',
    'import torch',
    'from torch.utils.data import DataLoader',
    'from torch.distributed import ProcessGroup',
    'from torch_geometric.typing import Adj, OptTensor, OptPairTensor, PairOptTensor, Size, EdgeType',
    '',
    'def f(a: Adj, b: OptTensor, c: OptPairTensor, d: PairOptTensor, e: Optional[Size], k: EdgeType, g: Union[str, torch.device], h: Optional[ProcessGroup] = None) -> DataLoader:',
    '    return None',
  );
  const out = portText(src, settings(), database()).text;
  const dir = mkdtempSync(join(tmpdir(), 'mindport-hints-'));
  mkdirSync(join(dir, 'mindspore', 'dataset'), { recursive: true });
  writeFileSync(join(dir, 'mindspore', '__init__.py'), 'class Tensor: pass\nfrom mindspore import dataset\n');
  writeFileSync(join(dir, 'mindspore', 'dataset', '__init__.py'), 'class Dataset: pass\n');
  writeFileSync(join(dir, 'ported.py'), out);
  const check = [
    'import typing, ported',
    'h = typing.get_type_hints(ported.f)',
    'print(sorted((k, repr(v).replace("typing.", "")) for k, v in h.items()))',
  ].join('\n');
  const run = spawnSync(python, ['-c', check], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir } });
  assert.equal(run.status, 0, `${run.stderr}\n${out}`);
  const hints = run.stdout;
  assert.match(hints, /\('a', "<class 'mindspore.Tensor'>"\)/);
  assert.match(hints, /\('b', 'Optional\[mindspore.Tensor\]'\)/);
  assert.match(hints, /\('c', 'Tuple\[mindspore.Tensor, Optional\[mindspore.Tensor\]\]'\)/);
  assert.match(hints, /\('d', 'Tuple\[Optional\[mindspore.Tensor\], Optional\[mindspore.Tensor\]\]'\)/);
  assert.match(hints, /\('e', 'Optional\[Tuple\[int, int\]\]'\)/);
  assert.match(hints, /\('g', "<class 'str'>"\)/);
  assert.match(hints, /\('h', 'Optional\[str\]'\)/);
  assert.match(hints, /\('k', 'Tuple\[str, str, str\]'\)/);
  assert.match(hints, /\('return', "<class 'mindspore.dataset.Dataset'>"\)/);
});

test('`.to(torch.device("cpu"))`: the device finding carries the move\'s fix', () => {
  const src = lines('import torch', 'def f(r):', '    r = r.to(torch.device("cpu"))', '    return r');
  const f = findings(src, 'MSP205');
  assert.equal(f.length, 2);
  const dev = f.find((x) => /torch\.device/.test(x.message))!;
  assert.equal(dev.fixes[0]?.applicability, 'safe');
  assert.equal(fixAll(src, settings(), database()).text, lines('import torch', 'def f(r):', '    return r'));
  // a device passed on to something else has no such fix
  const other = lines('import torch', 'x = load(p, map_location=torch.device("cpu"))');
  assert.deepEqual(findings(other, 'MSP205')[0].fixes, []);
  void all;
});

// found by an audit (the thirty-first session)
test('(an audit) typing.Optional[...] written as an attribute is a hint too: fixed like Optional[...]', () => {
  const src = lines('import typing', 'import torch', 'from torch_geometric.typing import Size', 'def f(b: typing.Optional[Size] = None, c: typing.Optional[torch.device] = None, d: typing.Union[str, torch.device] = "cpu"): pass');
  const f = [...findings(src, 'MSP204'), ...findings(src, 'MSP205')];
  assert.ok(f.every((x) => x.severity === 'hint' && x.fixes[0]?.applicability === 'safe'), f.map((x) => x.message).join('\n'));
  assert.match(fixAll(src, settings(), database()).text, /^def f\(b: typing\.Optional\[typing\.Tuple\[int, int\]\] = None, c: typing\.Optional\[str\] = None, d: str = "cpu"\): pass$/m);
});

test('(an audit) a typing name imported only under TYPE_CHECKING is imported for real by the fix', () => {
  const src = lines('from typing import TYPE_CHECKING', 'from torch_geometric.typing import OptTensor', 'if TYPE_CHECKING:', '    from typing import Optional', 'def g(w: OptTensor = None): pass');
  const out = fixAll(src, settings(), database()).text;
  assert.match(out, /^from typing import Optional$/m);
  assert.match(out, /^def g\(w: Optional\[ms\.Tensor\] = None\): pass$/m);
  // the fixed module runs (a stand-in mindspore)
  const python = findPython();
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'mindport-hints-'));
  mkdirSync(join(dir, 'mindspore'));
  mkdirSync(join(dir, 'torch_geometric'));
  writeFileSync(join(dir, 'mindspore', '__init__.py'), 'class Tensor: pass\n');
  writeFileSync(join(dir, 'torch_geometric', '__init__.py'), '');
  writeFileSync(join(dir, 'torch_geometric', 'typing.py'), 'OptTensor = None\n');
  writeFileSync(join(dir, 'fixed.py'), out);
  const run = spawnSync(python, ['-c', 'import fixed'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir } });
  assert.equal(run.status, 0, `${run.stderr}\n${out}`);
});
