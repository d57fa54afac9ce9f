// How the server's messages become bytes on the stdio transport. vscode-jsonrpc's default encoder is
// Buffer.from(JSON.stringify(message)). For the publishDiagnostics of a large file, re-sent on every keystroke,
// that is most of the cost of an edit: 2,000 diagnostics make ≈650 KB, and a single non-ASCII character in a
// message ("→" is in most of ours) makes V8 hold the JSON as a two-byte string, whose UTF-8 encoding alone
// takes ≈7 ms (and the client's decoding of it ≈3 ms more than of ASCII).
//
// Here every message is written as ASCII JSON: characters outside ASCII become \uXXXX escapes, which every
// JSON reader turns back into the same text. A diagnostic object that was in the document's last publish is sent
// as the bytes it had there (copied run by run); of the others, the part after the range (severity, code, link,
// source, message) is kept, by message, between publishes, and only the range is formatted again.
import type { Diagnostic, Message, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { asciiJson } from '../engine/text';
import { LastIndex } from './lastIndex';

interface Tail {
  severity: Diagnostic['severity'];
  code: Diagnostic['code'];
  href: string | undefined;
  source: string | undefined;
  /** `"severity":…,"message":…}` as ASCII bytes */
  bytes: Buffer;
}

/**
 * A document's last publish: its diagnostics and where each one's bytes are in the message. A diagnostic object
 * is taken to be unchanged since it was made (the server never changes one: convert.ts makes a new one for a
 * finding that moved), so the same object in the next publish is sent as the same bytes.
 */
interface Sent {
  diagnostics: readonly Diagnostic[];
  bytes: Buffer;
  starts: Int32Array;
  ends: Int32Array;
}

/** Documents whose last publish is kept (the ones being typed in are among the most recent). */
const SENT_KEPT = 8;

/** Cached tails kept at most; beyond this the cache starts afresh (one large file has a few hundred messages). */
const MAX_TAILS = 20_000;

const ascii = (s: string) => Buffer.from(s, 'latin1');

/** Decimal digits of a non-negative safe integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Writes ASCII strings, bytes and non-negative integers into a buffer sized beforehand. */
class ByteWriter {
  at = 0;
  constructor(readonly out: Buffer) {}
  /** `s` must be ASCII. */
  text(s: string): void {
    this.at += this.out.write(s, this.at, 'latin1');
  }
  bytes(b: Buffer): void {
    this.out.set(b, this.at);
    this.at += b.length;
  }
  /** `n` must be a non-negative safe integer. */
  int(n: number): void {
    this.at += digits(n);
    let i = this.at;
    do {
      this.out[--i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }
}

// the constant parts of a diagnostic's range: RANGE_START line CHARACTER character RANGE_END line CHARACTER
// character RANGE_CLOSE, then its tail
const RANGE_START = ascii('{"range":{"start":{"line":');
const CHARACTER = ascii(',"character":');
const RANGE_END = ascii('},"end":{"line":');
const RANGE_CLOSE = ascii('}},');
const RANGE_FIXED = RANGE_START.length + 2 * CHARACTER.length + RANGE_END.length + RANGE_CLOSE.length;

export class MessageEncoder {
  readonly name = 'application/json';
  private readonly tails = new Map<string, Tail>();
  /** The last publish of the documents published most recently (a Map keeps insertion order: oldest first). */
  private readonly sent = new Map<string, Sent>();

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

  /**
   * A publish in two passes over its diagnostics: their lengths (the bytes they had in the document's last
   * publish when they are the same objects, else each one's cached tail, or its JSON when it has fields the tail
   * does not cover), then one buffer written piece by piece. No string is made per range.
   */
  private publishBytes(p: PublishDiagnosticsParams): Buffer | undefined {
    if (!p || typeof p.uri !== 'string' || !Array.isArray(p.diagnostics)) return undefined;
    for (const k in p) if (k !== 'uri' && k !== 'version' && k !== 'diagnostics') return undefined;
    const head = `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":${asciiJson(p.uri)}${typeof p.version === 'number' ? `,"version":${asciiJson(p.version)}` : ''},"diagnostics":[`;
    const list = p.diagnostics;
    const last = this.sent.get(p.uri);
    const parts = new Array<Tail | string | number>(list.length); // a number: the index of the same diagnostic in `last`
    let length = head.length + Math.max(0, list.length - 1) + 3;
    const at = last && new LastIndex(last.diagnostics, list);
    for (let i = 0; i < list.length; i++) {
      const d = list[i];
      const k = at ? at.of(i, d) : -1;
      if (k >= 0) {
        length += last!.ends[k] - last!.starts[k];
        parts[i] = k;
        continue;
      }
      const tail = this.tailOf(d);
      if (tail) {
        const { start, end } = d.range;
        length += RANGE_FIXED + digits(start.line) + digits(start.character) + digits(end.line) + digits(end.character) + tail.bytes.length;
        parts[i] = tail;
      } else {
        const json = asciiJson(d);
        length += json.length;
        parts[i] = json;
      }
    }
    const out = new ByteWriter(Buffer.allocUnsafe(length));
    const starts = new Int32Array(list.length);
    const ends = new Int32Array(list.length);
    out.text(head);
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out.text(',');
      starts[i] = out.at;
      const part = parts[i];
      if (typeof part === 'number') {
        // a run of diagnostics sent one after another last time is one copy (the commas between them included)
        const sent = last!;
        const first = i;
        let k = part;
        while (i + 1 < list.length && parts[i + 1] === k + 1) {
          i++;
          k++;
        }
        const shift = out.at - sent.starts[part];
        for (let t = 0; t <= i - first; t++) {
          starts[first + t] = sent.starts[part + t] + shift;
          ends[first + t] = sent.ends[part + t] + shift;
        }
        out.bytes(sent.bytes.subarray(sent.starts[part], sent.ends[k]));
        continue;
      }
      if (typeof part === 'string') out.text(part);
      else {
        const { start, end } = list[i].range;
        out.bytes(RANGE_START);
        out.int(start.line);
        out.bytes(CHARACTER);
        out.int(start.character);
        out.bytes(RANGE_END);
        out.int(end.line);
        out.bytes(CHARACTER);
        out.int(end.character);
        out.bytes(RANGE_CLOSE);
        out.bytes(part.bytes);
      }
      ends[i] = out.at;
    }
    out.text(']}}');
    // kept for the document's next publish (the most recent documents only: each holds its message's bytes)
    this.sent.delete(p.uri);
    if (list.length) this.sent.set(p.uri, { diagnostics: list, bytes: out.out, starts, ends });
    if (this.sent.size > SENT_KEPT) this.sent.delete(this.sent.keys().next().value as string);
    return out.out;
  }

  /** The cached bytes of the diagnostic after its range, or undefined when it has fields they do not cover. */
  private tailOf(d: Diagnostic): Tail | undefined {
    if (d.tags !== undefined || d.relatedInformation !== undefined || d.data !== undefined || typeof d.message !== 'string' || !isRange(d.range)) return undefined;
    const href = d.codeDescription?.href;
    let tail = this.tails.get(d.message);
    if (!tail || tail.severity !== d.severity || tail.code !== d.code || tail.href !== href || tail.source !== d.source) {
      if (d.codeDescription !== undefined && (typeof href !== 'string' || Object.keys(d.codeDescription).length !== 1)) return undefined;
      if (this.tails.size >= MAX_TAILS) this.tails.clear();
      const rest = asciiJson({ severity: d.severity, code: d.code, codeDescription: d.codeDescription, source: d.source, message: d.message });
      tail = { severity: d.severity, code: d.code, href, source: d.source, bytes: ascii(rest.slice(1)) };
      this.tails.set(d.message, tail);
    }
    return tail;
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
