// The typing the edit benchmarks replay, shared by the LSP run (bench/lsp.mjs) and the in-process engine run
// (bench/harness.ts `edit`): `sessions` snippets of single characters, each typed at the end of a statement line
// inside a method body, spread through the file (a newline, the indentation, then code; the intermediate states
// have syntax errors, as real typing without auto-closed brackets does). With `autoClose`, as VS Code types
// Python by default: an opening bracket inserts its closing one too, and typing that closing one steps over it
// (no edit).
const CLOSERS = { '(': ')', '[': ']', '{': '}' };
export function* typingEdits(text, { edits = 200, sessions = 4, autoClose = false } = {}) {
  const lines = text.split('\n');
  const perSession = Math.ceil(edits / sessions);
  let count = 0;
  for (let k = 0; k < sessions && count < edits; k++) {
    // a statement line inside a method body, around k/sessions of the way through the file
    let line = Math.floor(((k + 0.5) / sessions) * lines.length);
    while (line < lines.length - 1 && !/^ {8}\w+ = /.test(lines[line])) line++;
    const indent = /^ */.exec(lines[line])[0];
    const snippet = `\n${indent}y = torch.relu(x) + F.gelu(h).mean(dim=-1) * self.scale + x.view(B, N, -1).sum()`.slice(0, perSession);
    let col = lines[line].length;
    let row = line;
    let n = 0;
    const pending = []; // closing brackets auto-inserted and not yet stepped over
    for (const ch of snippet) {
      if (count >= edits) break;
      n++;
      if (autoClose && ch === pending[pending.length - 1]) {
        pending.pop(); // steps over the auto-inserted bracket
        col++;
        continue;
      }
      /** An insertion at (row, col) of the current text: one character, or an auto-closed pair. */
      yield { row, col, text: autoClose && CLOSERS[ch] ? ch + CLOSERS[ch] : ch };
      if (autoClose && CLOSERS[ch]) pending.push(CLOSERS[ch]);
      count++;
      if (ch === '\n') {
        row++;
        col = 0;
      } else col++;
    }
    // keep the local copy of the lines in step with the edited text
    const parts = (lines[line] + snippet.slice(0, n) + pending.reverse().join('')).split('\n');
    lines.splice(line, 1, ...parts);
  }
}
