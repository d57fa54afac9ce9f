// Text helpers: decoding file bytes, and converting between UTF-16 offsets and (line, character) positions.
// Offsets and characters are UTF-16 code units everywhere, as in JavaScript strings, tree-sitter's web binding and LSP.

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export class LineIndex {
  private readonly starts: number[];
  constructor(
    readonly text: string,
    /** @internal the line starts, when already known (see `edited`) */
    known?: number[],
  ) {
    if (known) {
      this.starts = known;
      return;
    }
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }
  /**
   * The index of `text`, this index's text with [change.start, change.end - change.delta) replaced by
   * text[change.start, change.end): only the changed span is scanned. Texts with a CR are indexed afresh (a
   * CR LF pair could straddle the change).
   */
  edited(text: string, change: { start: number; end: number; delta: number }): LineIndex {
    if (text.includes('\r') || this.text.includes('\r')) return new LineIndex(text);
    const old = this.starts;
    // the lines starting at or before the change stay, those starting after its old end move by delta; the array
    // is made at its final length (pushing onto a copy reallocated it as it grew: garbage on every keystroke)
    const head = firstAfter(old, change.start);
    const tail = firstAfter(old, change.end - change.delta);
    let added = 0;
    for (let i = text.indexOf('\n', change.start); i >= 0 && i < change.end; i = text.indexOf('\n', i + 1)) added++;
    const starts = new Array<number>(head + added + old.length - tail);
    for (let k = 0; k < head; k++) starts[k] = old[k];
    let n = head;
    for (let i = text.indexOf('\n', change.start); i >= 0 && i < change.end; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
    for (let k = tail; k < old.length; k++) starts[n++] = old[k] + change.delta;
    return new LineIndex(text, starts);
  }
  get lineCount(): number {
    return this.starts.length;
  }
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }
  /** End of the line's content (before its line break). */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    let end = this.starts[line + 1];
    if (this.text.charCodeAt(end - 1) === 10) end--;
    if (this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }
  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }
  positionAt(offset: number): Position {
    offset = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }
  offsetAt(pos: Position): number {
    if (pos.line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, pos.line)];
    return Math.min(start + Math.max(0, pos.character), this.lineEnd(pos.line));
  }
  range(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}

export interface DecodedText {
  text: string;
  /**
   * How the bytes were read: 'utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'latin-1', or the WHATWG name of
   * another encoding a PEP 263 coding cookie declares ('gbk', 'gb18030', 'big5', 'shift_jis', 'euc-kr', …).
   */
  encoding: string;
  /** Set when the bytes were not valid in the declared/detected encoding and a fallback was used. */
  warning?: string;
}

/** Python codec names the WHATWG Encoding Standard (TextDecoder) spells otherwise. */
const PYTHON_CODECS: Record<string, string> = { cp936: 'gbk', ms936: 'gbk', cp932: 'shift_jis', ms932: 'shift_jis', sjis: 'shift_jis', big5hkscs: 'big5', cp949: 'euc-kr', ascii: 'utf-8', 'us-ascii': 'utf-8', 'utf-8-sig': 'utf-8' };

/** The TextDecoder encoding of a coding cookie's name, if this runtime can decode it. */
export function cookieEncoding(declared: string): string | undefined {
  const name = declared.toLowerCase();
  for (const label of [PYTHON_CODECS[name], name, name.replace(/_/g, '-'), PYTHON_CODECS[name.replace(/_/g, '-')]]) {
    if (!label) continue;
    try {
      return new TextDecoder(label).encoding;
    } catch {
      /* not a label this runtime knows */
    }
  }
  return undefined;
}

const asLatin1 = (bytes: Uint8Array, warning?: string): DecodedText => ({ text: new TextDecoder('latin1').decode(bytes), encoding: 'latin-1', ...(warning ? { warning } : {}) });

/**
 * Decodes Python source bytes: BOMs, a PEP 263 coding cookie (Latin-1 and the other encodings TextDecoder
 * knows, such as GBK), and invalid bytes (read as Latin-1 with a warning instead of failing, so analysis
 * still runs on the ASCII parts).
 */
export function decodeSource(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 400));
  // PEP 263: a cookie on line 1, or on line 2 when line 1 is a comment or blank
  const [first = '', second = ''] = head.split(/\r\n|\r|\n/);
  const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
  const cookie = COOKIE.exec(first) ?? (/^[ \t\f]*(#.*)?$/.test(first) ? COOKIE.exec(second) : null);
  const declared = cookie?.[1].toLowerCase();
  if (declared && /^(latin-?1|iso-?8859-?1|cp1252|windows-1252)$/.test(declared.replace(/_/g, '-'))) return asLatin1(bytes);
  const encoding = declared ? cookieEncoding(declared) : 'utf-8';
  if (encoding === undefined) {
    const utf8 = decodeUtf8(bytes);
    const why = `its coding cookie names an encoding MindPort cannot read (${declared})`;
    return utf8 ? { ...utf8, warning: `${why}; it was read as UTF-8` } : asLatin1(bytes, `${why}; it was read as Latin-1`);
  }
  if (encoding === 'utf-8') return decodeUtf8(bytes) ?? asLatin1(bytes, 'the file is not valid UTF-8; it was read as Latin-1 (add a coding cookie or re-save it as UTF-8)');
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding };
  } catch {
    return asLatin1(bytes, `the file is not valid ${encoding.toUpperCase()} as its coding cookie declares; it was read as Latin-1`);
  }
}

function decodeUtf8(bytes: Uint8Array): DecodedText | undefined {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return undefined;
  }
}

/** The index of the first element of the ascending `xs` greater than `x` (xs.length if none). */
function firstAfter(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `s` as a string of its own. V8 makes a substring of 13 characters or more a view that keeps its whole string
 * alive: a tree, name or message kept across edits of a document would otherwise hold the document's whole text
 * as it was then, one version per such piece.
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

const NON_ASCII = /[^\x00-\x7f]/;
const NON_ASCII_ALL = /[^\x00-\x7f]/g;
const escapeUnit = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON.stringify(value), with every character outside ASCII written as a \uXXXX escape (UTF-16 units): the
 * same JSON to any reader, one byte per character (encoded and decoded as Latin-1, far quicker than UTF-8).
 */
export function asciiJson(value: unknown): string {
  const s = JSON.stringify(value);
  // JSON.stringify leaves non-ASCII characters only inside strings, where an escape means the same
  if (s === undefined || !NON_ASCII.test(s)) return s;
  return s.replace(NON_ASCII_ALL, escapeUnit);
}
