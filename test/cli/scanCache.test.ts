// The scan cache's folder (the user's, on each platform) and its entries (what comes back from one).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { userCacheDir } from '../../server/src/cli/scanCache';
import { packEntry, unpackEntry } from '../../server/src/cli/scanEntry';
import { emptyStats } from '../../server/src/engine/findings';
import type { FileResult } from '../../server/src/engine/project';

test('the scan cache lives in the user cache folder of each platform, never the project', () => {
  assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), join('/x/cache', 'mindport', 'scan'));
  assert.equal(userCacheDir({}, 'linux', '/home/u'), join('/home/u', '.cache', 'mindport', 'scan'));
  assert.equal(userCacheDir({ XDG_CACHE_HOME: 'relative/cache' }, 'linux', '/home/u'), join('/home/u', '.cache', 'mindport', 'scan'), 'the XDG spec says a relative path is ignored');
  assert.equal(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'darwin', '/Users/u'), join('/Users/u', 'Library', 'Caches', 'mindport', 'scan'));
  assert.equal(userCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), join('C:\\Users\\u\\AppData\\Local', 'mindport', 'scan'));
});

test('a cache entry gives back what scan reports read, packed, and nothing from bytes that are not an entry', () => {
  const range = (a: number, b: number) => ({ start: { line: a, character: 1 }, end: { line: b, character: 9 } });
  const result: FileResult = {
    path: '/p/nb.ipynb',
    findings: [
      { code: 'MSP101', message: '`torch.abs` → `mindspore.mint.abs` (same behaviour)', severity: 'info', start: 10, end: 19, range: range(2, 2), fixes: [{ title: 'Replace with mint.abs', applicability: 'safe', edits: [{ start: 10, end: 19, newText: 'mint.abs' }] }], data: { torchApi: 'torch.abs', msApi: 'mindspore.mint.abs', twin: 'mint', confidence: 'high' }, cell: 3 },
      { code: 'MSP103', message: 'no equivalent', severity: 'warning', start: 30, end: 41, range: range(4, 5), fixes: [] },
      { code: 'MSP101', message: '`torch.abs` → `mindspore.mint.abs` (same behaviour)', severity: 'info', start: 50, end: 59, range: range(7, 7), fixes: [{ title: 'a', applicability: 'unsafe', edits: [] }, { title: 'b', applicability: 'safe', edits: [] }], data: { torchApi: 'torch.abs' } },
    ],
    stats: { ...emptyStats(), apiUses: 3, same: 2 },
    syntaxErrors: 1,
    lineCount: 12,
    warning: 'the file is not valid UTF-8',
    internalErrors: [],
  };
  const noEdits = (r: FileResult) => ({ ...r, findings: r.findings.map((f) => ({ ...f, fixes: f.fixes.map((x) => ({ ...x, edits: [] })) })) });
  const bytes = packEntry(result);
  assert.ok(bytes.every((b) => b < 128), 'ASCII');
  assert.ok(bytes.length < JSON.stringify(noEdits(result)).length, 'smaller than the plain JSON');
  assert.deepEqual(unpackEntry(bytes), noEdits(result), 'everything but the fixes’ edits comes back');
  // a finding with a field the packed form does not know: kept plain, whole but for the edits
  const odd = { ...result, findings: [{ ...result.findings[1], related: 'x' } as FileResult['findings'][number]] };
  assert.deepEqual(unpackEntry(packEntry(odd)), noEdits(odd));
  for (const junk of ['{}', '[]', '"x"', '{"v":2,"s":[],"n":[0,0,0]}', '{"v":3}']) assert.equal(unpackEntry(Buffer.from(junk)), undefined, junk);
  assert.throws(() => unpackEntry(Buffer.from('not json')));
});
