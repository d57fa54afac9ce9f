// JSON.parse keeps the last of two equal keys without a word. This scanner walks the JSON text once and
// returns every key that appears twice in the same object, so a mapping file cannot hide an entry.
export function findDuplicateKeys(text: string): string[] {
  const dups: string[] = [];
  const stack: (Set<string> | null)[] = []; // null for arrays
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) dups.push(key);
        top.add(key);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] != null;
    }
    i++;
  }
  return dups;
}
