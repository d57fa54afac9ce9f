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
