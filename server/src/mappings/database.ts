// Loads mappings/*.json into one queryable database. A broken file or entry is reported with its file and
// key, and everything else keeps working. Overlay files (hand-written) win over generated ones.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Entry, MappingFile, MS_VERSIONS, type MsVersion, type Platform, type Status, type Twin } from './schema';
import { findDuplicateKeys } from './jsonDuplicates';

export interface LoadProblem {
  file: string;
  key?: string;
  message: string;
}

export interface MappedEntry extends Entry {
  torch: string;
  /**
   * Set when `params` come from a generated file: torch's signature as a difference page shows it (torch 1.8.1's,
   * one overload). They say where positional arguments land, but their defaults and required parameters may be
   * another overload's (`torch.median(input)` has no dim), and the MindSpore names beside them may be stale: rewrites
   * neither spell those defaults out nor move positional arguments to keywords by them.
   */
  paramsFromPages?: true;
  /** Files that contributed to this entry, generated first. */
  files: string[];
}

export type Device = 'Ascend910B' | 'Ascend310P' | 'GPU' | 'CPU';
export type TargetApi = 'auto' | 'mint' | 'classic';

export interface Target {
  version: MsVersion;
  device: Device;
  api: TargetApi;
}

export type TwinKind = 'mint' | 'classic';

export interface TwinChoice {
  entry: MappedEntry;
  /** The twin a suggestion should use, when one covers the target. */
  twin?: Twin;
  which?: TwinKind;
  /** Set when no twin that exists at this version covers the device: the best twin there is, for the message. */
  uncovered?: { twin: Twin; which: TwinKind; platforms: Platform[] };
  /** Set when twins exist but only from a later version than the configured one. */
  tooNew?: { twin: Twin; which: TwinKind; since: MsVersion };
  status: Status;
}

/** MindSpore 2.10's torch-like data loading package, whose names are twins in the mint slot (overlay-dataloader.json). */
export const TORCH_LIKE_DATA = 'mindspore.dataset.dataloader.';

/** Whether a twin is one of MindSpore 2.10's torch-like data loading names. */
export function isTorchLikeData(twin: Twin | undefined): twin is Twin {
  return !!twin?.api.startsWith(TORCH_LIKE_DATA);
}

export function platformOf(device: Device): Platform {
  return device.startsWith('Ascend') ? 'Ascend' : (device as Platform);
}

export function versionAtLeast(v: MsVersion, min: MsVersion): boolean {
  return MS_VERSIONS.indexOf(v) >= MS_VERSIONS.indexOf(min);
}

/** Platforms of a twin at a version: that version's list, else the closest earlier, else the closest later one. */
export function twinPlatforms(twin: Twin, version: MsVersion): Platform[] | undefined {
  const p = twin.platforms;
  if (!p) return undefined;
  const idx = MS_VERSIONS.indexOf(version);
  for (let i = idx; i >= 0; i--) if (p[MS_VERSIONS[i]]) return p[MS_VERSIONS[i]];
  for (let i = idx + 1; i < MS_VERSIONS.length; i++) if (p[MS_VERSIONS[i]]) return p[MS_VERSIONS[i]];
  return undefined;
}

function covers(twin: Twin, target: Target): boolean {
  const plats = twinPlatforms(twin, target.version);
  // An API whose docs carry no platform line is taken to run everywhere the classic API runs.
  return !plats || plats.length === 0 || plats.includes(platformOf(target.device));
}

function exists(twin: Twin, version: MsVersion): boolean {
  return !twin.since || versionAtLeast(version, twin.since);
}

export class MappingDatabase {
  readonly entries = new Map<string, MappedEntry>();
  readonly problems: LoadProblem[] = [];
  /** sha256 over the names and text hashes of the files loaded: changes whenever the data could (cached scan results key on it). */
  digest = '';
  private readonly aliases = new Map<string, string>();

  /** Loads every `*.json` file of a folder (sorted; generated layers before overlays). */
  static loadDir(dir: string): MappingDatabase {
    const db = new MappingDatabase();
    db.addFiles(readMappingFiles(dir, db.problems));
    return db;
  }

  static fromFiles(files: { name: string; text: string }[]): MappingDatabase {
    const db = new MappingDatabase();
    db.addFiles(files);
    return db;
  }

  private addFiles(files: { name: string; text: string }[]): void {
    const parsed: { name: string; file: MappingFile; checked: boolean }[] = [];
    // each text is hashed once: for the digest, and to tell a file the build validated
    const hashes = files.map((f) => sha256(f.text));
    this.digest = sha256(files.map((f, i) => `${f.name}\0${hashes[i]}`).join('\0'));
    for (const [i, { name, text }] of files.entries()) {
      if (CHECKED?.[name] === hashes[i]) {
        // exactly the file this build validated: the schema transforms nothing, so the JSON is the data
        parsed.push({ name, file: JSON.parse(text) as MappingFile, checked: true });
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        this.problems.push({ file: name, message: `invalid JSON: ${(err as Error).message}` });
        continue;
      }
      for (const dup of findDuplicateKeys(text)) {
        this.problems.push({ file: name, key: dup, message: `duplicate key "${dup}" (only the last one would count)` });
      }
      const res = MappingFile.safeParse(json);
      if (!res.success) {
        this.problems.push({ file: name, message: formatZodError(res.error) });
        continue;
      }
      parsed.push({ name, file: res.data, checked: false });
    }
    // generated layers first, so overlays are merged over them
    parsed.sort((a, b) => (a.file.layer === b.file.layer ? 0 : a.file.layer === 'generated' ? -1 : 1));
    for (const { name, file, checked } of parsed) {
      for (const [key, raw] of Object.entries(file.entries)) {
        if (checked) {
          this.put(key, raw as Entry, name, file.layer);
          continue;
        }
        const res = Entry.safeParse(raw);
        if (!res.success) {
          this.problems.push({ file: name, key, message: formatZodError(res.error) });
          continue;
        }
        this.put(key, res.data, name, file.layer);
      }
    }
    // checked on the merged entries: a twin from one file and `notNeeded` from another contradict each other
    for (const [key, e] of this.entries) {
      if (e.notNeeded && (!e.rule || e.mint || e.classic)) {
        this.problems.push({ file: e.files[e.files.length - 1], key, message: 'notNeeded: needs the rule that deletes the API, and no twin' });
        delete e.notNeeded;
      }
    }
  }

  private put(key: string, entry: Entry, file: string, layer: MappingFile['layer']): void {
    const prev = this.entries.get(key);
    const merged: MappedEntry = prev
      ? {
          ...prev,
          ...entry,
          mint: mergeTwin(prev.mint, entry.mint),
          classic: mergeTwin(prev.classic, entry.classic),
          torch: key,
          files: [...prev.files, file],
        }
      : { ...entry, torch: key, files: [file] };
    if (entry.params) {
      if (layer === 'generated') merged.paramsFromPages = true;
      else delete merged.paramsFromPages;
    }
    this.entries.set(key, merged);
    for (const alias of entry.aliases ?? []) this.aliases.set(alias, key);
  }

  get(torchApi: string): MappedEntry | undefined {
    return this.entries.get(torchApi) ?? this.entries.get(this.aliases.get(torchApi) ?? '');
  }

  has(torchApi: string): boolean {
    return this.get(torchApi) !== undefined;
  }

  /** Overall status of an entry: its own, else the best of its twins, else `none`. */
  statusOf(entry: Entry): Status {
    if (entry.status) return entry.status;
    const order: Status[] = ['same', 'args', 'behavior'];
    const s = [entry.mint?.status, entry.classic?.status].filter(Boolean) as Status[];
    if (s.length === 0) return 'none';
    return s.sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
  }

  /** Choices made so far, per target (`version|device|api`): the same few hundred APIs recur in every file. */
  private readonly choices = new Map<string, WeakMap<MappedEntry, TwinChoice>>();

  /**
   * Picks the twin a suggestion uses for the configured device, MindSpore version and API preference. The
   * result is shared between callers: read it, never change it.
   */
  choose(entry: MappedEntry, target: Target): TwinChoice {
    const key = `${target.version}|${target.device}|${target.api}`;
    let forTarget = this.choices.get(key);
    if (!forTarget) this.choices.set(key, (forTarget = new WeakMap()));
    let choice = forTarget.get(entry);
    if (!choice) forTarget.set(entry, (choice = this.chooseFresh(entry, target)));
    return choice;
  }

  private chooseFresh(entry: MappedEntry, target: Target): TwinChoice {
    const candidates: [TwinKind, Twin][] = [];
    const add = (k: TwinKind) => {
      const t = entry[k];
      if (t) candidates.push([k, t]);
    };
    if (target.api === 'classic') {
      add('classic');
      add('mint');
    } else if (target.api === 'mint') {
      add('mint');
      add('classic');
    } else {
      // auto: mint first; on GPU/CPU an Ascend-only mint API falls through to the classic twin below
      add('mint');
      add('classic');
    }
    if (candidates.length === 0) return { entry, status: 'none' };
    const existing = candidates.filter(([, t]) => exists(t, target.version));
    if (existing.length === 0) {
      const [which, twin] = candidates[0];
      return { entry, status: 'none', tooNew: { twin, which, since: twin.since! } };
    }
    const ok = existing.find(([, t]) => covers(t, target));
    if (ok) {
      const [prefWhich, pref] = existing[0];
      // an explicit namespace preference that does not run on the device is worth saying (MSP105)
      const uncovered =
        target.api !== 'auto' && pref !== ok[1] && prefWhich === target.api
          ? { twin: pref, which: prefWhich, platforms: twinPlatforms(pref, target.version) ?? [] }
          : undefined;
      return { entry, twin: ok[1], which: ok[0], status: ok[1].status, uncovered };
    }
    const [which, twin] = existing[0];
    return {
      entry,
      status: twin.status,
      uncovered: { twin, which, platforms: twinPlatforms(twin, target.version) ?? [] },
    };
  }
}

function mergeTwin(a: Twin | undefined, b: Twin | undefined): Twin | undefined {
  if (!a) return b;
  if (!b) return a;
  return { ...a, ...b, platforms: { ...a.platforms, ...b.platforms } };
}

/** The `*.json` files of a mappings folder, sorted (generated layers before overlays); what cannot be read is a problem. */
function readMappingFiles(dir: string, problems: LoadProblem[]): { name: string; text: string }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    problems.push({ file: dir, message: `cannot read the mappings folder: ${(err as Error).message}` });
    return [];
  }
  const files: { name: string; text: string }[] = [];
  for (const name of names) {
    try {
      files.push({ name, text: readFileSync(join(dir, name), 'utf8') });
    } catch (err) {
      problems.push({ file: name, message: `cannot read: ${(err as Error).message}` });
    }
  }
  return files;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Mapping files the build validated (name → sha256 of the text), put into the bundles by scripts/build.mjs.
 * A shipped file whose text is unchanged is loaded without validating it again (the schema check and the
 * duplicate-key scan were most of the start-up of the CLI, the server and each scan worker); any other file
 * (edited, from MINDPORT_MAPPINGS_DIR, or when running from sources) is validated as always.
 */
declare const __MINDPORT_CHECKED_MAPPINGS__: Record<string, string> | undefined;
const CHECKED: Record<string, string> | undefined = typeof __MINDPORT_CHECKED_MAPPINGS__ === 'undefined' ? undefined : __MINDPORT_CHECKED_MAPPINGS__;

/** sha256 of each file of a mappings folder that loads without a problem: what the build records as checked. */
export function checkedMappings(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readMappingFiles(dir, [])) {
    if (MappingDatabase.fromFiles([f]).problems.length === 0) out[f.name] = sha256(f.text);
  }
  return out;
}

export function formatZodError(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return err.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
