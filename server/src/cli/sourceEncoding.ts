// Writing a Python file back in the encoding it was read in (engine/text.ts `decodeSource`), so `fix` and `port`
// keep a GBK or Latin-1 file's bytes outside the edits. Node writes UTF-8, UTF-16 and Latin-1 itself. For the
// other encodings a coding cookie can name (GBK, Big5, Shift_JIS, EUC-KR, the single-byte code pages) the
// table is the decoder's own, turned around: every one- and two-byte sequence is decoded once, so what is
// written always reads back the same. A character no such sequence gives (GB18030's four-byte ones, say) is
// refused, and so is any text that would not read back exactly: nothing is written then.

export class EncodeError extends Error {}

/** Character → bytes, from decoding every one- and two-byte sequence with a lead byte above ASCII. */
const tables = new Map<string, Map<string, number[]>>();

function tableOf(encoding: string): Map<string, number[]> {
  let table = tables.get(encoding);
  if (table) return table;
  table = new Map();
  const decoder = new TextDecoder(encoding); // replaces what it cannot decode with U+FFFD
  const one = new Uint8Array(1);
  const two = new Uint8Array(2);
  for (let b1 = 0x80; b1 <= 0xff; b1++) {
    one[0] = b1;
    const c = decoder.decode(one);
    if (c !== '\ufffd' && [...c].length === 1 && !table.has(c)) table.set(c, [b1]);
  }
  for (let b1 = 0x80; b1 <= 0xff; b1++) {
    for (let b2 = 0x21; b2 <= 0xff; b2++) {
      two[0] = b1;
      two[1] = b2;
      const c = decoder.decode(two);
      if (!c.includes('\ufffd') && [...c].length === 1 && !table.has(c)) table.set(c, [b1, b2]);
    }
  }
  tables.set(encoding, table);
  return table;
}

export function encodeSource(encoding: string, text: string): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'latin-1':
      if (/[^\u0000-\u00ff]/.test(text)) throw new EncodeError('the result has characters Latin-1 cannot hold');
      return Buffer.from(text, 'latin1');
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be': {
      const le = Buffer.from(text, 'utf16le');
      for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
    }
  }
  const name = encoding.toUpperCase();
  const table = tableOf(encoding);
  const out = Buffer.allocUnsafe(text.length * 2);
  let at = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code < 0x80) {
      out[at++] = code;
      continue;
    }
    const bytes = table.get(c);
    if (!bytes) throw new EncodeError(`the result has a character ${name} cannot hold as MindPort writes it (U+${code.toString(16).toUpperCase().padStart(4, '0')})`);
    for (const b of bytes) out[at++] = b;
  }
  const written = out.subarray(0, at);
  // ASCII is assumed to stand for itself: check, as for every character, that the bytes read back as the text
  if (new TextDecoder(encoding).decode(written) !== text) throw new EncodeError(`the result would not read back the same in ${name}`);
  return Buffer.from(written);
}
