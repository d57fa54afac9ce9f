// Analysis settings, typed in one place. Editor settings (`mindport.*`), CLI flags and project files
// (`[tool.mindport]` in pyproject.toml, or mindport.toml) all end up as one `Settings` value.
import * as z from 'zod';
import { MS_VERSIONS } from '../mappings/schema';
import { isInside } from './files';

export const DEVICES = ['Ascend910B', 'Ascend310P', 'GPU', 'CPU'] as const;
export const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'] as const;
export type SeverityName = (typeof SEVERITIES)[number];

const RuleCodes = z.array(z.string().regex(/^MSP\d{0,3}$/, 'a rule code or prefix such as MSP101 or MSP2'));

export const SettingsSchema = z.object({
  mindsporeVersion: z.enum(MS_VERSIONS).default('2.6'),
  device: z.enum(DEVICES).default('Ascend910B'),
  targetApi: z.enum(['auto', 'mint', 'classic']).default('auto'),
  /** Rule codes or prefixes to enable; empty means all. */
  select: RuleCodes.default([]),
  /** Rule codes or prefixes to disable. */
  ignore: RuleCodes.default([]),
  /** Per-rule severity override. */
  severity: z.record(z.string().regex(/^MSP\d{3}$/), z.enum(SEVERITIES)).default({}),
  /** Report tensor-method uses whose receiver is only guessed from the method name. */
  lowConfidence: z.boolean().default(true),
});
export type Settings = z.infer<typeof SettingsSchema> & {
  /**
   * Not a setting: the path of the file analysed, when it is one on disk. Classes it imports from the project's
   * other files are looked up from there (engine/projectIndex.ts).
   */
  file?: string;
  /**
   * Not a setting: the folder the user works in (the editor's workspace folder, the CLI's current directory),
   * when `file` is inside it. A project without a root marker (.git, pyproject.toml, ...) is searched for
   * imported modules up to this folder.
   */
  root?: string;
};

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});

/**
 * `settings` for the analysis of the file at `path`, in the folder `root` the user works in (kept only if the file
 * is inside it; by default the one `settings` has).
 */
export function settingsForFile(settings: Settings, path: string, root = settings.root): Settings {
  const inside = root !== undefined && isInside(path, root) ? root : undefined;
  return settings.file === path && settings.root === inside ? settings : { ...settings, file: path, root: inside };
}

export interface SettingsProblem {
  /** e.g. `mindport.device` or `pyproject.toml [tool.mindport] device` */
  setting: string;
  message: string;
}

/**
 * Validates a partial settings object field by field: a wrong value is reported (naming the setting) and the
 * default or the base value is kept, so one typo never switches the whole configuration off.
 */
export function parseSettings(
  raw: Record<string, unknown> | undefined,
  base: Settings = DEFAULT_SETTINGS,
  label: (key: string) => string = (k) => `mindport.${k}`,
): { settings: Settings; problems: SettingsProblem[] } {
  const settings: Settings = { ...base };
  const problems: SettingsProblem[] = [];
  if (!raw) return { settings, problems };
  const shape = SettingsSchema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    const field = shape[key];
    if (!field) {
      problems.push({ setting: label(key), message: `unknown setting "${key}"` });
      continue;
    }
    const res = field.safeParse(value);
    if (res.success) (settings as Record<string, unknown>)[key] = res.data;
    else
      problems.push({
        setting: label(key),
        message: `${JSON.stringify(value)} is not valid: ${res.error.issues[0]?.message ?? 'invalid value'}${
          // TOML reads `mindspore-version = 2.10` as the number 2.1
          typeof value === 'number' && key === 'mindsporeVersion' ? ` (write the version as a string, in quotes: ${JSON.stringify(quotedVersion(value))})` : ''
        }; using ${JSON.stringify((settings as Record<string, unknown>)[key])}`,
      });
  }
  return { settings, problems };
}

/** The version a number in a settings file stands for: TOML reads `2.10` as 2.1, which is no release line; `2.7` is "2.7". */
function quotedVersion(value: number): string {
  const s = String(value);
  return (MS_VERSIONS as readonly string[]).includes(s) ? s : (MS_VERSIONS as readonly string[]).includes(`${s}0`) ? `${s}0` : s;
}

/** Whether a rule code is enabled by select/ignore (prefixes allowed, the longest match wins as in Ruff). */
export function ruleEnabled(code: string, settings: Settings): boolean {
  const longest = (list: string[]) => list.filter((p) => code.startsWith(p)).reduce((m, p) => Math.max(m, p.length), -1);
  const sel = settings.select.length === 0 ? 0 : longest(settings.select);
  const ign = longest(settings.ignore);
  if (sel < 0) return false;
  return ign < 0 || sel > ign;
}
