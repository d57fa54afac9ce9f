// Collects the Python files and notebooks under the given paths, skipping .git, virtualenvs, node_modules,
// caches and whatever .gitignore files exclude (nested .gitignore files apply to their own folder).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.mindport-cache', 'site-packages', '.ipynb_checkpoints', '.eggs']);

export function isAnalysable(path: string): boolean {
  return path.endsWith('.py') || path.endsWith('.pyi') || path.endsWith('.ipynb');
}

export function collectFiles(paths: string[], opts: { gitignore?: boolean } = {}): string[] {
  const out: string[] = [];
  const useGitignore = opts.gitignore !== false;
  const walk = (dir: string, rules: { base: string; ig: Ignore }[]) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    let here = rules;
    if (useGitignore && names.includes('.gitignore')) {
      try {
        here = [...rules, { base: dir, ig: ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8')) }];
      } catch {
        /* unreadable .gitignore: ignore it */
      }
    }
    const ignored = (p: string, isDir: boolean) =>
      here.some(({ base, ig }) => {
        const rel = relative(base, p).split(sep).join('/');
        return rel !== '' && !rel.startsWith('..') && ig.ignores(isDir ? `${rel}/` : rel);
      });
    for (const name of names) {
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (SKIP_DIRS.has(name) || existsSync(join(p, 'pyvenv.cfg')) || ignored(p, true)) continue;
        walk(p, here);
      } else if (isAnalysable(name) && !ignored(p, false)) out.push(p);
    }
  };
  for (const raw of paths) {
    const p = resolve(raw);
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`no such file or folder: ${raw}`);
    }
    if (st.isDirectory()) walk(p, []);
    else out.push(p); // a file named explicitly is always analysed
  }
  return out;
}
