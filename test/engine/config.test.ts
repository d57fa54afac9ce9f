// Settings validation (one bad value never resets the rest), select/ignore prefixes, and project
// configuration discovery: the closest mindport.toml or pyproject.toml [tool.mindport] wins.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProjectConfigFinder } from '../../server/src/engine/projectConfig';
import { DEFAULT_SETTINGS, parseSettings, ruleEnabled } from '../../server/src/engine/settings';
import { settings } from './helpers';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'mindport-config-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const write = (rel: string, text: string) => {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
};

describe('parseSettings', () => {
  test('defaults', () => {
    assert.deepEqual(DEFAULT_SETTINGS, {
      mindsporeVersion: '2.6',
      device: 'Ascend910B',
      targetApi: 'auto',
      select: [],
      ignore: [],
      severity: {},
      lowConfidence: true,
    });
  });

  test('valid values are taken', () => {
    const { settings: s, problems } = parseSettings({ device: 'GPU', mindsporeVersion: '2.4', targetApi: 'classic', select: ['MSP1'], severity: { MSP103: 'error' }, lowConfidence: false });
    assert.deepEqual(problems, []);
    assert.deepEqual(s, { ...DEFAULT_SETTINGS, device: 'GPU', mindsporeVersion: '2.4', targetApi: 'classic', select: ['MSP1'], severity: { MSP103: 'error' }, lowConfidence: false });
  });

  test('each bad value is reported naming its setting, and that setting keeps its default', () => {
    const { settings: s, problems } = parseSettings({ device: 'TPU', mindsporeVersion: 2.6, select: ['E501'], severity: { MSP1: 'loud' }, lowConfidence: 'yes', targetApi: 'mint' });
    assert.deepEqual(problems.map((p) => p.setting), ['mindport.device', 'mindport.mindsporeVersion', 'mindport.select', 'mindport.severity', 'mindport.lowConfidence']);
    assert.match(problems[0].message, /^"TPU" is not valid: .*; using "Ascend910B"$/);
    assert.match(problems[2].message, /rule code or prefix/);
    assert.deepEqual(s, { ...DEFAULT_SETTINGS, targetApi: 'mint' }, 'the valid targetApi is still applied');
  });

  test('a bad value keeps the base value, not the default; unknown keys are reported; null is ignored', () => {
    const base = { ...DEFAULT_SETTINGS, device: 'CPU' as const };
    const { settings: s, problems } = parseSettings({ device: 'cuda', colour: 'red', ignore: null }, base, (k) => `pyproject.toml ${k}`);
    assert.equal(s.device, 'CPU');
    assert.deepEqual(problems.map((p) => [p.setting, p.message.split(':')[0]]), [
      ['pyproject.toml device', '"cuda" is not valid'],
      ['pyproject.toml colour', 'unknown setting "colour"'],
    ]);
    assert.match(problems[0].message, /using "CPU"$/);
  });
});

describe('select / ignore', () => {
  const on = (code: string, select: string[], ignore: string[] = []) => ruleEnabled(code, settings({ select, ignore }));
  test('empty select enables everything', () => {
    assert.equal(on('MSP101', []), true);
    assert.equal(on('MSP407', []), true);
  });
  test('prefixes select and ignore; the longest match wins', () => {
    assert.equal(on('MSP101', ['MSP1']), true);
    assert.equal(on('MSP201', ['MSP1']), false);
    assert.equal(on('MSP104', ['MSP1'], ['MSP104']), false);
    assert.equal(on('MSP101', ['MSP1'], ['MSP104']), true);
    assert.equal(on('MSP104', ['MSP104'], ['MSP1']), true, 'a longer select beats a shorter ignore');
    assert.equal(on('MSP301', [], ['MSP3']), false);
    assert.equal(on('MSP201', [], ['MSP3']), true);
    assert.equal(on('MSP101', ['MSP'], ['MSP1']), false);
    assert.equal(on('MSP101', ['MSP101'], ['MSP101']), false, 'equal length: ignore wins');
  });
});

describe('ProjectConfigFinder', () => {
  test('the closest file wins; mindport.toml before pyproject.toml in one folder; no merging', () => {
    write('a/pyproject.toml', '[tool.mindport]\ndevice = "GPU"\nselect = ["MSP1"]\n');
    write('a/b/mindport.toml', 'device = "CPU"\n');
    write('a/b/pyproject.toml', '[tool.mindport]\ndevice = "Ascend310P"\n');
    const f = new ProjectConfigFinder();
    const top = f.settingsFor(join(root, 'a/x.py'), DEFAULT_SETTINGS);
    assert.equal(top.config?.path, join(root, 'a/pyproject.toml'));
    assert.equal(top.settings.device, 'GPU');
    assert.deepEqual(top.settings.select, ['MSP1']);
    const deep = f.settingsFor(join(root, 'a/b/c/d/y.py'), DEFAULT_SETTINGS);
    assert.equal(deep.config?.path, join(root, 'a/b/mindport.toml'));
    assert.equal(deep.settings.device, 'CPU');
    assert.deepEqual(deep.settings.select, [], 'values of the farther file are not merged in');
    assert.deepEqual(deep.problems, []);
  });

  test('a pyproject.toml without [tool.mindport] is skipped', () => {
    write('p/mindport.toml', 'mindspore-version = "2.5"\n');
    write('p/q/pyproject.toml', '[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n');
    const r = new ProjectConfigFinder().settingsFor(join(root, 'p/q/m.py'), DEFAULT_SETTINGS);
    assert.equal(r.config?.path, join(root, 'p/mindport.toml'));
    assert.equal(r.settings.mindsporeVersion, '2.5');
  });

  test('kebab, snake and camel keys; [severity] table and inline table; [tool.mindport.run] kept aside', () => {
    write('k/mindport.toml', 'target-api = "classic"\nlow_confidence = false\n[severity]\nMSP103 = "error"\n');
    const a = new ProjectConfigFinder().settingsFor(join(root, 'k/m.py'), DEFAULT_SETTINGS);
    assert.deepEqual(a.problems, []);
    assert.equal(a.settings.targetApi, 'classic');
    assert.equal(a.settings.lowConfidence, false);
    assert.deepEqual(a.settings.severity, { MSP103: 'error' });
    write('k2/pyproject.toml', '[tool.mindport]\nseverity = { MSP104 = "off" }\nmindsporeVersion = "2.7"\n[tool.mindport.run]\nhost = "ascend1"\n');
    const b = new ProjectConfigFinder().settingsFor(join(root, 'k2/m.py'), DEFAULT_SETTINGS);
    assert.deepEqual(b.problems, []);
    assert.deepEqual(b.settings.severity, { MSP104: 'off' });
    assert.equal(b.settings.mindsporeVersion, '2.7');
    assert.deepEqual({ ...b.config?.run }, { host: 'ascend1' });
  });

  test('a broken TOML gives a clear problem and defaults', () => {
    const p = write('broken/mindport.toml', 'device = "GPU\nselect = [\n');
    const r = new ProjectConfigFinder().settingsFor(join(root, 'broken/m.py'), DEFAULT_SETTINGS);
    assert.deepEqual(r.settings, DEFAULT_SETTINGS);
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].setting, p);
    assert.match(r.problems[0].message, /^cannot parse: \S/);
  });

  test('unknown keys and bad values are reported with file and key; good values still apply', () => {
    const p = write('u/pyproject.toml', '[tool.mindport]\ndevice = "GPU"\ncolour = "red"\nmindspore-version = "1.8"\n');
    const r = new ProjectConfigFinder().settingsFor(join(root, 'u/m.py'), DEFAULT_SETTINGS);
    assert.equal(r.settings.device, 'GPU');
    assert.equal(r.settings.mindsporeVersion, '2.6');
    assert.deepEqual(r.problems.map((x) => x.setting), [`${p} [tool.mindport] colour`, `${p} mindsporeVersion`]);
    assert.match(r.problems[0].message, /unknown key "colour"/);
    assert.match(r.problems[1].message, /"1\.8" is not valid/);
  });

  test('MindSpore 2.10 is a version; unquoted in TOML it is the number 2.1, and the problem says to quote it', () => {
    write('v/mindport.toml', 'mindspore-version = "2.10"\n');
    const ok = new ProjectConfigFinder().settingsFor(join(root, 'v/m.py'), DEFAULT_SETTINGS);
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.settings.mindsporeVersion, '2.10');
    write('v2/mindport.toml', 'mindspore-version = 2.10\n');
    const bad = new ProjectConfigFinder().settingsFor(join(root, 'v2/m.py'), DEFAULT_SETTINGS);
    assert.equal(bad.settings.mindsporeVersion, '2.6');
    assert.match(bad.problems[0].message, /^2\.1 is not valid: .*write the version as a string, in quotes: "2\.10"/);
    write('v3/mindport.toml', 'mindspore-version = 2.7\n');
    assert.match(new ProjectConfigFinder().settingsFor(join(root, 'v3/m.py'), DEFAULT_SETTINGS).problems[0].message, /in quotes: "2\.7"/);
  });

  test('no configuration anywhere up to stopAt: the base settings', () => {
    mkdirSync(join(root, 'none/deeper'), { recursive: true });
    const base = { ...DEFAULT_SETTINGS, device: 'CPU' as const };
    const r = new ProjectConfigFinder().settingsFor(join(root, 'none/deeper/m.py'), base, join(root, 'none'));
    assert.equal(r.config, undefined);
    assert.equal(r.settings, base);
  });

  test('results are cached until clear()', () => {
    write('c/mindport.toml', 'device = "GPU"\n');
    const f = new ProjectConfigFinder();
    assert.equal(f.find(join(root, 'c/m.py'))?.values.device, 'GPU');
    write('c/mindport.toml', 'device = "CPU"\n');
    assert.equal(f.find(join(root, 'c/m.py'))?.values.device, 'GPU');
    f.clear();
    assert.equal(f.find(join(root, 'c/m.py'))?.values.device, 'CPU');
  });
});
