// How the server's messages become bytes on the stdio transport. vscode-jsonrpc's default encoder is
// Buffer.from(JSON.stringify(message)). For the publishDiagnostics of a large file, re-sent on every keystroke,
// that is most of the cost of an edit: 2,000 diagnostics make ≈650 KB, and a single non-ASCII character in a
// message ("→" is in most of ours) makes V8 hold the JSON as a two-byte string, whose UTF-8 encoding alone
// takes ≈7 ms (and the client's decoding of it ≈3 ms more than of ASCII).
//
// Here every message is written as ASCII JSON: characters outside ASCII become \uXXXX escapes, which every
// JSON reader turns back into the same text. The part of a diagnostic after its range (severity, code, link,
// source, message) is kept, by message, between publishes; only the ranges are formatted again.
import type { Diagnostic, Message, PublishDiagnosticsParams } from 'vscode-languageserver/node';

const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_ALL = /[^\x00-\x7f]/g;
const escapeUnit = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** JSON.stringify(value), with every character outside ASCII written as a \uXXXX escape (UTF-16 units). */
export function asciiJson(value: unknown): string {
  const s = JSON.stringify(value);
  // JSON.stringify leaves non-ASCII characters only inside strings, where an escape means the same
  if (s === undefined || !NON_ASCII.test(s)) return s;
  return s.replace(NON_ASCII_ALL, escapeUnit);
}

interface Tail {
  severity: Diagnostic['severity'];
  code: Diagnostic['code'];
  href: string | undefined;
  source: string | undefined;
  /** `"severity":…,"message":…}` as ASCII bytes */
  bytes: Buffer;
}

/** Cached tails kept at most; beyond this the cache starts afresh (one large file has a few hundred messages). */
const MAX_TAILS = 20_000;

const ascii = (s: string) => Buffer.from(s, 'latin1');

/**
 * A message built from ASCII strings and byte pieces in two passes (lengths, then one buffer filled with one
 * native copy per piece): a publish of thousands of diagnostics encodes no large string.
 */
class ByteMessage {
  private readonly pieces: (Buffer | string)[] = [];
  private length = 0;
  /** `piece` must be ASCII when it is a string. */
  add(piece: Buffer | string): void {
    this.pieces.push(piece);
    this.length += piece.length;
  }
  bytes(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    let at = 0;
    for (const p of this.pieces) {
      if (typeof p === 'string') at += out.write(p, at, 'latin1');
      else {
        out.set(p, at);
        at += p.length;
      }
    }
    return out;
  }
}

export class MessageEncoder {
  readonly name = 'application/json';
  private readonly tails = new Map<string, Tail>();

  encode(msg: Message): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.bytes(msg));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The message as ASCII JSON bytes (ASCII is UTF-8). */
  bytes(msg: Message): Buffer {
    const m = msg as { method?: unknown; params?: unknown };
    if (m.method === 'textDocument/publishDiagnostics' && isPlainNotification(msg)) {
      const fast = this.publishBytes(m.params as PublishDiagnosticsParams);
      if (fast !== undefined) return fast;
    }
    return ascii(asciiJson(msg));
  }

  private publishBytes(p: PublishDiagnosticsParams): Buffer | undefined {
    if (!p || typeof p.uri !== 'string' || !Array.isArray(p.diagnostics)) return undefined;
    for (const k in p) if (k !== 'uri' && k !== 'version' && k !== 'diagnostics') return undefined;
    const out = new ByteMessage();
    out.add(`{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":${asciiJson(p.uri)}${typeof p.version === 'number' ? `,"version":${asciiJson(p.version)}` : ''},"diagnostics":[`);
    p.diagnostics.forEach((d, i) => this.addDiagnostic(out, d, i > 0 ? ',' : ''));
    out.add(']}}');
    return out.bytes();
  }

  private addDiagnostic(out: ByteMessage, d: Diagnostic, separator: string): void {
    const r = d.range;
    if (d.tags !== undefined || d.relatedInformation !== undefined || d.data !== undefined || typeof d.message !== 'string' || !isRange(r)) {
      out.add(separator + asciiJson(d));
      return;
    }
    const href = d.codeDescription?.href;
    let tail = this.tails.get(d.message);
    if (!tail || tail.severity !== d.severity || tail.code !== d.code || tail.href !== href || tail.source !== d.source) {
      if (d.codeDescription !== undefined && (typeof href !== 'string' || Object.keys(d.codeDescription).length !== 1)) {
        out.add(separator + asciiJson(d));
        return;
      }
      if (this.tails.size >= MAX_TAILS) this.tails.clear();
      const rest = asciiJson({ severity: d.severity, code: d.code, codeDescription: d.codeDescription, source: d.source, message: d.message });
      tail = { severity: d.severity, code: d.code, href, source: d.source, bytes: ascii(rest.slice(1)) };
      this.tails.set(d.message, tail);
    }
    const a = r.start;
    const b = r.end;
    out.add(`${separator}{"range":{"start":{"line":${a.line},"character":${a.character}},"end":{"line":${b.line},"character":${b.character}}},`);
    out.add(tail.bytes);
  }
}

function isPlainNotification(msg: Message): boolean {
  for (const k in msg) if (k !== 'jsonrpc' && k !== 'method' && k !== 'params') return false;
  return (msg as { jsonrpc?: unknown }).jsonrpc === '2.0';
}

/** A range of non-negative integer positions (anything else is left to JSON.stringify). */
function isRange(r: unknown): r is Diagnostic['range'] {
  const x = r as Diagnostic['range'] | undefined;
  const ok = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  return !!x && !!x.start && !!x.end && ok(x.start.line) && ok(x.start.character) && ok(x.end.line) && ok(x.end.character);
}
