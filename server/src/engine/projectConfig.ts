// Project configuration discovery, as in Ruff: the closest `mindport.toml`, or `pyproject.toml` with a
// `[tool.mindport]` table, to the file wins (no merging between files). Its values override editor settings.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseSettings, type Settings, type SettingsProblem } from './settings';

export interface ProjectConfig {
  /** The file the values came from. */
  path: string;
  values: Record<string, unknown>;
  /** `[tool.mindport.run]`, kept for the remote runner (it may only pick a host and an entry point). */
  run?: Record<string, unknown>;
  problems: SettingsProblem[];
}

const KEY_MAP: Record<string, string> = {
  'mindspore-version': 'mindsporeVersion',
  mindspore_version: 'mindsporeVersion',
  mindsporeVersion: 'mindsporeVersion',
  device: 'device',
  'target-api': 'targetApi',
  target_api: 'targetApi',
  targetApi: 'targetApi',
  select: 'select',
  ignore: 'ignore',
  severity: 'severity',
  'low-confidence': 'lowConfidence',
  low_confidence: 'lowConfidence',
};

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function readTable(path: string, pyproject: boolean): ProjectConfig | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return { path, values: {}, problems: [{ setting: path, message: `cannot parse: ${(err as Error).message.split('\n')[0]}` }] };
  }
  const table = pyproject ? ((doc.tool as Record<string, unknown> | undefined)?.mindport as Record<string, unknown> | undefined) : doc;
  if (!table) return undefined; // a pyproject.toml without [tool.mindport] is skipped
  const values: Record<string, unknown> = {};
  const problems: SettingsProblem[] = [];
  let run: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(table)) {
    if (k === 'run' && typeof v === 'object') {
      run = v as Record<string, unknown>;
      continue;
    }
    const key = KEY_MAP[k];
    if (!key) problems.push({ setting: `${path} [${pyproject ? 'tool.mindport' : 'mindport'}] ${k}`, message: `unknown key "${k}"` });
    else values[key] = v;
  }
  return { path, values, run, problems };
}

export class ProjectConfigFinder {
  private readonly cache = new Map<string, ProjectConfig | null>();

  /** Finds the configuration that applies to a file, walking up from its folder (stopping at `stopAt` if given). */
  find(filePath: string, stopAt?: string): ProjectConfig | undefined {
    let dir = dirname(filePath);
    const visited: string[] = [];
    let found: ProjectConfig | undefined;
    for (;;) {
      const cached = this.cache.get(dir);
      if (cached !== undefined) {
        found = cached ?? undefined;
        break;
      }
      visited.push(dir);
      const mp = join(dir, 'mindport.toml');
      const pp = join(dir, 'pyproject.toml');
      const cfg = (isFile(mp) ? readTable(mp, false) : undefined) ?? (isFile(pp) ? readTable(pp, true) : undefined);
      if (cfg) {
        found = cfg;
        break;
      }
      const parent = dirname(dir);
      if (parent === dir || (stopAt && dir === stopAt)) break;
      dir = parent;
    }
    for (const d of visited) this.cache.set(d, found ?? null);
    return found;
  }

  clear(): void {
    this.cache.clear();
  }

  /** Editor (or CLI) settings with the project file's values applied over them. */
  settingsFor(filePath: string, base: Settings, stopAt?: string): { settings: Settings; config?: ProjectConfig; problems: SettingsProblem[] } {
    const config = this.find(filePath, stopAt);
    if (!config) return { settings: base, problems: [] };
    const { settings, problems } = parseSettings(config.values, base, (k) => `${config.path} ${k}`);
    return { settings, config, problems: [...config.problems, ...problems] };
  }
}
