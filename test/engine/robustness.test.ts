// The engine never throws and keeps analysing what it can: syntax errors, empty and huge files, odd encodings,
// absurd nesting, binary files; positions stay right after non-ASCII text.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { runCli } from '../../server/src/cli/commands';
import { readSource, MAX_FILE_BYTES } from '../../server/src/engine/files';
import { initParser } from '../../server/src/engine/parser';
import { analyzeFile } from '../../server/src/engine/project';
import { decodeSource, LineIndex } from '../../server/src/engine/text';
import { analyze, realDb, settings } from './helpers';

let dir: string;
before(async () => {
  await initParser();
  dir = mkdtempSync(join(tmpdir(), 'mindport-robust-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const MSP1 = { select: ['MSP1'] };
const apis = (src: string, over = {}) =>
  analyze(src, { ...MSP1, ...over }).findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.data?.torchApi}`);

describe('syntax errors and empty input', () => {
  test('findings are still reported for the valid parts of a broken file', () => {
    const src = `import torch
def broken(:
    pass
y = torch.abs(x
z = torch.zeros(2, 3)
class C(
w = torch.abs(q)
`;
    const a = analyze(src, MSP1);
    assert.ok(a.syntaxErrors > 0);
    assert.deepEqual(a.internalErrors, []);
    const lines = a.findings.map((f) => f.range.start.line + 1);
    assert.ok(lines.includes(5), `torch.zeros on line 5: ${lines}`);
    assert.ok(lines.includes(7), `torch.abs on line 7: ${lines}`);
  });

  test('a stray indent, a lone keyword and an unterminated string', () => {
    const src = 'import torch\n  x = 1\nreturn\ns = "abc\ny = torch.abs(x)\n';
    assert.ok(apis(src).includes('5:5 torch.abs'), JSON.stringify(apis(src)));
  });

  test('empty, whitespace-only, comment-only and BOM-only texts', () => {
    for (const src of ['', '\n\n\n', '   ', '# just a comment', '\ufeff', '\r\n\r\n']) {
      const a = analyze(src);
      assert.deepEqual(a.findings, [], JSON.stringify(src));
      assert.deepEqual(a.internalErrors, []);
      assert.equal(a.syntaxErrors, 0);
      assert.equal(a.stats.apiUses, 0);
    }
  });

  test('Python 2 code parses with errors but does not throw', () => {
    const a = analyze('import torch\nprint "hello"\nexec "x = 1"\ny = torch.abs(x)\n', MSP1);
    assert.deepEqual(a.internalErrors, []);
    assert.equal(a.findings.filter((f) => f.data?.torchApi === 'torch.abs').length, 1);
  });
});

describe('size', () => {
  test('a 10 MB generated file is analysed and its uses found', () => {
    const pad = 'x'.repeat(1000);
    const parts = ['import torch\n'];
    let size = parts[0].length;
    let calls = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      let line: string;
      if (i % 10 === 0) {
        line = `y${i} = torch.abs(x${i})\n`;
        calls++;
      } else line = i % 2 ? `s${i} = "${pad}"\n` : `# ${pad}\n`;
      parts.push(line);
      size += line.length;
    }
    const src = parts.join('');
    assert.ok(src.length >= 10 * 1024 * 1024);
    const a = analyze(src);
    assert.deepEqual(a.internalErrors, []);
    assert.equal(a.stats.apiUses, calls);
    assert.equal(a.findings.filter((f) => f.code === 'MSP101').length, calls);
    const last = a.findings[a.findings.length - 1];
    assert.equal(src.slice(last.start, last.end), 'torch.abs');
  });

  test('a file above the size limit is skipped with a clear reason (not read)', () => {
    const p = join(dir, 'huge.py');
    writeFileSync(p, '');
    truncateSync(p, MAX_FILE_BYTES + 1024 * 1024); // sparse: nothing is written
    const src = readSource(p);
    assert.equal(src.kind, 'skipped');
    assert.match((src as { reason: string }).reason, /^file is 21\.0 MB, above the 20 MB limit$/);
    const r = analyzeFile(p, settings(), realDb());
    assert.equal(r.skipped, (src as { reason: string }).reason);
    assert.deepEqual(r.findings, []);
  });

  test('the limit can be lowered per call', () => {
    const p = join(dir, 'small.py');
    writeFileSync(p, 'import torch\n'.repeat(200));
    assert.equal(readSource(p, 1024).kind, 'skipped');
    assert.equal(readSource(p).kind, 'python');
  });
});

describe('nesting', () => {
  test('5,000 nested parentheses: no throw, later code still analysed', () => {
    const src = `import torch\ny = ${'('.repeat(5000)}torch.abs(x)${')'.repeat(5000)}\nz = torch.abs(x)\n`;
    const a = analyze(src, MSP1);
    assert.deepEqual(a.internalErrors, []);
    assert.ok(a.findings.some((f) => f.range.start.line === 2), JSON.stringify(a.findings.map((f) => f.range)));
  });

  test('a 3,000-deep attribute chain and a 3,000-deep call chain: no throw', () => {
    const src = `import torch\na = torch${'.x'.repeat(3000)}\nb = t${'.view(1)'.repeat(3000)}\nc = ${'f('.repeat(3000)}x${')'.repeat(3000)}\nz = torch.abs(x)\n`;
    const a = analyze(src, MSP1);
    assert.deepEqual(a.internalErrors, []);
    assert.ok(a.findings.some((f) => f.range.start.line === 4 && f.data?.torchApi === 'torch.abs'));
  });

  test('deep lists, long operator chains and nested lambdas: no throw', () => {
    const src = `import torch\na = ${'['.repeat(5000)}${']'.repeat(5000)}\nb = x${' + x'.repeat(20000)}\nc = ${'lambda: '.repeat(2000)}1\nz = torch.abs(x)\n`;
    const a = analyze(src, MSP1);
    assert.deepEqual(a.internalErrors, []);
    assert.ok(a.findings.some((f) => f.range.start.line === 4));
  });

  test('80 nested blocks (CPython allows 100): the innermost use is found', () => {
    let src = 'import torch\n';
    for (let i = 0; i < 80; i++) src += `${' '.repeat(i)}if a:\n`;
    src += `${' '.repeat(80)}z = torch.abs(x)\n`;
    assert.deepEqual(apis(src), ['82:85 torch.abs']);
  });
});

describe('encodings', () => {
  test('a coding cookie naming GBK (or cp936, Big5, Shift_JIS…) is honoured; invalid bytes and unknown names warn', () => {
    const src = '# -*- coding: gbk -*-\n"""海洋模型"""\nimport torch\ny = torch.abs(x)  # 取绝对值\n';
    const gbk = Buffer.from([...Buffer.from('# -*- coding: gbk -*-\n"""', 'latin1'), 0xba, 0xa3, 0xd1, 0xf3, 0xc4, 0xa3, 0xd0, 0xcd, ...Buffer.from('"""\nimport torch\ny = torch.abs(x)  # ', 'latin1'), 0xc8, 0xa1, 0xbe, 0xf8, 0xb6, 0xd4, 0xd6, 0xb5, 0x0a]);
    assert.deepEqual(decodeSource(gbk), { text: src, encoding: 'gbk' });
    assert.equal(decodeSource(Buffer.concat([Buffer.from('# vim: set fileencoding=cp936 :\n'), gbk.subarray(gbk.indexOf(0x0a) + 1)])).encoding, 'gbk');
    assert.equal(decodeSource(Buffer.from('#!/usr/bin/env python\n# coding=big5\nx = 1\n')).encoding, 'big5');
    assert.equal(decodeSource(Buffer.from('# coding: shift-jis\nx = 1\n')).encoding, 'shift_jis');
    const broken = decodeSource(Buffer.from('# coding: gbk\ns = "\x81 "\n', 'latin1'));
    assert.equal(broken.encoding, 'latin-1');
    assert.match(broken.warning ?? '', /not valid GBK as its coding cookie declares; it was read as Latin-1/);
    const unknown = decodeSource(Buffer.from('# coding: klingon\nx = "é"\n'));
    assert.equal(unknown.text, '# coding: klingon\nx = "é"\n');
    assert.match(unknown.warning ?? '', /coding cookie names an encoding MindPort cannot read \(klingon\); it was read as UTF-8/);
    const p = join(dir, 'gbk.py');
    writeFileSync(p, gbk);
    const r = analyzeFile(p, settings(MSP1), realDb());
    assert.equal(r.warning, undefined);
    assert.deepEqual(r.findings.map((f) => [f.code, f.range.start.line, f.range.start.character]), [['MSP101', 3, 4]]);
  });

  test('invalid UTF-8 falls back to Latin-1 with a warning; ASCII parts are analysed', () => {
    const bytes = Buffer.from('import torch\ns = "caf\xe9"\ny = torch.abs(x)\n', 'latin1');
    const d = decodeSource(bytes);
    assert.equal(d.encoding, 'latin-1');
    assert.match(d.warning ?? '', /not valid UTF-8.*Latin-1/);
    assert.equal(d.text, 'import torch\ns = "café"\ny = torch.abs(x)\n');
    const p = join(dir, 'latin.py');
    writeFileSync(p, bytes);
    const r = analyzeFile(p, settings(MSP1), realDb());
    assert.match(r.warning ?? '', /not valid UTF-8/);
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].range.start.line, 2);
  });

  test('the CLI scan reports the warning and still analyses the file', async () => {
    const p = join(dir, 'enc', 'latin.py');
    rmSync(join(dir, 'enc'), { recursive: true, force: true });
    mkdirSync(join(dir, 'enc'));
    writeFileSync(p, Buffer.from('import torch\ns = "\xff\xfe"\ny = torch.abs(x)\n', 'latin1'));
    realDb();
    let out = '';
    let err = '';
    const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(c.toString()), cb()) });
    const code = await runCli(['scan', p, '--select', 'MSP1', '--no-cache'], {
      stdout: sink((s) => (out += s)),
      stderr: sink((s) => (err += s)),
      cwd: join(dir, 'enc'),
      env: {},
    });
    assert.equal(code, 0, err);
    assert.match(out, /^latin\.py: warning: the file is not valid UTF-8/m);
    assert.match(out, /^latin\.py:3:5: MSP101 /m);
  });

  test('a PEP 263 coding cookie on line 1 or 2 is honoured, elsewhere it is not', () => {
    const body = 'import torch\ns = "\xe9"\n';
    for (const head of ['# -*- coding: latin-1 -*-\n', '#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-1 :\n', '\n# coding=cp1252\n', '# coding: latin1\r\n']) {
      const d = decodeSource(Buffer.from(head + body, 'latin1'));
      assert.equal(d.encoding, 'latin-1', head);
      assert.equal(d.warning, undefined, head);
      assert.ok(d.text.endsWith('s = "é"\n'));
    }
    for (const head of ['import os\n# coding: latin-1\n', '\n\n# coding: latin-1\n']) {
      const d = decodeSource(Buffer.from(head + body, 'latin1'));
      assert.ok(d.warning, `${JSON.stringify(head)}: not a valid cookie position`);
    }
    const utf8 = decodeSource(Buffer.from('# coding: utf-8\ns = "é"\n', 'utf8'));
    assert.deepEqual([utf8.encoding, utf8.warning, utf8.text], ['utf-8', undefined, '# coding: utf-8\ns = "é"\n']);
  });

  test('UTF-16 with a BOM (LE and BE) and UTF-8 with a BOM', () => {
    const text = 'import torch\ns = "日本"\ny = torch.abs(x)\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const beBody = Buffer.from(text, 'utf16le');
    for (let i = 0; i + 1 < beBody.length; i += 2) [beBody[i], beBody[i + 1]] = [beBody[i + 1], beBody[i]];
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), beBody]);
    const u8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    for (const [name, bytes, enc] of [['le', le, 'utf-16le'], ['be', be, 'utf-16be'], ['u8', u8, 'utf-8-bom']] as const) {
      const d = decodeSource(bytes);
      assert.deepEqual([d.encoding, d.text, d.warning], [enc, text, undefined], name);
      // UTF-16 has NUL bytes: it must not be taken for a binary file
      const p = join(dir, `bom-${name}.py`);
      writeFileSync(p, bytes);
      const r = analyzeFile(p, settings(MSP1), realDb());
      assert.equal(r.skipped, undefined, name);
      assert.deepEqual(r.findings.map((f) => [f.range.start.line, f.range.start.character]), [[2, 4]], name);
    }
  });

  test('a file with NUL bytes is skipped as binary', () => {
    const p = join(dir, 'blob.py');
    writeFileSync(p, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x69, 0x6d, 0x70]));
    const r = readSource(p);
    assert.deepEqual(r, { kind: 'skipped', path: p, reason: 'binary file (contains NUL bytes)' });
    const p2 = join(dir, 'nul-in-text.py');
    writeFileSync(p2, 'import torch\ny = torch.abs(x)\n\0\n');
    assert.equal(readSource(p2).kind, 'skipped');
  });

  test('a missing file and a broken notebook are skipped with their reason', () => {
    const missing = readSource(join(dir, 'nope.py'));
    assert.equal(missing.kind, 'skipped');
    assert.match((missing as { reason: string }).reason, /ENOENT/);
    const nb = join(dir, 'bad.ipynb');
    writeFileSync(nb, '{ not json');
    const r = readSource(nb);
    assert.equal(r.kind, 'skipped');
    assert.match((r as { reason: string }).reason, /not a valid notebook/);
  });
});

describe('positions', () => {
  test('columns are UTF-16 code units after non-ASCII text on the same line', () => {
    // é is 1 unit, 日本 2 units, 😀 2 units (a surrogate pair)
    const src = 'import torch\ns = "é日本😀"; y = torch.abs(x)\n';
    const a = analyze(src, MSP1);
    assert.equal(a.findings.length, 1);
    const f = a.findings[0];
    const col = 's = "é日本😀"; y = '.length;
    assert.equal(col, 17);
    assert.deepEqual(f.range, { start: { line: 1, character: col }, end: { line: 1, character: col + 'torch.abs'.length } });
    assert.equal(src.slice(f.start, f.end), 'torch.abs');
  });

  test('non-ASCII identifiers and comments on earlier lines do not shift later positions', () => {
    const src = 'import torch\n# 注释 😀😀\nπ = 3.14\ndef 函数(張量):\n    return torch.abs(張量)\n';
    const a = analyze(src, MSP1);
    assert.deepEqual(a.findings.map((f) => f.range.start), [{ line: 4, character: 11 }]);
  });

  test('CRLF and lone CR line endings', () => {
    for (const eol of ['\r\n', '\r']) {
      const src = ['import torch', 'x = 1', '  # c', 'y = torch.abs(x)', ''].join(eol);
      const f = analyze(src, MSP1).findings;
      assert.deepEqual(f.map((x) => x.range.start), [{ line: 3, character: 4 }], JSON.stringify(eol));
    }
  });

  test('LineIndex converts both ways and clamps', () => {
    const idx = new LineIndex('ab\r\ncd\ne😀f\rg');
    assert.equal(idx.lineCount, 4);
    assert.deepEqual(idx.positionAt(4), { line: 1, character: 0 });
    assert.deepEqual(idx.positionAt(10), { line: 2, character: 3 });
    assert.equal(idx.offsetAt({ line: 2, character: 3 }), 10);
    assert.equal(idx.lineText(2), 'e😀f');
    assert.equal(idx.offsetAt({ line: 0, character: 99 }), 2, 'clamped to the end of the line');
    assert.deepEqual(idx.positionAt(-5), { line: 0, character: 0 });
    assert.deepEqual(idx.positionAt(999), { line: 3, character: 1 });
  });
});
