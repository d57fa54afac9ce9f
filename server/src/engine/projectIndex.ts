// Classes and factory functions of the project's other files: `from models.fcn import FourCastNet` in train.py
// makes `model = FourCastNet()` an nn.Module instance, so `model.eval()` there is found as it is in models/fcn.py.
//
// A module is found as Python would find it: a relative import from the importing file's package; an absolute
// one beside the importing file (a script's folder is on sys.path), then in each folder above it up to the
// project's root (the first with .git, pyproject.toml, setup.py, setup.cfg or mindport.toml, else the folder
// the user works in: the workspace folder, the CLI's current directory; outside both, only the file's own folder
// is searched). The module is read, parsed and resolved once per thread, and again only
// when it, or a file its classes came from, changes size or modification time. Only Python files are read.
import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileStamp, readSource } from './files';
import { classRows } from './datasetRows';
import { parseSyntax } from './moduleTree';
import type { Tree } from './parser';
import { isTracked, resolve, type ClassInfo, type ImportedClass, type ImportedValue, type ResolveOptions, type Value } from './resolve';

const ROOT_MARKERS = ['.git', 'pyproject.toml', 'setup.py', 'setup.cfg', 'mindport.toml'];
/** Folders searched above the importing file's at most. */
const MAX_LEVELS = 12;
/** Larger modules are not read for their classes. */
const MAX_MODULE_BYTES = 4 * 1024 * 1024;
/** Re-exports followed at most (`models/__init__.py` importing from `.fcn`, ...). */
const MAX_HOPS = 8;

interface ModuleEntry {
  /** Size and modification time of the module and of every file its classes came from, when it was read. */
  stamps: Map<string, string>;
  /** Its module-level names bound to classes deriving from tracked ones. */
  classes: Map<string, ImportedClass>;
  /** Its functions returning module instances (or other tracked classes' instances): what they return. */
  functions: Map<string, ImportedValue>;
  /** Its module-level names bound to names it imports (not tracked ones): possible re-exports of classes. */
  imports: Map<string, string>;
  /** Its module-level names bound to tracked names (`nn` → `torch.nn`): what `from it import *` binds of them. */
  tracked: Map<string, string>;
  /** The names its `__all__` lists, when it has one: all that `from it import *` binds. */
  all?: ReadonlySet<string>;
}

/** Whether `from module import *` binds `name`: listed in `__all__`, or without one, not starting with `_`. */
function exported(entry: ModuleEntry, name: string): boolean {
  return entry.all ? entry.all.has(name) : !name.startsWith('_');
}

/** The names a module-level `__all__ = [...]` (or a tuple; `+=` adds) lists, when they are all string literals. */
function allOf(tree: Tree): ReadonlySet<string> | undefined {
  let all: Set<string> | undefined;
  for (const stmt of tree.rootNode.namedChildren) {
    const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (!a || (a.type !== 'assignment' && a.type !== 'augmented_assignment') || a.childForFieldName('left')?.text !== '__all__') continue;
    const right = a.childForFieldName('right');
    if (!right || (right.type !== 'list' && right.type !== 'tuple')) return undefined; // computed: not known here
    if (a.type === 'assignment') all = new Set();
    for (const item of right.namedChildren) {
      const m = item?.type === 'string' ? /^[rRuU]?(['"])(\w+)\1$/.exec(item.text) : null;
      if (!m) return undefined;
      (all ??= new Set()).add(m[2]);
    }
  }
  return all;
}

/** The look-ups resolve makes of the project's other modules. */
export type ProjectHooks = Required<Pick<ResolveOptions, 'projectClass' | 'projectFunction' | 'projectModuleClasses' | 'projectModuleNames'>>;

/** What one analysis asks: the hooks for resolve, and the files their answers came from. */
export interface ProjectLookup {
  hooks: ProjectHooks;
  files: Set<string>;
}

/** One analysis's look-ups: the folder the user works in, the modules checked so far, the files answers came from. */
interface Query {
  root: string | undefined;
  checked: Map<string, ModuleEntry | undefined>;
  files: Set<string>;
}

const classNamed = (e: ModuleEntry, name: string) => e.classes.get(name);
const functionNamed = (e: ModuleEntry, name: string) => e.functions.get(name);

/** Whether a path exists (a folder that cannot be read counts as not having it). */
function exists(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

export class ProjectIndex {
  private readonly entries = new Map<string, ModuleEntry>();
  /** Where a module is, by the folder it is searched from and its dotted name (null: nowhere). */
  private readonly located = new Map<string, string | null>();
  private readonly searchDirsOf = new Map<string, readonly string[]>();
  /** Modules being read (an import cycle answers nothing). */
  private readonly reading = new Set<string>();
  /** Unsaved texts of files open in the editor, read instead of the files (`setUnsaved`), with their stamps. */
  private readonly unsaved = new Map<string, { text: string; stamp: string }>();
  private unsavedCount = 0;

  /**
   * The editor's unsaved text of the Python file at `path` (undefined: none, the file is read again). Modules
   * read since are read again: their stamp is the text's, not the file's.
   */
  setUnsaved(path: string, text: string | undefined): void {
    if (text === undefined) this.unsaved.delete(path);
    else this.unsaved.set(path, { text, stamp: `unsaved ${++this.unsavedCount}` }); // each keystroke's text is a new one: not compared
  }

  /** A file's stamp: its unsaved text's, else its size and modification time (undefined: not a file). */
  private stampOf(path: string): string | undefined {
    return this.unsaved.get(path)?.stamp ?? fileStamp(path);
  }

  /**
   * What other files can see of the module at `path`, as a string: its classes (methods, attribute types,
   * factories), factory functions and imported names, read with the unsaved texts. Equal strings: analyses
   * importing it are unchanged. Empty when it cannot be read.
   */
  exportsOf(path: string, root?: string): string {
    const e = this.entry(path, { root, checked: new Map(), files: new Set() });
    return e ? JSON.stringify([[...e.classes].map(([n, c]) => [n, classShape(c)]), [...e.functions].map(([n, v]) => [n, v.qname]), [...e.imports], [...e.tracked], [...(e.all ?? [])]]) : '';
  }

  /**
   * A lookup for one analysis of `file` (each module's stamp is checked once per lookup), in the folder `root` the
   * user works in, if any: the project's root when no folder above the file has a root marker.
   */
  forFile(file: string, root?: string): ProjectLookup {
    const files = new Set<string>();
    return { hooks: this.hooks(file, { root, checked: new Map(), files }), files };
  }

  /** The hooks for resolving a tree of file `from`, recording the files answers came from in `files`. */
  private hooks(from: string, q: Query): ProjectHooks {
    return {
      projectClass: (qname) => this.find(from, qname, classNamed, q, 0),
      projectFunction: (qname) => this.find(from, qname, functionNamed, q, 0),
      projectModuleClasses: (module) => this.classNames(from, module, q),
      projectModuleNames: (module) => this.trackedNames(from, module, q),
    };
  }

  /** Forgets where modules are (a file was created or deleted) and what changed files held. */
  invalidate(paths?: Iterable<string>): void {
    this.located.clear();
    this.searchDirsOf.clear();
    if (!paths) this.entries.clear();
    else for (const p of paths) this.entries.delete(p);
  }

  /** The class or factory function `qname` names, imported from `from`, following re-exports. */
  private find<T>(from: string, qname: string, pick: (e: ModuleEntry, name: string) => T | undefined, q: Query, hops: number): T | undefined {
    if (hops > MAX_HOPS) return undefined;
    // `.layers.MLP`: module `.layers`, name `MLP`; `.fcn`: module `.`, `..x`: module `..`
    const cut = qname.lastIndexOf('.');
    const name = qname.slice(cut + 1);
    if (cut < 0 || !name) return undefined;
    const path = this.moduleFile(from, /^\.+$/.test(qname.slice(0, cut + 1)) ? qname.slice(0, cut + 1) : qname.slice(0, cut), q.root);
    if (!path) return undefined;
    const entry = this.entry(path, q);
    if (!entry) return undefined;
    const here = pick(entry, name);
    if (here) {
      for (const p of entry.stamps.keys()) q.files.add(p);
      return here;
    }
    const reexported = entry.imports.get(name);
    if (reexported === undefined) return undefined;
    const found = this.find(path, reexported, pick, q, hops + 1);
    if (found) q.files.add(path);
    return found;
  }

  /** The public names of the classes module `module` (dotted, relative ones with their dots) defines. */
  private classNames(from: string, module: string, q: Query): readonly string[] {
    const { path, entry } = this.moduleEntry(from, module, q);
    if (!path || !entry) return [];
    const names = [...entry.classes.keys()].filter((n) => exported(entry, n));
    if (names.length) for (const p of entry.stamps.keys()) q.files.add(p);
    // and the classes it imports (models/__init__.py's `from .fcn import FourCastNet`)
    for (const [n, qname] of entry.imports) if (exported(entry, n) && this.find(path, qname, classNamed, q, 1)) names.push(n);
    return names;
  }

  /** The public names module `module` binds to tracked names (`from utils import *` binds them too). */
  private trackedNames(from: string, module: string, q: Query): ReadonlyArray<readonly [string, string]> {
    const { entry } = this.moduleEntry(from, module, q);
    const names = entry ? [...entry.tracked].filter(([n]) => exported(entry, n)) : [];
    if (names.length) for (const p of entry!.stamps.keys()) q.files.add(p);
    return names;
  }

  /** The file and entry of module `module` (named as for moduleFile) imported from `from`, as far as they are found. */
  private moduleEntry(from: string, module: string, q: Query): { path?: string; entry?: ModuleEntry } {
    const path = this.moduleFile(from, module, q.root);
    return { path, entry: path ? this.entry(path, q) : undefined };
  }

  /** The project's file of module `module` (dotted, a relative one with its leading dots) imported from `from`. */
  private moduleFile(from: string, module: string, root: string | undefined): string | undefined {
    const m = /^(\.*)(.*)$/s.exec(module)!;
    const parts = m[2] ? m[2].split('.') : [];
    if ((!m[1] && !parts.length) || isTracked(m[2])) return undefined;
    return this.locate(from, m[1].length, parts, root);
  }

  /** The file of module `parts` imported from `from` (with `level` leading dots), if the project has it. */
  private locate(from: string, level: number, parts: string[], root: string | undefined): string | undefined {
    let dirs: readonly string[];
    if (level > 0) {
      let d = dirname(from);
      for (let i = 1; i < level; i++) d = dirname(d);
      dirs = [d];
    } else dirs = this.searchDirs(dirname(from), root);
    for (const dir of dirs) {
      const key = `${dir}\0${parts.join('.')}`;
      let path = this.located.get(key);
      if (path === undefined) {
        const base = join(dir, ...parts);
        path = parts.length && this.stampOf(`${base}.py`) ? `${base}.py` : this.stampOf(join(base, '__init__.py')) ? join(base, '__init__.py') : null;
        this.located.set(key, path);
      }
      if (path) return path;
    }
    return undefined;
  }

  /** The folders an absolute import from a file in `dir` is searched in, nearest first. */
  private searchDirs(dir: string, root: string | undefined): readonly string[] {
    const key = `${root ?? ''}\0${dir}`;
    let dirs = this.searchDirsOf.get(key);
    if (dirs) return dirs;
    const up: string[] = [];
    dirs = [dir];
    for (let d = dir, i = 0; i <= MAX_LEVELS; i++) {
      up.push(d);
      if (d === root || ROOT_MARKERS.some((m) => exists(join(d, m)))) {
        dirs = up;
        break;
      }
      const parent = dirname(d);
      if (parent === d) break;
      d = parent;
    }
    this.searchDirsOf.set(key, dirs);
    return dirs;
  }

  /** The module's entry, read again if it or a file its classes came from changed since. */
  private entry(path: string, q: Query): ModuleEntry | undefined {
    const checked = q.checked;
    if (checked.has(path)) return checked.get(path);
    let entry = this.entries.get(path);
    if (entry && [...entry.stamps].some(([p, s]) => this.stampOf(p) !== s)) entry = undefined;
    if (!entry && !this.reading.has(path)) {
      this.reading.add(path);
      try {
        entry = this.read(path, q);
      } catch {
        entry = undefined; // a module that cannot be read for its classes gives none: the importing file is still analysed
      } finally {
        this.reading.delete(path);
      }
      if (entry) this.entries.set(path, entry);
      else this.entries.delete(path);
    }
    checked.set(path, entry);
    return entry;
  }

  private read(path: string, q: Query): ModuleEntry | undefined {
    const stamp = this.stampOf(path);
    if (!stamp) return undefined;
    const stamps = new Map([[path, stamp]]);
    const entry: ModuleEntry = { stamps, classes: new Map(), functions: new Map(), imports: new Map(), tracked: new Map() };
    const held = this.unsaved.get(path);
    const src = held ? ({ kind: 'python', text: held.text } as const) : readSource(path, MAX_MODULE_BYTES);
    if (src.kind !== 'python') return entry;
    const used = new Set<string>();
    const tree = parseSyntax(src.text.replace(/\r(?!\n)/g, '\n'));
    entry.all = allOf(tree);
    const res = resolve(tree, this.hooks(path, { root: q.root, checked: q.checked, files: used }));
    const converted = new Map<ClassInfo, ImportedClass>();
    for (const [name, v] of res.moduleValues) {
      if (v?.kind === 'class' && v.cls.torchBase) entry.classes.set(name, importedClass(v.cls, path, converted, 0));
      else if (v?.kind === 'function') entry.functions.set(name, importedValue(v.returns, path, converted, 0)!);
      else if (v?.kind === 'name' && !isTracked(v.qname)) entry.imports.set(name, v.qname);
      else if (v?.kind === 'name') entry.tracked.set(name, v.qname);
    }
    for (const p of used) {
      const s = this.entries.get(p)?.stamps.get(p) ?? this.stampOf(p);
      if (s) stamps.set(p, s);
    }
    return entry;
  }
}

/** An imported class as other files see it (nested classes by name only). */
function classShape(c: ImportedClass): unknown {
  const value = (v: ImportedValue | 'cls') => (v === 'cls' ? v : [v.kind, v.qname, v.kind === 'instance' ? v.cls?.name : undefined]);
  return [c.torchBase, c.file, c.methods, c.attrs.map(([k, v]) => [k, value(v)]), (c.factories ?? []).map(([k, v]) => [k, value(v)]), c.rows];
}

/** A ClassInfo of a module read for its classes, as plain data (its attributes' classes too, a few levels deep). */
function importedClass(cls: ClassInfo, path: string, converted: Map<ClassInfo, ImportedClass>, depth: number): ImportedClass {
  const done = converted.get(cls);
  if (done) return done;
  const attrs: [string, ImportedValue][] = [];
  const out: ImportedClass = { name: cls.name, file: cls.file ?? path, torchBase: cls.torchBase, methods: [...cls.methods.keys()], attrs };
  converted.set(cls, out);
  const rows = classRows(cls);
  if (rows) out.rows = rows;
  for (const [k, v] of cls.attrs) {
    const iv = importedValue(v, path, converted, depth);
    if (iv) attrs.push([k, iv]);
  }
  if (cls.factories?.size) out.factories = [...cls.factories].map(([k, v]) => [k, v === 'cls' ? v : importedValue(v, path, converted, depth)!]);
  return out;
}

function importedValue(v: Value, path: string, converted: Map<ClassInfo, ImportedClass>, depth: number): ImportedValue | undefined {
  if (v.kind === 'name') return { kind: 'name', qname: v.qname };
  if (v.kind !== 'instance') return undefined;
  if (!v.cls || depth >= 3) return { kind: 'instance', qname: v.qname, confidence: v.confidence };
  return { kind: 'instance', qname: v.qname, confidence: v.confidence, cls: importedClass(v.cls, path, converted, depth + 1) };
}

/** The name a module's file is imported by: `fcn` for models/fcn.py, `models` for models/__init__.py. */
export function moduleNameOf(path: string): string {
  const name = basename(path, '.py');
  return name === '__init__' ? basename(dirname(path)) : name;
}

/** This thread's index (the CLI, each scan worker and the language server each keep one). */
export const projectIndex = new ProjectIndex();
