// Findings as the server keeps them for open documents: the same data, with repeated strings shared.
// A file's findings repeat a few messages many times (`torch.tensor` → `mindspore.tensor` …) and each was
// built as its own string; 1,000 open files hold about 130,000 findings, so sharing them matters.
import type { Finding } from '../engine/findings';

/** Returns one shared copy of each distinct string; forgets everything past `limit` entries. */
export function stringInterner(limit = 100_000): (s: string) => string {
  let table = new Map<string, string>();
  return (s) => {
    const known = table.get(s);
    if (known !== undefined) return known;
    if (table.size >= limit) table = new Map();
    // a copy that does not keep the string it was sliced or concatenated from alive
    const own = (' ' + s).slice(1);
    table.set(own, own);
    return own;
  };
}

/** A finding of an open document: positions come from its TextDocument, so no line/character range is kept. */
export type StoredFinding = Omit<Finding, 'range'>;

export function compactFinding(f: Finding, intern: (s: string) => string): StoredFinding {
  const out: StoredFinding = {
    code: intern(f.code),
    message: intern(f.message),
    severity: f.severity,
    start: f.start,
    end: f.end,
    fixes: f.fixes.map((x) => ({
      title: intern(x.title),
      applicability: x.applicability,
      edits: x.edits.map((e) => ({ start: e.start, end: e.end, newText: intern(e.newText) })),
    })),
  };
  if (f.data) {
    const d: NonNullable<Finding['data']> = {};
    if (f.data.torchApi !== undefined) d.torchApi = intern(f.data.torchApi);
    if (f.data.msApi !== undefined) d.msApi = intern(f.data.msApi);
    if (f.data.twin !== undefined) d.twin = f.data.twin;
    if (f.data.confidence !== undefined) d.confidence = f.data.confidence;
    out.data = d;
  }
  return out;
}
