// Notebooks (engine/notebook.ts): what the analysis sees of IPython's magics, and findings in the right cells.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { analyzeText } from '../../server/src/engine/analyze';
import { withCellSources } from '../../server/src/engine/ipynbWrite';
import { findingsPerCell, joinCells, neutraliseMagics } from '../../server/src/engine/notebook';
import { initParser, parsePython } from '../../server/src/engine/parser';
import { realDb, settings } from './helpers';

before(async () => {
  await initParser();
});

test('magics become comments of the same length; a cell magic with a Python body keeps its body', () => {
  const cases: Array<[string, string]> = [
    ['%matplotlib inline\nx = 1', '#matplotlib inline\nx = 1'],
    ['  !pip install einops\n!nvidia-smi', '  #pip install einops\n#nvidia-smi'],
    // not Python: every line of the cell
    ["%%bash\necho 'it's done\n\nls -la", "#%bash\n#cho 'it's done\n\n#s -la"],
    ['%%writefile train.py\nimport torch\r\nx = 1', '#%writefile train.py\n#mport torch\r\n# = 1'],
    // Python the kernel runs: the magic line only
    ['%%time\ny = torch.abs(x)', '#%time\ny = torch.abs(x)'],
    ['%%capture out\nimport torch', '#%capture out\nimport torch'],
    // a command's output assigned: a value, then a comment
    ['files = !ls -la\nout, err = %sx cmd\nx = !', 'files = 0#s -la\nout, err = 0#x cmd\nx = 0'],
    // help requests
    ['torch.abs?\n  ??F.gelu\ny = x if a else b', '#orch.abs?\n  #?F.gelu\ny = x if a else b'],
  ];
  for (const [cell, want] of cases) {
    const got = neutraliseMagics(cell);
    assert.equal(got, want, cell);
    assert.equal(got.length, cell.length);
  }
});

test('a shell cell with an unclosed quote does not hide the next cells; a %%time cell is analysed', () => {
  const cells = ['import torch', "%%bash\necho 'unclosed\nls", 'y = torch.abs(x)\ngpus = !nvidia-smi -L\ntorch.abs?', '%%time\nz = torch.sin(y)'];
  const nb = joinCells(cells);
  const tree = parsePython(nb.text);
  assert.equal(tree.rootNode.hasError, false, 'the joined cells parse');
  tree.delete();
  const perCell = findingsPerCell(nb, cells, analyzeText(nb.text, settings({ select: ['MSP1'] }), realDb()).findings);
  assert.deepEqual(
    perCell.map((fs) => fs.map((f) => `${f.code} ${f.range.start.line}:${f.range.start.character}`)),
    [[], [], ['MSP101 0:4'], ['MSP101 1:4']],
  );
});

test('withCellSources replaces only the sources given, each in its own style; a cell without one gets a list', () => {
  const json = '{\n "cells": [\n  {"cell_type": "code", "metadata": {"x": 1.0e-5}, "source": "a = 1"},\n  {\n   "cell_type": "code",\n   "source": [\n    "b = 2\\n",\n    "c = 3"\n   ]\n  },\n  {"cell_type": "code"}\n ],\n "nbformat": 4\n}\n';
  const out = withCellSources(json, new Map([[0, 'a = 10'], [1, 'b = 2\nc = 30'], [2, 'd = 4']]));
  const cells = (JSON.parse(out) as { cells: { source: string | string[] }[] }).cells.map((c) => c.source);
  assert.deepEqual(cells, ['a = 10', ['b = 2\n', 'c = 30'], ['d = 4']]);
  // the rest of the text as it was, float spelling included
  assert.ok(out.startsWith('{\n "cells": [\n  {"cell_type": "code", "metadata": {"x": 1.0e-5}, "source": "a = 10"},\n'), out);
  assert.ok(out.endsWith(' ],\n "nbformat": 4\n}\n'), out);
});
