// The `mindport.*` editor settings, read and validated in one place with the same zod schema the server and the
// CLI use (server/src/engine/settings.ts). A bad value is reported with a warning naming the setting, and the
// default is used for that one setting only.
import * as vscode from 'vscode';
import { parseSettings, SettingsSchema, DEVICES, type Settings, type SettingsProblem } from '../../server/src/engine/settings';
import { MS_VERSIONS } from '../../server/src/mappings/schema';

export { DEVICES, MS_VERSIONS };
export type { Settings, SettingsProblem };

export const SECTION = 'mindport';

/** The analysis settings the schema knows (everything else in the `mindport` section belongs to other features). */
export const ANALYSIS_KEYS = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

/** Reads the explicitly set analysis settings for a resource (or the workspace) and validates them. */
export function readSettings(scope?: vscode.ConfigurationScope): { settings: Settings; problems: SettingsProblem[] } {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const raw: Record<string, unknown> = {};
  for (const key of ANALYSIS_KEYS) {
    const info = config.inspect(key);
    // Only values someone set: defaults come from the schema, so package.json and the schema cannot disagree silently.
    const value =
      info?.workspaceFolderLanguageValue ??
      info?.workspaceFolderValue ??
      info?.workspaceLanguageValue ??
      info?.workspaceValue ??
      info?.globalLanguageValue ??
      info?.globalValue;
    if (value !== undefined) raw[key] = value;
  }
  return parseSettings(raw);
}

/** Human label of a device, e.g. `Ascend910B` → `Ascend 910B`. */
export function deviceLabel(device: string): string {
  return device.replace(/^Ascend(\d)/, 'Ascend $1');
}

/** Status bar text: `MindSpore 2.6 · Ascend 910B`. */
export function targetLabel(s: Pick<Settings, 'mindsporeVersion' | 'device'>): string {
  return `MindSpore ${s.mindsporeVersion} · ${deviceLabel(s.device)}`;
}

/**
 * Shows each settings problem once per session (a warning naming the setting, with a button that opens it).
 * Returns the messages shown, for tests.
 */
export class ProblemReporter {
  private readonly shown = new Set<string>();
  readonly history: string[] = [];
  constructor(private readonly log: vscode.LogOutputChannel) {}

  report(problems: SettingsProblem[]): void {
    for (const p of problems) {
      const text = `MindPort: setting ${p.setting}: ${p.message}`;
      this.log.warn(text);
      if (this.shown.has(text)) continue;
      this.shown.add(text);
      this.history.push(text);
      const setting = p.setting.startsWith(`${SECTION}.`) ? p.setting : undefined;
      void vscode.window.showWarningMessage(text, ...(setting ? ['Open Setting'] : [])).then((pick) => {
        if (pick === 'Open Setting' && setting) void vscode.commands.executeCommand('workbench.action.openSettings', setting);
      });
    }
  }

  /**
   * Reports the current problems of the editor settings, and forgets the ones that were fixed, so a setting that
   * goes bad again is reported again while an unrelated change does not repeat the warning.
   */
  sync(problems: SettingsProblem[]): void {
    const current = new Set(problems.map((p) => `MindPort: setting ${p.setting}: ${p.message}`));
    for (const text of this.fromSettings) if (!current.has(text)) this.shown.delete(text);
    this.fromSettings = current;
    this.report(problems);
  }
  private fromSettings = new Set<string>();

  /** Forget what was shown (server restart). */
  reset(): void {
    this.shown.clear();
  }
}
