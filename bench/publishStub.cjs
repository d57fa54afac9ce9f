// The edit benchmark's floor: a stand-in language server that does no analysis. It answers `initialize` and,
// for every didOpen/didChange, publishes the same diagnostics (a JSON file given as argv[2], captured from the
// real server) as ASCII JSON bytes prepared once, only the version changing. Timing the same typing against it
// measures what the protocol alone costs: writing the message, the pipe, and the client reading and parsing it.
'use strict';
const { readFileSync } = require('node:fs');

const ascii = (s) => s.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const diagnostics = Buffer.from(ascii(JSON.stringify(JSON.parse(readFileSync(process.argv[2], 'utf8')))), 'latin1');

function write(body) {
  process.stdout.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]));
}
const reply = (id, result) => write(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result }), 'latin1'));

function publish(uri, version) {
  const head = ascii(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri, version, diagnostics: [] } }));
  const at = head.lastIndexOf('[]');
  write(Buffer.concat([Buffer.from(head.slice(0, at), 'latin1'), diagnostics, Buffer.from(head.slice(at + 2), 'latin1')]));
}

let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    const headerEnd = pending.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: *(\d+)/i.exec(pending.subarray(0, headerEnd).toString('latin1'))?.[1]);
    if (pending.length < headerEnd + 4 + length) return;
    const msg = JSON.parse(pending.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
    pending = pending.subarray(headerEnd + 4 + length);
    if (msg.method === 'initialize') reply(msg.id, { capabilities: { textDocumentSync: 2 } });
    else if (msg.method === 'shutdown') reply(msg.id, null);
    else if (msg.method === 'exit') process.exit(0);
    else if (msg.method === 'textDocument/didOpen' || msg.method === 'textDocument/didChange') publish(msg.params.textDocument.uri, msg.params.textDocument.version);
    else if (msg.id !== undefined && msg.method) reply(msg.id, null);
  }
});
process.stdin.on('end', () => process.exit(0));
