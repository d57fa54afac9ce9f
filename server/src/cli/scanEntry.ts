// The scan cache's entry for one file: a FileResult packed as a table of its distinct strings and one flat list
// of numbers, then JSON. Findings repeat a few messages, codes and fix titles hundreds of times, and their
// positions are numbers: packed, a file's entry is a fraction of its result's JSON and quicker to write and
// read (on the benchmark corpus, making the entries was 15 % of each scan worker's time as plain JSON).
// What is kept is what scan reports read: each fix's title and applicability, not its edits.
// A finding with a field this format does not know is not packed: the entry is then the plain result.
import type { FileFinding, FileResult } from '../engine/project';
import type { Applicability, Severity } from '../engine/findings';
import { asciiJson } from '../engine/text';

const FINDING_KEYS = new Set(['code', 'message', 'severity', 'start', 'end', 'range', 'fixes', 'data', 'cell']);

/** Packed: `r` the result without its findings, `s` the strings, `n` per finding: code, message, severity,
 * start, end, range (4), data (string index or -1), cell (or -1), fix count, then per fix title, applicability. */
interface Packed {
  v: 2;
  r: Omit<FileResult, 'findings'>;
  s: string[];
  n: number[];
  /** The project files whose classes the analysis used, with a sha256 of their bytes then (EntryDeps). */
  d?: EntryDeps;
}

/** The project files an entry's analysis read (engine/projectIndex.ts) and a sha256 of each one's bytes. */
export type EntryDeps = [path: string, sha256: string][];

/** What an entry holds: the result, and the files it depends on besides its own. */
export type CachedResult = FileResult & { deps?: EntryDeps };

/** The entry's bytes: ASCII JSON (read back as Latin-1, the quickest decoding). */
export function packEntry(result: FileResult, deps?: EntryDeps): Buffer {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (s: string) => {
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const n: number[] = [];
  for (const f of result.findings) {
    for (const k in f) if (!FINDING_KEYS.has(k)) return plain(result, deps);
    const r = f.range;
    n.push(str(f.code), str(f.message), str(f.severity), f.start, f.end, r.start.line, r.start.character, r.end.line, r.end.character);
    n.push(f.data === undefined ? -1 : str(JSON.stringify(f.data)), f.cell ?? -1, f.fixes.length);
    for (const x of f.fixes) n.push(str(x.title), str(x.applicability));
  }
  const { findings: _, ...rest } = result;
  const packed: Packed = deps?.length ? { v: 2, r: rest, s: strings, n, d: deps } : { v: 2, r: rest, s: strings, n };
  return Buffer.from(asciiJson(packed), 'latin1');
}

function plain(result: FileResult, deps?: EntryDeps): Buffer {
  const findings = result.findings.map((f) => (f.fixes.length ? { ...f, fixes: f.fixes.map((x) => ({ title: x.title, applicability: x.applicability, edits: [] })) } : f));
  return Buffer.from(asciiJson(deps?.length ? { ...result, findings, deps } : { ...result, findings }), 'latin1');
}

/** The result an entry holds (fixes without edits); undefined if the bytes are not an entry. */
export function unpackEntry(bytes: Buffer): CachedResult | undefined {
  const json = JSON.parse(bytes.toString('latin1')) as Packed | CachedResult;
  if (!json || typeof json !== 'object') return undefined;
  if (!('v' in json)) return Array.isArray((json as FileResult).findings) ? (json as CachedResult) : undefined;
  if (json.v !== 2 || !Array.isArray(json.s) || !Array.isArray(json.n)) return undefined;
  const { s, n } = json;
  const data = new Map<number, FileFinding['data']>();
  const findings: FileFinding[] = [];
  for (let i = 0; i < n.length; ) {
    const f: FileFinding = {
      code: s[n[i]],
      message: s[n[i + 1]],
      severity: s[n[i + 2]] as Severity,
      start: n[i + 3],
      end: n[i + 4],
      range: { start: { line: n[i + 5], character: n[i + 6] }, end: { line: n[i + 7], character: n[i + 8] } },
      fixes: [],
    };
    const d = n[i + 9];
    if (d >= 0) {
      if (!data.has(d)) data.set(d, JSON.parse(s[d]));
      f.data = data.get(d);
    }
    if (n[i + 10] >= 0) f.cell = n[i + 10];
    const fixes = n[i + 11];
    i += 12;
    for (let k = 0; k < fixes; k++, i += 2) f.fixes.push({ title: s[n[i]], applicability: s[n[i + 1]] as Applicability, edits: [] });
    if (typeof f.code !== 'string' || typeof f.message !== 'string' || !Number.isInteger(f.start)) return undefined;
    findings.push(f);
  }
  return json.d ? { ...json.r, findings, deps: json.d } : { ...json.r, findings };
}
