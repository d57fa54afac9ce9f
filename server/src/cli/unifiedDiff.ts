// The unified diff `mindport fix --diff` prints: hunks of the changed lines with three lines of context, as
// `git diff` and Ruff's `--diff` print them, which `git apply` and `patch -p1` take. jsdiff (`diff`) computes the
// hunks. Its Myers diff costs (lines × changed lines): a 12,000-line file with thousands of fixed lines took
// seconds. Fixes change lines where they are and keep the others, so the texts are first cut where both have a
// long run of the same lines, found by lines that occur once in each (as patience diff anchors), and each piece
// is diffed alone. A cut is made only in the middle of such a run, at least CONTEXT + 1 lines from either end, so
// no hunk reaches it and no two hunks either side of it would have been merged: the output is what one diff of
// the whole texts gives.
import { structuredPatch } from 'diff';
import { isAbsolute } from 'node:path';

const CONTEXT = 3;
/** A run of equal lines this long is cut in its middle (2 × context + 2: hunks either side stay apart). */
const MIN_RUN = 2 * CONTEXT + 2;

/**
 * `--- a/NAME`, `+++ b/NAME` (as git and `patch -p1` read them; an absolute NAME, for a file outside the current
 * folder, with no prefix, as diff -u prints it), then the hunks; only the headers when the texts are equal.
 */
export function unifiedDiff(name: string, a: string, b: string): string {
  const out = isAbsolute(name) ? [`--- ${name}`, `+++ ${name}`] : [`--- a/${name}`, `+++ b/${name}`];
  const al = splitLines(a);
  const bl = splitLines(b);
  let i0 = 0;
  let j0 = 0;
  for (const [i1, j1] of [...cuts(al, bl), [al.length, bl.length] as const]) {
    const pa = al.slice(i0, i1).join('');
    const pb = bl.slice(j0, j1).join('');
    if (pa !== pb) {
      for (const h of structuredPatch(name, name, pa, pb, undefined, undefined, { context: CONTEXT }).hunks) {
        out.push(`@@ -${at(h.oldStart, h.oldLines, i0)} +${at(h.newStart, h.newLines, j0)} @@`, ...h.lines);
      }
    }
    i0 = i1;
    j0 = j1;
  }
  return out.join('\n');
}

/** A hunk's start in the whole text; an empty side's start is the line before it, as diff writes it. */
function at(start: number, lines: number, offset: number): string {
  return `${(lines === 0 ? start - 1 : start) + offset},${lines}`;
}

/** The lines of `text`, each with its line break (the last one may have none). */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

/**
 * Where both texts can be cut: pairs (i, j) with a[i - r, i + r) equal to b[j - r, j + r) for r = CONTEXT + 1,
 * in order. Anchors are lines that occur once in each text, kept in the order of both (the longest increasing
 * run of their positions in b); each anchor's run of equal lines is grown both ways.
 */
function cuts(a: readonly string[], b: readonly string[]): [number, number][] {
  const onceInB = linesOnce(b);
  const pairs: [number, number][] = [];
  for (const [line, i] of linesOnce(a)) {
    const j = onceInB.get(line);
    if (j !== undefined) pairs.push([i, j]);
  }
  const anchors = longestIncreasing(pairs);
  const out: [number, number][] = [];
  let doneA = 0; // cuts are strictly after the last run's end
  for (const [i, j] of anchors) {
    if (i < doneA) continue;
    let s = 0;
    while (i - s - 1 >= doneA && j - s - 1 >= 0 && a[i - s - 1] === b[j - s - 1]) s++;
    let e = 1;
    while (i + e < a.length && j + e < b.length && a[i + e] === b[j + e]) e++;
    // the run is a[i - s, i + e); cut in its middle when it is long enough
    if (s + e >= MIN_RUN) {
      const mid = Math.floor((e - s) / 2);
      const prev = out[out.length - 1];
      if (!prev || (i + mid > prev[0] && j + mid > prev[1])) out.push([i + mid, j + mid]);
    }
    doneA = i + e;
  }
  return out;
}

/** Each line that occurs once in `lines`, with its index, in order. */
function linesOnce(lines: readonly string[]): Map<string, number> {
  const at = new Map<string, number>();
  const repeated = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (at.has(lines[i])) repeated.add(lines[i]);
    else at.set(lines[i], i);
  }
  for (const line of repeated) at.delete(line);
  return at;
}

/** The longest run of `pairs` (in order of their first number) whose second numbers increase (patience sorting). */
function longestIncreasing(pairs: readonly [number, number][]): [number, number][] {
  const tails: number[] = []; // index into pairs of the smallest tail of each length
  const back = new Int32Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const v = pairs[k][1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (pairs[tails[m]][1] < v) lo = m + 1;
      else hi = m;
    }
    if (lo > 0) back[k] = tails[lo - 1];
    tails[lo] = k;
  }
  const out: [number, number][] = [];
  for (let k = tails.length ? tails[tails.length - 1] : -1; k >= 0; k = back[k]) out.push(pairs[k]);
  return out.reverse();
}
