// One status bar item on the left: the porting target (`MindSpore 2.6 · Ascend 910B`); a click selects another.
import * as vscode from 'vscode';
import { readSettings, targetLabel } from './settings';

export class TargetStatus implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private busy = 0;
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('mindport.target', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'MindPort Target';
    this.item.command = 'mindport.selectTarget';
    this.subs.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mindport') && this.update()),
    );
    this.update();
    this.item.show();
  }

  /** Shows a spinner while `work` runs. */
  async whileBusy<T>(work: () => Thenable<T>): Promise<T> {
    this.busy++;
    this.update();
    try {
      return await work();
    } finally {
      this.busy--;
      this.update();
    }
  }

  update(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const { settings } = readSettings(uri ?? vscode.workspace.workspaceFolders?.[0]?.uri);
    const label = targetLabel(settings);
    this.item.text = this.busy ? `$(loading~spin) ${label}` : label;
    this.item.tooltip = new vscode.MarkdownString(
      `**MindPort** porting target: MindSpore ${settings.mindsporeVersion} on ${settings.device}` +
        ` (API style: ${settings.targetApi}).\n\nClick to select another target device or MindSpore version.`,
    );
    this.item.accessibilityInformation = { label: `MindPort target: ${label}. Select target device.` };
  }

  dispose(): void {
    this.item.dispose();
    for (const s of this.subs) s.dispose();
  }
}
