// The typing the edit benchmarks replay, shared by the LSP run (bench/lsp.mjs) and the in-process engine run
// (bench/harness.ts `edit`): `sessions` snippets of single characters, each typed at the end of a statement line
// inside a method body, spread through the file (a newline, the indentation, then code; the intermediate states
// have syntax errors, as real typing without auto-closed brackets does).
export function* typingEdits(text, { edits = 200, sessions = 4 } = {}) {
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
    for (const ch of snippet) {
      if (count >= edits) break;
      /** A one-character insertion at (row, col) of the current text. */
      yield { row, col, text: ch };
      count++;
      n++;
      if (ch === '\n') {
        row++;
        col = 0;
      } else col++;
    }
    // keep the local copy of the lines in step with the edited text
    const parts = (lines[line] + snippet.slice(0, n)).split('\n');
    lines.splice(line, 1, ...parts);
  }
}
