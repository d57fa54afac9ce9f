// The server's message encoder (stdio): ASCII bytes that decode to the very message vscode-jsonrpc's default
// encoder would have sent, for publishDiagnostics (cached per message) and everything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic, Message } from 'vscode-languageserver/node';
import { MessageEncoder } from '../../server/src/lsp/messageEncoding';
import { asciiJson } from '../../server/src/engine/text';

const AWKWARD = ['`torch.fft.rfft2` → `mindspore.mint.fft.rfft2`', 'quote " backslash \\ newline \n tab \t', 'CJK 张量 emoji 🌊 lone \ud800 surrogate', '\u007f\u0080\u00ff\u2028\u2029', ''];

function diag(i: number, message: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return {
    range: { start: { line: i, character: i % 7 }, end: { line: i + 1, character: 3 } },
    severity: ((i % 4) + 1) as Diagnostic['severity'],
    code: 'MSP101',
    codeDescription: { href: 'file:///opt/mindport/docs/rules/MSP101.md' },
    source: 'mindport',
    message,
    ...extra,
  };
}

async function roundTrip(enc: MessageEncoder, msg: Message): Promise<unknown> {
  const bytes = await enc.encode(msg);
  for (const b of bytes) assert.ok(b < 0x80, 'every byte is ASCII');
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

test('asciiJson escapes everything outside ASCII and means the same JSON', () => {
  for (const s of AWKWARD) {
    const j = asciiJson({ s });
    assert.match(j, /^[\x00-\x7f]*$/);
    assert.deepEqual(JSON.parse(j), { s });
  }
  assert.equal(asciiJson({ a: 'plain' }), JSON.stringify({ a: 'plain' }), 'ASCII text is left as JSON.stringify wrote it');
});

test('publishDiagnostics decodes to the message sent, with and without a version', async () => {
  const enc = new MessageEncoder();
  const diagnostics = AWKWARD.flatMap((m, i) => [diag(i, m), diag(i + 10, m)]);
  for (const params of [
    { uri: 'file:///tmp/ocean%20model/sfno.py', version: 7, diagnostics },
    { uri: 'file:///tmp/x.py', diagnostics },
    { uri: 'file:///tmp/x.py', version: 8, diagnostics: [] },
  ]) {
    const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params } as Message;
    assert.deepEqual(await roundTrip(enc, msg), JSON.parse(JSON.stringify(msg)));
  }
});

test('a cached message is never sent with another diagnostic’s severity, code, link or source', async () => {
  const enc = new MessageEncoder();
  const m = '`torch.cdist` has no MindSpore equivalent';
  const variants: Diagnostic[] = [
    diag(1, m),
    diag(2, m, { severity: 1 }),
    diag(3, m, { code: 'MSP103' }),
    diag(4, m, { codeDescription: { href: 'file:///other/MSP103.md' } }),
    diag(5, m, { source: 'someone-else' }),
    diag(6, m, { codeDescription: undefined, code: undefined, source: undefined, severity: undefined }),
    diag(7, m, { tags: [1], data: { fix: 'x' }, relatedInformation: [] }),
  ];
  // twice over, so the second round reads what the first cached
  for (let round = 0; round < 2; round++) {
    const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', version: round, diagnostics: variants } } as Message;
    assert.deepEqual(await roundTrip(enc, msg), JSON.parse(JSON.stringify(msg)));
  }
});

test('other messages (requests, responses, odd parameters) go through unchanged', async () => {
  const enc = new MessageEncoder();
  const msgs = [
    { jsonrpc: '2.0', id: 3, result: { contents: { kind: 'markdown', value: AWKWARD.join(' | ') } } },
    { jsonrpc: '2.0', id: 'x', method: 'workspace/configuration', params: { items: [{ section: 'mindport' }] } },
    { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'MindPort → ready' } },
    // a publish with a field this encoder does not know, and one with a broken range: sent as they are
    { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics: [diag(1, 'x')], extra: true } },
    { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics: [{ ...diag(1, 'y'), range: { start: { line: 1.5, character: 0 }, end: { line: 2, character: 0 } } }] } },
  ] as unknown as Message[];
  for (const msg of msgs) assert.deepEqual(await roundTrip(enc, msg), JSON.parse(JSON.stringify(msg)));
});

test('a document re-published with some of the same diagnostic objects gets the bytes a fresh encoder writes', async () => {
  // as typing does: most diagnostics are the objects sent last time, some new (a moved or new finding), some
  // gone, several documents published in turn (more than the encoder keeps), each message checked byte by byte
  const { mulberry32 } = await import('../../bench/prng.mjs');
  const rand = mulberry32(5);
  const enc = new MessageEncoder();
  const docs = Array.from({ length: 11 }, (_, u) => ({ uri: `file:///w/m${u}.py`, list: Array.from({ length: 40 }, (_, i) => diag(i, AWKWARD[i % AWKWARD.length])) }));
  let made = 1000;
  for (let round = 0; round < 300; round++) {
    const doc = docs[Math.floor(rand() * (round < 100 ? 3 : docs.length))];
    const next: Diagnostic[] = [];
    for (const d of doc.list) {
      const r = rand();
      if (r < 0.05) continue; // removed
      if (r < 0.1) next.push(diag(made++, AWKWARD[made % AWKWARD.length])); // replaced by a new object
      else next.push(d);
      if (rand() < 0.03) next.push(diag(made++, `new ${made}`)); // inserted
    }
    if (rand() < 0.05) next.reverse(); // out of order
    if (rand() < 0.1) next.splice(Math.floor(rand() * next.length), 0, ...Array.from({ length: 20 }, () => diag(made++, `run ${made}`))); // a run of new ones
    if (rand() < 0.02) next.length = 0;
    doc.list = next.length ? next : [diag(made++, 'again')];
    const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: doc.uri, version: round, diagnostics: doc.list } } as Message;
    const bytes = Buffer.from(await enc.encode(msg));
    const fresh = Buffer.from(await new MessageEncoder().encode(msg));
    assert.ok(bytes.equals(fresh), `round ${round}: ${bytes.toString('latin1').slice(0, 200)}`);
    assert.deepEqual(JSON.parse(bytes.toString('utf8')), JSON.parse(JSON.stringify(msg)));
  }
});
