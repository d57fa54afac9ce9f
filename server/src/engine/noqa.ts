// Suppression comments: `# noqa`, `# noqa: MSP101, MSP102`, `# mindport: ignore[MSP101]` on a line, and a
// file-level `# mindport: noqa` (all rules) or `# mindport: noqa: MSP101` on a line of its own.
import type { Tree } from './parser';
import type { LineIndex } from './text';

export interface Suppressions {
  file: 'all' | Set<string> | undefined;
  lines: Map<number, 'all' | Set<string>>;
}

const LINE_RE = /#\s*(?:noqa(?::\s*([A-Za-z0-9_, \t]+))?|mindport:\s*ignore\[([A-Za-z0-9_, \t]*)\])/gi;
const FILE_RE = /^[ \t]*#\s*mindport:\s*noqa(?::\s*([A-Za-z0-9_, \t]+))?[ \t]*$/gim;
/** What every FILE_RE match holds: a quick test first, since FILE_RE's line anchors make it try every line. */
const FILE_HINT = /mindport:\s*noqa/i;

function codes(list: string): Set<string> {
  return new Set(list.split(/[,\s]+/).filter(Boolean).map((c) => c.toUpperCase()));
}

/**
 * With the tree, only real comments count: a `# noqa` inside a string literal suppresses nothing, and only the
 * text of the tree's statements is searched (an incremental analysis's tree holds a few of the document's).
 */
export function findSuppressions(text: string, lines: LineIndex, tree?: Tree): Suppressions {
  const res: Suppressions = { file: undefined, lines: new Map() };
  if (!text.includes('#')) return res;
  const inComment = (offset: number) => !tree || tree.rootNode.descendantForIndex(offset)?.type === 'comment';
  for (const [from, to] of tree ? statementSpans(lines, tree) : [[0, text.length]]) {
    const part = from === 0 && to === text.length ? text : text.slice(from, to);
    for (const m of FILE_HINT.test(part) ? part.matchAll(FILE_RE) : []) {
      if (!inComment(from + (m.index ?? 0) + m[0].indexOf('#'))) continue;
      if (!m[1]) res.file = 'all';
      else if (res.file !== 'all') res.file = new Set([...(res.file ?? []), ...codes(m[1])]);
    }
    for (const m of part.matchAll(LINE_RE)) {
      const at = from + (m.index ?? 0);
      if (/mindport:\s*noqa/i.test(m[0]) || !inComment(at)) continue;
      const line = lines.positionAt(at).line;
      const list = m[1] ?? m[2];
      const prev = res.lines.get(line);
      if (list === undefined || (m[2] !== undefined && list.trim() === '')) res.lines.set(line, 'all');
      else if (prev !== 'all') {
        const mine = codes(list);
        // `# noqa: E501` names no MindPort code: it suppresses nothing of ours
        res.lines.set(line, new Set([...(prev ?? []), ...mine]));
      }
    }
  }
  return res;
}

/** Text between two statements' spans shorter than this is searched with them (one search instead of two). */
const SPAN_GAP = 4096;

/**
 * The spans of the text the tree's top-level statements cover, each from the start of its first line (FILE_RE
 * anchors at line starts), merged when close: searching a little more text only finds matches that are not in
 * the tree's comments.
 */
function statementSpans(lines: LineIndex, tree: Tree): [number, number][] {
  const spans: [number, number][] = [];
  for (const c of tree.rootNode.children) {
    const from = lines.lineStart(lines.positionAt(c.startIndex).line);
    const last = spans[spans.length - 1];
    if (last && from <= last[1] + SPAN_GAP) last[1] = Math.max(last[1], c.endIndex);
    else spans.push([from, c.endIndex]);
  }
  return spans;
}

export function isSuppressed(s: Suppressions, code: string, line: number): boolean {
  if (s.file === 'all' || s.file?.has(code)) return true;
  const l = s.lines.get(line);
  return l === 'all' || (l !== undefined && l.has(code));
}
