// Entries marked `notNeeded`: the statistics count their uses as not needed and ready to port, which is only true
// when the rule that owns the API offers to delete it. Each one is used here the way ports meet it, and that
// rule's fix must take it out and leave a file that parses.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { analyzeText } from '../../server/src/engine/analyze';
import { applyFixes } from '../../server/src/engine/edits';
import { explainMarkdown } from '../../server/src/engine/explain';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';
import type { MappingDatabase } from '../../server/src/mappings/database';
import { lines, setup } from '../rules/helpers';

/** A typical use of each not-needed API, and the text that must be gone once its fix is applied. */
const USES: Record<string, { src: string; gone: string }> = {
  'torch.no_grad': { src: lines('import torch', 'with torch.no_grad():', '    y = model(x)'), gone: 'no_grad' },
  'torch.inference_mode': { src: lines('import torch', '@torch.inference_mode()', 'def evaluate(model, x):', '    return model(x)'), gone: 'inference_mode' },
  'torch.Tensor.cpu': { src: lines('import torch', 'x = torch.zeros(2)', 'y = x.cpu().numpy()'), gone: 'cpu' },
  'torch.Tensor.cuda': { src: lines('import torch', 'x = torch.zeros(2).cuda()'), gone: 'cuda' },
  'torch.Tensor.pin_memory': { src: lines('import torch', 'x = torch.zeros(2)', 'x = x.pin_memory()'), gone: 'pin_memory' },
  'torch.nn.Module.cuda': { src: lines('import torch.nn as nn', 'model = nn.Linear(2, 2)', 'model.cuda()'), gone: 'cuda' },
  'torch.nn.Module.cpu': { src: lines('import torch.nn as nn', 'model = nn.Linear(2, 2)', 'model.cpu()'), gone: 'cpu' },
  'torch.backends.cudnn.benchmark': { src: lines('import torch', 'torch.backends.cudnn.benchmark = True'), gone: 'benchmark' },
  'torch.backends.cudnn.enabled': { src: lines('import torch', 'torch.backends.cudnn.enabled = True'), gone: 'enabled' },
  'torch.backends.cudnn.allow_tf32': { src: lines('import torch', 'torch.backends.cudnn.allow_tf32 = True'), gone: 'allow_tf32' },
  'torch.backends.cuda.matmul.allow_tf32': { src: lines('import torch', 'torch.backends.cuda.matmul.allow_tf32 = True'), gone: 'allow_tf32' },
  'torch.cuda.synchronize': { src: lines('import torch', 'torch.cuda.synchronize()'), gone: 'synchronize' },
  'torch.cuda.empty_cache': { src: lines('import torch', 'torch.cuda.empty_cache()'), gone: 'empty_cache' },
  'torch.cuda.reset_peak_memory_stats': { src: lines('import torch', 'torch.cuda.reset_peak_memory_stats()'), gone: 'reset_peak' },
  'torch.cuda.reset_max_memory_allocated': { src: lines('import torch', 'torch.cuda.reset_max_memory_allocated()'), gone: 'reset_max' },
  'torch.cuda.ipc_collect': { src: lines('import torch', 'torch.cuda.ipc_collect()'), gone: 'ipc_collect' },
};

let db: MappingDatabase;
before(async () => {
  db = await setup();
});

describe('entries marked notNeeded', () => {
  test('each has a typical use here (a new one needs its case)', () => {
    const marked = [...db.entries.values()].filter((e) => e.notNeeded).map((e) => e.torch).sort();
    assert.deepEqual(marked, Object.keys(USES).sort());
  });

  for (const [api, { src, gone }] of Object.entries(USES)) {
    test(`${api}: its rule deletes it, and it counts as not needed and ready`, () => {
      const a = analyzeText(src, DEFAULT_SETTINGS, db);
      assert.deepEqual(a.internalErrors, []);
      const entry = db.get(api)!;
      const f = a.findings.find((x) => x.data?.torchApi === api);
      assert.ok(f, `no finding on ${api}: ${a.findings.map((x) => `${x.code} ${x.data?.torchApi}`).join(', ')}`);
      assert.equal(f.code, entry.rule);
      const fix = f.fixes[0];
      assert.ok(fix, `${f.code} offers no fix: ${f.message}`);
      const out = applyFixes(src, [fix]).text;
      assert.ok(!out.includes(gone), `still there after the fix:\n${out}`);
      assert.equal(countSyntaxErrors(out), 0, out);
      assert.ok(a.stats.notNeeded >= 1, JSON.stringify(a.stats));
      assert.equal(a.stats.none, 0, JSON.stringify(a.stats));
      assert.equal(a.stats.ready, a.stats.apiUses, JSON.stringify(a.stats));
      assert.match(explainMarkdown(db, entry), /^not needed in MindSpore: the port deletes it · see rule MSP\d{3}$/m);
    });
  }

  test('an entry marked notNeeded without the rule that deletes it, or with a twin, is a problem of the file', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { MappingDatabase } = await import('../../server/src/mappings/database');
    const dir = mkdtempSync(join(tmpdir(), 'mindport-notneeded-'));
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({
        layer: 'overlay',
        entries: {
          'torch.cuda.foo': { status: 'none', notNeeded: true, advice: 'x' },
          'torch.cuda.bar': { status: 'none', notNeeded: true, rule: 'MSP205', mint: { api: 'mindspore.mint.bar', status: 'same' } },
          'torch.cuda.baz': { status: 'none', notNeeded: true, rule: 'MSP205', advice: 'x' },
        },
      }),
    );
    // a twin from another layer contradicts it too
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ layer: 'generated', entries: { 'torch.cuda.baz': { classic: { api: 'mindspore.runtime.baz', status: 'same' } }, 'torch.cuda.qux': { status: 'none' } } }));
    writeFileSync(join(dir, 'o.json'), JSON.stringify({ layer: 'overlay', entries: { 'torch.cuda.qux': { notNeeded: true, rule: 'MSP205', advice: 'x' } } }));
    const d = MappingDatabase.loadDir(dir);
    assert.deepEqual(d.problems.map((p) => p.key).sort(), ['torch.cuda.bar', 'torch.cuda.baz', 'torch.cuda.foo']);
    assert.ok(d.problems.every((p) => /notNeeded/.test(p.message)));
    assert.equal(d.get('torch.cuda.baz')?.notNeeded, undefined, 'not counted as not needed: it has a twin');
    assert.ok(d.get('torch.cuda.qux')?.notNeeded);
  });
});
