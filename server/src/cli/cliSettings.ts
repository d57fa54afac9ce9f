// What every CLI command that analyses files shares: the settings flags, the settings of each file (defaults, then
// the closest project file, then the flags), warnings about a broken project file or mapping file (each once), and
// the usage error the CLI exits with 2 for.
import { ProjectConfigFinder } from '../engine/projectConfig';
import { DEFAULT_SETTINGS, parseSettings, settingsForFile, type Settings } from '../engine/settings';
import type { MappingDatabase } from '../mappings/database';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export class UsageError extends Error {}

export function write(s: NodeJS.WritableStream, text: string): void {
  s.write(text.endsWith('\n') ? text : `${text}\n`);
}

function splitCodes(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
}

/** The settings the command-line flags give (parseArgs values: device, ms-version, target-api, select, ignore). */
export function flagSettings(values: Record<string, unknown>): { raw: Record<string, unknown> } {
  const raw: Record<string, unknown> = {};
  if (values.device !== undefined) raw.device = values.device;
  if (values['ms-version'] !== undefined) raw.mindsporeVersion = values['ms-version'];
  if (values['target-api'] !== undefined) raw.targetApi = values['target-api'];
  if (values.select !== undefined) raw.select = splitCodes(values.select as string);
  if (values.ignore !== undefined) raw.ignore = splitCodes(values.ignore as string);
  return { raw };
}

/** Settings for one file: defaults, then the project file, then command-line flags (flags win). */
export class SettingsResolver {
  private readonly finder = new ProjectConfigFinder();
  private readonly reported = new Set<string>();
  constructor(
    private readonly flags: Record<string, unknown>,
    private readonly io: CliIo,
  ) {
    const { problems } = parseSettings(flags, DEFAULT_SETTINGS, (k) => `--${k === 'mindsporeVersion' ? 'ms-version' : k === 'targetApi' ? 'target-api' : k}`);
    if (problems.length) throw new UsageError(problems.map((p) => `${p.setting}: ${p.message}`).join('\n'));
  }
  for(path: string): Settings {
    const { settings, problems } = this.finder.settingsFor(path, DEFAULT_SETTINGS);
    for (const p of problems) {
      const key = `${p.setting}: ${p.message}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        write(this.io.stderr, `mindport: warning: ${key}`);
      }
    }
    return settingsForFile(parseSettings(this.flags, settings).settings, path, this.io.cwd);
  }
}

export function reportDbProblems(db: MappingDatabase, io: CliIo): void {
  for (const p of db.problems) write(io.stderr, `mindport: warning: mapping file ${p.file}${p.key ? ` entry "${p.key}"` : ''}: ${p.message}`);
}
