// Writes the extension's manifest keys into package.json (read-modify-write: every other key is left alone).
// Owned keys: contributes, activationEvents, capabilities, icon, galleryBanner, repository, keywords, files.
// The remote-run feature's contributions (client/src/remote/contributes.json) are merged in when present.
// Run: node client/manifest.mjs   (idempotent; `--check` exits 1 when package.json is out of date)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkgPath = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));

const MS_VERSIONS = ['2.3', '2.4', '2.5', '2.6', '2.7']; // server/src/mappings/schema.ts
const DEVICES = ['Ascend910B', 'Ascend310P', 'GPU', 'CPU']; // server/src/engine/settings.ts
const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'];
const ruleCode = { type: 'string', pattern: '^MSP\\d{0,3}$', patternErrorMessage: 'A rule code or prefix such as MSP101 or MSP2' };

const isPy = 'editorLangId == python';
const commands = [
  { command: 'mindport.scanWorkspace', title: 'Scan Workspace', icon: '$(search)' },
  { command: 'mindport.showReport', title: 'Show Porting Report', icon: '$(graph)' },
  { command: 'mindport.exportReport', title: 'Export Porting Report…' },
  { command: 'mindport.portFile', title: 'Port This File to MindSpore', icon: '$(arrow-swap)' },
  { command: 'mindport.explainApi', title: 'Explain API at Cursor' },
  { command: 'mindport.selectTarget', title: 'Select Target Device' },
  { command: 'mindport.restartServer', title: 'Restart Server' },
  { command: 'mindport.openRuleDoc', title: 'Open Rule Documentation' },
].map((c) => ({ ...c, category: 'MindPort' }));

const configuration = {
  title: 'MindPort',
  properties: {
    'mindport.mindsporeVersion': {
      type: 'string',
      enum: MS_VERSIONS,
      default: '2.6',
      scope: 'resource',
      order: 1,
      markdownDescription:
        'MindSpore release line to port to. APIs added later, and platform support that differs between releases, are reported against this version.',
    },
    'mindport.device': {
      type: 'string',
      enum: DEVICES,
      enumDescriptions: [
        'Huawei Ascend 910B (Atlas 800T A2 training): `mindspore.mint` operators backed by CANN aclnn kernels.',
        'Huawei Ascend 310P (Atlas 300I Duo inference).',
        'GPU (CUDA) or Hygon DCU.',
        'CPU only.',
      ],
      default: 'Ascend910B',
      scope: 'resource',
      order: 2,
      markdownDescription: 'Device the ported code must run on. APIs that MindSpore does not support on this device are reported.',
    },
    'mindport.targetApi': {
      type: 'string',
      enum: ['auto', 'mint', 'classic'],
      enumDescriptions: [
        'Prefer `mindspore.mint` (the torch-like API) where the version and device support it, else the classic `ops`/`nn` API.',
        'Always suggest `mindspore.mint` APIs.',
        'Always suggest the classic `mindspore.ops` / `mindspore.nn` APIs.',
      ],
      default: 'auto',
      scope: 'resource',
      order: 3,
      markdownDescription: 'Which MindSpore API family quick fixes and "Port This File" rewrite torch calls to.',
    },
    'mindport.select': {
      type: 'array',
      items: ruleCode,
      uniqueItems: true,
      default: [],
      scope: 'resource',
      order: 10,
      markdownDescription:
        'Rule codes or prefixes to enable (e.g. `["MSP1", "MSP201"]`). Empty enables every rule. As in Ruff, the longest matching prefix of `select` and `#mindport.ignore#` wins.',
    },
    'mindport.ignore': {
      type: 'array',
      items: ruleCode,
      uniqueItems: true,
      default: [],
      scope: 'resource',
      order: 11,
      markdownDescription: 'Rule codes or prefixes to disable (e.g. `["MSP3"]`). A line can also be silenced with `# noqa: MSP101` or `# mindport: ignore[MSP101]`.',
    },
    'mindport.severity': {
      type: 'object',
      patternProperties: { '^MSP\\d{3}$': { type: 'string', enum: SEVERITIES } },
      additionalProperties: false,
      default: {},
      scope: 'resource',
      order: 12,
      markdownDescription: 'Severity per rule code, overriding the rule\'s default, e.g. `{ "MSP103": "error", "MSP301": "off" }`.',
    },
    'mindport.lowConfidence': {
      type: 'boolean',
      default: true,
      scope: 'resource',
      order: 13,
      markdownDescription:
        'Also report tensor-method calls whose receiver is only guessed to be a tensor from the method name (e.g. `x.view(...)`). Turn off for fewer, surer findings.',
    },
    'mindport.trace.server': {
      type: 'string',
      enum: ['off', 'messages', 'verbose'],
      default: 'off',
      scope: 'window',
      order: 90,
      description: 'Traces the communication between VS Code and the MindPort language server into the MindPort output.',
    },
  },
};

const walkthrough = {
  id: 'mindport.gettingStarted',
  title: 'Port PyTorch code to MindSpore',
  description: 'Choose a target, find what needs porting, fix it, and run it on an Ascend machine.',
  when: 'true',
  steps: [
    {
      id: 'chooseTarget',
      title: 'Choose your target',
      description:
        'Tell MindPort which MindSpore release and which device the code must run on. Every finding is checked against it.\n[Select Target Device](command:mindport.selectTarget)',
      media: { markdown: 'client/walkthrough/choose-target.md' },
      completionEvents: ['onCommand:mindport.selectTarget', 'onSettingChanged:mindport.device', 'onSettingChanged:mindport.mindsporeVersion'],
    },
    {
      id: 'scan',
      title: 'Scan the workspace',
      description:
        'Analyse every Python file and notebook, then read the porting report: how much is ready, and the top blockers.\n[Scan Workspace](command:mindport.scanWorkspace)\n[Show Porting Report](command:mindport.showReport)',
      media: { markdown: 'client/walkthrough/scan.md' },
      completionEvents: ['onCommand:mindport.scanWorkspace', 'onCommand:mindport.showReport'],
    },
    {
      id: 'fix',
      title: 'Fix what can be fixed',
      description:
        'Apply quick fixes from the Problems panel, fix all safe problems on save, or write a MindSpore copy of a file next to it.\n[Open Problems](command:workbench.actions.view.problems)\n[Port This File](command:mindport.portFile)',
      media: { markdown: 'client/walkthrough/fix.md' },
      completionEvents: ['onCommand:mindport.portFile', 'onCommand:workbench.actions.view.problems', 'onCommand:editor.action.fixAll'],
    },
  ],
};

// Steps 4 and 5 use the remote-run feature's commands and settings when it is present.
const remotePath = join(root, 'client/src/remote/contributes.json');
const remoteFile = existsSync(remotePath) ? JSON.parse(readFileSync(remotePath, 'utf8')) : undefined;
// either { contributes, activationEvents, capabilities } or the contributions themselves
const remote = remoteFile && (remoteFile.contributes ? { ...remoteFile.contributes, activationEvents: remoteFile.activationEvents, capabilities: remoteFile.capabilities } : remoteFile);
const remoteCommands = new Set((remote?.commands ?? []).map((c) => c.command));
const pickCmd = (...names) => names.find((n) => remoteCommands.has(n));
const checkHostCmd = pickCmd('mindport.checkHost', 'mindport.remote.checkHost');
const runCmd = pickCmd('mindport.runOnAscend', 'mindport.remote.run', 'mindport.runRemote');
const remoteSettings = Object.keys(
  Object.assign({}, ...[remote?.configuration ?? []].flat().map((c) => c?.properties ?? {})),
);
walkthrough.steps.push(
  {
    id: 'addHost',
    title: 'Add a remote Ascend host',
    description:
      'Point MindPort at a machine with an Ascend NPU that you reach over SSH, in your user settings.' +
      (remoteSettings.includes('mindport.remote.hosts')
        ? `\n[Edit Remote Hosts](command:workbench.action.openSettingsJson?${encodeURIComponent(JSON.stringify([{ revealSetting: { key: 'mindport.remote.hosts', edit: true } }]))})`
        : '') +
      (checkHostCmd ? `\n[Check Remote Host](command:${checkHostCmd})` : ''),
    media: { markdown: 'client/walkthrough/add-host.md' },
    completionEvents: [
      ...remoteSettings.filter((k) => /host/i.test(k)).map((k) => `onSettingChanged:${k}`),
      ...(checkHostCmd ? [`onCommand:${checkHostCmd}`] : []),
    ],
  },
  {
    id: 'runOnAscend',
    title: 'Run on Ascend',
    description: `Copy the workspace to the host and run the ported file there; its output streams into a terminal and its errors land in Problems.${runCmd ? `\n[Run on Ascend](command:${runCmd})` : ''}`,
    media: { markdown: 'client/walkthrough/run.md' },
    completionEvents: runCmd ? [`onCommand:${runCmd}`] : [],
  },
);
for (const s of walkthrough.steps) if (!s.completionEvents.length) s.completionEvents = ['onCommand:mindport.showReport'];

const menus = {
  commandPalette: [
    { command: 'mindport.portFile', when: isPy },
    { command: 'mindport.explainApi', when: isPy },
  ],
  'editor/title': [{ command: 'mindport.portFile', when: `${isPy} && resourceScheme == file`, group: 'navigation@90' }],
  'editor/context': [
    { command: 'mindport.explainApi', when: isPy, group: 'mindport@1' },
    { command: 'mindport.portFile', when: `${isPy} && resourceScheme == file`, group: 'mindport@2' },
  ],
  'explorer/context': [{ command: 'mindport.portFile', when: 'resourceExtname == .py', group: 'mindport@1' }],
};

const contributes = {
  configuration: [configuration],
  commands,
  menus,
  snippets: [{ language: 'python', path: './snippets/python.json' }],
  walkthroughs: [walkthrough],
};

// Merge the remote feature's contributions: arrays are concatenated (deduplicated by their id key), objects merged.
function merge(into, from) {
  for (const [k, v] of Object.entries(from ?? {})) {
    if (v === undefined) continue;
    if (k === 'configuration') {
      into.configuration = [...into.configuration, ...[v].flat()];
    } else if (Array.isArray(v)) {
      const key = (x) => x?.command ?? x?.id ?? x?.type ?? x?.name ?? JSON.stringify(x);
      const have = new Set((into[k] ?? []).map(key));
      into[k] = [...(into[k] ?? []), ...v.filter((x) => !have.has(key(x)))];
    } else if (v && typeof v === 'object') {
      into[k] = into[k] && typeof into[k] === 'object' ? merge({ ...into[k] }, v) : v;
    } else into[k] = v;
  }
  return into;
}
if (remote) {
  const { capabilities: _c, activationEvents: _a, restrictedConfigurations: _r, ...rest } = remote;
  merge(contributes, rest);
}

// Restricted Mode: every setting that is passed to a program the extension runs (ssh, host, commands, env scripts).
const restricted = [
  ...new Set([
    ...(remote?.restrictedConfigurations ?? remote?.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? []),
    ...remoteSettings.filter((k) => /host|ssh|command|script|env|path|user|port|remote/i.test(k)),
  ]),
].sort();

const updates = {
  activationEvents: [
    'onLanguage:python',
    'onNotebook:jupyter-notebook',
    'workspaceContains:mindport.toml',
    ...(remote?.activationEvents ?? []),
  ].filter((v, i, a) => a.indexOf(v) === i),
  contributes,
  capabilities: {
    virtualWorkspaces: { supported: 'limited', description: 'Workspace scans and file porting need files on disk.' },
    untrustedWorkspaces: {
      supported: 'limited',
      description:
        'In Restricted Mode MindPort analyses code and offers fixes, but remote runs are off and settings that name hosts or commands to run are only read from your user settings.',
      restrictedConfigurations: restricted,
    },
  },
  icon: 'images/icon.png',
  galleryBanner: { color: '#1e2a3a', theme: 'dark' },
  repository: pkg.repository, // no public repository yet: vsce runs with --allow-missing-repository
  keywords: ['pytorch', 'mindspore', 'ascend', 'npu', 'huawei', 'porting', 'migration', 'torch', 'cann', 'linter'],
  files: undefined, // .vscodeignore decides what the VSIX ships; `files` would override it
};

let changed = false;
for (const [k, v] of Object.entries(updates)) {
  if (JSON.stringify(pkg[k]) === JSON.stringify(v)) continue;
  changed = true;
  if (v === undefined) delete pkg[k];
  else pkg[k] = v;
}
if (process.argv.includes('--check')) {
  console.log(changed ? 'package.json manifest keys are out of date: run node client/manifest.mjs' : 'package.json manifest keys are up to date');
  process.exit(changed ? 1 : 0);
}
if (changed) {
  // re-read right before writing, so a concurrent edit of another key by someone else is not lost
  const fresh = JSON.parse(readFileSync(pkgPath, 'utf8'));
  for (const k of Object.keys(updates)) {
    if (updates[k] === undefined) delete fresh[k];
    else fresh[k] = updates[k];
  }
  writeFileSync(pkgPath, JSON.stringify(fresh, null, 2) + '\n');
}
console.log(`package.json manifest keys ${changed ? 'updated' : 'unchanged'}${remote ? ' (remote contributions merged)' : ''}`);
