#!/usr/bin/env node
// Builds the generated layer of the mapping database (mappings/generated-*.json) from the official
// PyTorch → MindSpore reference tables in ../shared/reference (override with MINDPORT_REFERENCE_DIR).
//
//   node scripts/mappings-import.mjs            write mappings/generated-*.json
//   node scripts/mappings-import.mjs --check    exit 1 when the committed files are out of date
//
// Only facts are taken over (API names, parameter names, platforms, operator names, page names). Every note
// is produced here from short templates, so no sentence of the documentation ends up in the database.
// Output is deterministic: sorted keys, 2-space JSON, trailing newline.
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REF = resolve(process.env.MINDPORT_REFERENCE_DIR ?? join(ROOT, '..', 'shared', 'reference'));
const OUT = join(ROOT, 'mappings');
const CHECK = process.argv.includes('--check');

// ---------------------------------------------------------------------------------------------------------
// TSV reading

/** Reads a TSV with a header line; fields wrapped in double quotes are unquoted ("" → "). */
export function readTsv(file) {
  const text = readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const row = {};
    header.forEach((h, i) => {
      let v = cells[i] ?? '';
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/""/g, '"');
      row[h] = v.trim();
    });
    return row;
  });
}

const TORCH_KEY = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const MS_NAME = /^mindspore(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

// ---------------------------------------------------------------------------------------------------------
// Platforms, aclnn, "new in 2.6"

function loadPlatforms() {
  /** version → api → { platforms: Set, deprecated: bool } */
  const byVersion = { '2.6': new Map(), '2.7': new Map() };
  for (const r of readTsv(join(REF, 'mindspore_api_platforms.tsv'))) {
    const v = r.mindspore_version.startsWith('2.6') ? '2.6' : r.mindspore_version.startsWith('2.7') ? '2.7' : null;
    if (!v) continue;
    const m = byVersion[v];
    const cur = m.get(r.mindspore_api) ?? { platforms: new Set(), deprecated: false };
    const p = r.platforms;
    if (/deprecated/i.test(p)) cur.deprecated = true;
    if (/atlas/i.test(p)) cur.platforms.add('Ascend');
    for (const tok of p.split(/\s+/)) if (tok === 'Ascend' || tok === 'GPU' || tok === 'CPU') cur.platforms.add(tok);
    m.set(r.mindspore_api, cur);
  }
  return byVersion;
}

const PLATFORM_ORDER = ['Ascend', 'GPU', 'CPU'];
const sortPlatforms = (set) => PLATFORM_ORDER.filter((p) => set.has(p));

function loadAclnn() {
  const m = new Map();
  for (const r of readTsv(join(REF, 'mint_aclnn_mapping.tsv'))) {
    // cells such as "无" (none) or "-" carry no operator name; several operators are joined with ", "
    const ops = r.aclnn_api.split(/\s*[;,]\s*/).filter((o) => /^aclnn\w+$/.test(o));
    if (!ops.length) continue;
    r.aclnn_api = ops.join(', ');
    const prev = m.get(r.mint_api);
    m.set(r.mint_api, prev && prev !== r.aclnn_api ? `${prev}, ${r.aclnn_api}` : r.aclnn_api);
  }
  return m;
}

/** APIs the 2.6.0 release notes list as new compared with 2.5.0. */
function loadNewIn26() {
  const dir = join(REF, 'mindspore-docs', 'r2.6.0', 'resource', 'api_updates');
  const out = new Set();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_en.md'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const m = /^\[(mindspore\.[\w.]+)\]\([^)]*\)\|New\|/.exec(line);
      if (m) out.add(m[1]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Classifying the table's description cell

/** Status + twin note + arg diffs for a row whose category is a sentence (not "Consistent"/"diff"). */
export function classifySentence(sentence) {
  const s = sentence.replace(/\]\(.*$/, '').trim();
  const args = [];
  let m;
  if (/^consistent$/i.test(s) || /^the functions are consistent\.?$/i.test(s)) return { status: 'same', args };
  if ((m = /default value of (\w+) is different/i.exec(s)) || (m = /default value of (\w+) is different/i.exec(s))) {
    args.push({ torch: m[1], change: 'default', note: `default of ${m[1]} differs` });
    return { status: 'args', note: `default of ${m[1]} differs`, args };
  }
  if ((m = /but the default value of (\w+)/i.exec(s))) {
    args.push({ torch: m[1], change: 'default', note: `default of ${m[1]} differs` });
    return { status: 'args', note: `default of ${m[1]} differs`, args };
  }
  if ((m = /The (\w+) parameter is (\w+) in MindSpore/.exec(s))) {
    args.push({ torch: m[1], ms: m[2], change: 'renamed' });
    return { status: 'args', note: `${m[1]} is called ${m[2]}`, args };
  }
  if (/parameter names? (are|is)? ?(inconsistent|different)|inconsistent parameter names|parameter names are different/i.test(s))
    return { status: 'args', note: 'some argument names differ', args };
  if ((m = /(?:has no|does not contain(?: the)?) parameter (\w+)/i.exec(s))) {
    args.push({ torch: m[1], change: 'dropped', note: `no ${m[1]} argument` });
    return { status: 'args', note: `no ${m[1]} argument`, args };
  }
  if ((m = /has no parameter (\w+)|no parameter (\w+)/i.exec(s))) {
    const p = m[1] ?? m[2];
    args.push({ torch: p, change: 'dropped', note: `no ${p} argument` });
    return { status: 'args', note: `no ${p} argument`, args };
  }
  if (/No `verbose` and `momentum`/i.test(s)) {
    args.push({ torch: 'verbose', change: 'dropped', note: 'no verbose argument' });
    return { status: 'args', note: 'no verbose argument; momentum-cycling arguments are missing too', args };
  }
  if (/No `verbose`/i.test(s)) {
    args.push({ torch: 'verbose', change: 'dropped', note: 'no verbose argument' });
    return { status: 'args', note: 'no verbose argument', args };
  }
  if ((m = /additional parameter (\w+)\s*=\s*(\w+)/i.exec(s))) {
    args.push({ ms: m[1], change: 'added', msDefault: m[2] });
    return { status: 'args', note: `extra MindSpore argument ${m[1]}`, args };
  }
  if (/weight_init/.test(s) && /bias_init/.test(s)) {
    args.push({ ms: 'weight_init', change: 'added', msDefault: 'None' }, { ms: 'bias_init', change: 'added', msDefault: 'None' });
    return { status: 'args', note: 'extra initializer arguments weight_init and bias_init', args };
  }
  if (/optimization parameters/i.test(s)) {
    return { status: 'args', note: 'some torch performance switches of the optimizer are not available', args };
  }
  if (/overload/i.test(s)) return { status: 'args', note: 'the overloaded call forms accept different arguments', args };
  if (/deprecated/i.test(s)) return { status: 'behavior', note: 'the MindSpore method follows linalg.norm semantics', args };
  if (/param|default|argument/i.test(s)) return { status: 'args', note: 'argument differences', args };
  return { status: 'behavior', note: 'behaviour differs in details', args };
}

// ---------------------------------------------------------------------------------------------------------
// Classifying rows of pytorch_diff_params.tsv

const GENERAL = {
  out: ['unsupported', 'no out= argument: use the return value'],
  layout: ['unsupported', 'tensor layouts are not configurable'],
  device: ['unsupported', 'placement is global (set_context/set_device), not per tensor'],
  requires_grad: ['unsupported', 'set requires_grad on a Parameter instead'],
  pin_memory: ['unsupported', 'no pinned host memory option'],
  memory_format: ['unsupported', 'memory format cannot be chosen'],
  stable: ['unsupported', 'stable sorting cannot be requested'],
  sparse_grad: ['unsupported', 'sparse gradients are not available'],
  size_average: ['dropped', 'deprecated torch argument: use reduction'],
  reduce: ['dropped', 'deprecated torch argument: use reduction'],
};

const TRIVIAL =
  /^(-|—|n\/a|none|input tensor|consistent\.?|consistent functions?|consistent functionality|same functions?|same function,? same parameter names?|the (parameter names and )?functions? (is|are) (the same|consistent)|functions? (is|are) consistent|the functionality is consistent|no difference|not involved|use the data types under the corresponding framework)\.?$/i;
const NAME_ONLY =
  /(different|inconsistent) (parameter )?names?|names? (is|are) (different|inconsistent)|different names|parameter names? (is|are)? ?different|^-$|^same function$|^consistent function$/i;
const NOT_SUPPORTED = /not supported|does not support|doesn't support|not support|unsupported|cannot be (set|used)|not available|can't set/i;
const BEHAVIOR_WORDS =
  /only supports?|dtype|data type|shape|rank|broadcast|while|whereas|however|but |output|return|value range|range of|format|behaviou?r|different (type|meaning|usage)|usages?|calculat|comput|semantic/i;

function noteFromText(text) {
  const t = text.toLowerCase();
  const bits = [];
  if (/dtype|data type/.test(t)) bits.push('accepted dtypes differ');
  else if (/type/.test(t) && /tensor|int|float|str|tuple|list/.test(t)) bits.push('accepted argument types differ');
  if (/broadcast/.test(t)) bits.push('broadcasting differs');
  if (/rank|dimension|\bd data|shape|\d-?d\b/.test(t)) bits.push('shape or rank rules differ');
  if (/only supports?|only support|only be/.test(t) && !bits.length) bits.push('MindSpore accepts fewer values');
  if (/output|return/.test(t)) bits.push('outputs differ');
  if (/format|nhwc|nchw/.test(t) && !bits.length) bits.push('input format differs');
  if (!bits.length) bits.push('meaning differs; see the difference page');
  return bits.slice(0, 2).join('; ');
}

const VALUE = `(-?\\d+(?:\\.\\d+)?(?:e-?\\d+)?|True|False|None|'[^']*'|"[^"]*"|[A-Za-z_]\\w*)`;
const DEFAULT_PATTERNS = [
  new RegExp(`MindSpore defaults to \`*${VALUE}`, 'i'),
  new RegExp(`in MindSpore is \`*${VALUE}`, 'i'),
  new RegExp(`default value (?:for|of) MindSpore is \`*${VALUE}`, 'i'),
  new RegExp(`MindSpore Parameter is (?:a default value of )?\`*${VALUE}`, 'i'),
  new RegExp(`MindSpore parameter has a default value of \`*${VALUE}`, 'i'),
];

function parseMsDefault(text) {
  for (const p of DEFAULT_PATTERNS) {
    const m = p.exec(text);
    if (m && !/^(the|a|an|not|also)$/i.test(m[1])) return m[1];
  }
  return undefined;
}

const isAbsent = (p) => !p || p === '-' || p === '—';

/**
 * Turns one parameter row into arg diffs (empty when the row reports no difference).
 * Also says whether the row points at a behaviour difference beyond the arguments.
 */
export function classifyParamRow(row) {
  const tp = isAbsent(row.torch_param) ? undefined : row.torch_param.replace(/`/g, '').trim();
  const mp = isAbsent(row.mindspore_param) ? undefined : row.mindspore_param.replace(/`/g, '').trim();
  const text = (row.difference ?? '').trim();
  const cat = (row.category ?? '').toLowerCase();
  const out = [];
  let behavior = false;
  const validName = (n) => n && /^\*{0,2}[A-Za-z_][\w]*$/.test(n);
  const tName = validName(tp) ? tp.replace(/^\*+/, '') : undefined;
  const mName = validName(mp) ? mp.replace(/^\*+/, '') : undefined;

  if (cat.startsWith('output')) {
    if (!TRIVIAL.test(text)) behavior = true;
    return { args: out, behavior };
  }
  if (/general difference parameter table|common differences/i.test(text) && tName && GENERAL[tName]) {
    const [change, note] = GENERAL[tName];
    out.push({ torch: tName, change, note });
    return { args: out, behavior };
  }
  if (!tp && !mp) return { args: out, behavior };
  if (tp && !mp) {
    if (!tName) return { args: out, behavior };
    if (GENERAL[tName]) {
      const [change, note] = GENERAL[tName];
      out.push({ torch: tName, change, note });
    } else if (NOT_SUPPORTED.test(text)) out.push({ torch: tName, change: 'unsupported', note: 'not available in MindSpore' });
    else {
      let note = 'MindSpore has no such argument';
      if (/dataset\.map|\.map\b/i.test(text)) note = 'done with a Dataset.map transform instead';
      else if (/batch/i.test(text) && /dataset/i.test(text)) note = 'set on Dataset.batch instead';
      else if (/reduction/i.test(text)) note = 'use reduction instead';
      else if (/by default|implements/i.test(text)) note = 'MindSpore always behaves like the torch default';
      else if (/sampler|sampl/i.test(text)) note = 'sampling is configured on the MindSpore dataset instead';
      out.push({ torch: tName, change: 'dropped', note });
    }
    return { args: out, behavior };
  }
  if (!tp && mp) {
    if (!mName) return { args: out, behavior };
    const d = new RegExp(`default(?: value)?(?: is|:)\\s*\`*${VALUE}`, 'i').exec(text);
    out.push({ ms: mName, change: 'added', ...(d ? { msDefault: d[1] } : {}), note: 'MindSpore-only argument' });
    return { args: out, behavior };
  }
  // both present
  if (!tName || !mName) {
    // inputs written as e.g. "*tensors" or descriptive text
    if (!TRIVIAL.test(text) && BEHAVIOR_WORDS.test(text) && !NAME_ONLY.test(text)) behavior = cat.startsWith('input');
    return { args: out, behavior };
  }
  const renamed = tName !== mName;
  const mentionsDefault = /default/i.test(text);
  if (TRIVIAL.test(text) || text === '') {
    if (renamed) out.push({ torch: tName, ms: mName, change: 'renamed' });
    return { args: out, behavior };
  }
  if (renamed && NAME_ONLY.test(text) && !mentionsDefault) {
    out.push({ torch: tName, ms: mName, change: 'renamed' });
    return { args: out, behavior };
  }
  if (mentionsDefault) {
    if (renamed) out.push({ torch: tName, ms: mName, change: 'renamed' });
    const msDefault = parseMsDefault(text);
    let note = 'default differs';
    if (/no default values? for pytorch|pytorch parameter has no default|pytorch `?\w+`? has no default/i.test(text))
      note = 'MindSpore gives this argument a default, torch does not';
    else if (/mindspore does not have a default|(`\w+`|\w+) in mindspore does not have a default|has no default value, while/i.test(text))
      note = 'required in MindSpore';
    else if (/1-momentum|1 - momentum/i.test(text)) note = 'MindSpore momentum = 1 - torch momentum';
    else if (/different values correspond/i.test(text)) note = 'value mapping differs';
    const isRealDefault = !/different values correspond/i.test(text);
    out.push({ torch: tName, ...(renamed ? { ms: mName } : {}), change: isRealDefault ? 'default' : 'behavior', ...(msDefault ? { msDefault } : {}), note });
    if (/1-momentum/i.test(text) || /type|only/i.test(text)) behavior = behavior || false;
    return { args: out, behavior };
  }
  if (NOT_SUPPORTED.test(text) && !renamed && !/not support(?:s|ed)? (?:\w+ )?(?:input|type|dtype|value)|only/i.test(text)) {
    out.push({ torch: tName, change: 'unsupported', note: 'not available in MindSpore' });
    return { args: out, behavior };
  }
  if (renamed && !BEHAVIOR_WORDS.test(text)) {
    // descriptive text about what the argument means: a rename
    out.push({ torch: tName, ms: mName, change: 'renamed' });
    return { args: out, behavior };
  }
  if (!renamed && NAME_ONLY.test(text)) return { args: out, behavior };
  if (!renamed && !BEHAVIOR_WORDS.test(text) && !NOT_SUPPORTED.test(text)) {
    // a description of the argument with no stated difference
    if (!/differ|inconsistent|not the same|mindspore/i.test(text)) return { args: out, behavior };
  }
  out.push({ torch: tName, ...(renamed ? { ms: mName } : {}), change: 'behavior', note: noteFromText(text) });
  if (cat.startsWith('input') || /function(s|ality)? (is|are)? ?(different|inconsistent|not (the )?same)|different function/i.test(text))
    behavior = true;
  return { args: out, behavior };
}

/** Splits `text` at commas outside brackets and strings. */
function splitTopLevel(text) {
  const out = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((t) => t.trim()).filter(Boolean);
}

/** The names of a signature's `*args`-like parameters (without the star). */
function starNames(params) {
  return new Set((params ?? []).filter((p) => /^\*\w/.test(p.name)).map((p) => p.name.slice(1)));
}

/**
 * The torch signature a difference page shows for `key` (the code block under its `## key` heading, `class ` allowed), as
 * params: names in order, Python-source defaults, keyword-only after a bare `*`. Undefined when the page has none,
 * or a part is not a plain parameter (the signature is then not trusted at all).
 */
export function signatureParams(page, key) {
  // the first code block under the page's `## <key>` heading (examples further down call the API, not define it)
  const lines = page.split('\n');
  const heading = lines.findIndex((l) => l.trim() === `## ${key}`);
  if (heading < 0) return undefined;
  const rest = lines.slice(heading + 1).join('\n');
  const first = /```\w*\n([\s\S]*?)```/.exec(rest);
  if (!first || /\n## /.test(rest.slice(0, first.index))) return undefined;
  const block = first[1];
  const at = block.search(new RegExp(`(^|\\n)\\s*(class\\s+)?${key.replace(/\./g, '\\.')}\\(`));
  if (at < 0) return undefined;
  const open = block.indexOf('(', block.indexOf(key, at) + key.length - 1);
  let depth = 0;
  let close = -1;
  for (let i = open; i < block.length; i++) {
    if (block[i] === '(') depth++;
    else if (block[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return undefined;
  const params = [];
  let kwOnly = false;
  for (const part of splitTopLevel(block.slice(open + 1, close).replace(/#.*$/gm, ''))) {
    if (part === '*') {
      kwOnly = true;
      continue;
    }
    if (part === '/') continue;
    const m = /^(\*{0,2}[A-Za-z_]\w*)\s*(?::\s*[^=]+?)?\s*(?:=\s*([\s\S]+))?$/.exec(part);
    if (!m) return undefined;
    const p = { name: m[1] };
    if (m[2] !== undefined) p.default = m[2].replace(/\s+/g, ' ').trim();
    if (kwOnly && !p.name.startsWith('*')) p.kwOnly = true;
    if (p.name.startsWith('*') && !p.name.startsWith('**')) kwOnly = true;
    params.push(p);
  }
  return params;
}

function summarizeArgs(args) {
  const parts = [];
  const by = (c) => args.filter((a) => a.change === c);
  const ren = by('renamed');
  if (ren.length) parts.push(`renamed ${ren.slice(0, 3).map((a) => `${a.torch}→${a.ms}`).join(', ')}${ren.length > 3 ? ', …' : ''}`);
  const drop = [...by('dropped'), ...by('unsupported')];
  if (drop.length) parts.push(`no ${drop.slice(0, 3).map((a) => a.torch).join(', ')}${drop.length > 3 ? ', …' : ''}`);
  const def = by('default');
  if (def.length) parts.push(`default of ${def.slice(0, 3).map((a) => a.torch).join(', ')} differs`);
  const beh = by('behavior');
  if (beh.length) parts.push(`${beh.slice(0, 3).map((a) => a.torch).join(', ')} behave differently`);
  const add = by('added');
  if (add.length) parts.push(`extra ${add.slice(0, 3).map((a) => a.ms).join(', ')}`);
  return parts.join('; ');
}

// ---------------------------------------------------------------------------------------------------------
// Building entries

const TABLES = [
  { file: 'pytorch_api_mapping.tsv', version: '2.6.0', docVersion: 'r2.6.0', source: 'ms-2.6.0-table' },
  { file: 'pytorch_api_mapping_r2.4.10.tsv', version: '2.4.10', docVersion: 'r2.4.10', source: 'ms-2.4.10-table' },
];

const STATUS_RANK = { same: 0, args: 1, behavior: 2 };

export function build() {
  const platforms = loadPlatforms();
  const aclnn = loadAclnn();
  const newIn26 = loadNewIn26();
  const params = readTsv(join(REF, 'pytorch_diff_params.tsv'));
  const paramsByPage = new Map();
  for (const p of params) {
    const k = `${p.mindspore_version}|${p.diff_page}|${p.torch_api}|${p.mindspore_api}`;
    if (!paramsByPage.has(k)) paramsByPage.set(k, []);
    paramsByPage.get(k).push(p);
    // pages shared by several torch APIs (torch.all / torch.Tensor.all) list the rows once: keep a per-page index too
    const pk = `${p.mindspore_version}|${p.diff_page}`;
    if (!paramsByPage.has(pk)) paramsByPage.set(pk, []);
    paramsByPage.get(pk).push(p);
  }
  const stats = { pages: new Map(), conflicts: [], skippedRows: [], sameNamed: [], alignedIn26: [] };
  /** torch signatures read from the difference pages, by torch API. */
  const signatures = new Map();
  /** key → { entry, twinInfo: {mint:{...}, classic:{...}} } */
  const entries = new Map();

  const platformsOf = (api) => {
    const res = {};
    let deprecated = false;
    for (const v of ['2.6', '2.7']) {
      const p = platforms[v].get(api);
      if (p) {
        res[v] = sortPlatforms(p.platforms);
        if (p.deprecated) deprecated = true;
      }
    }
    return { platforms: Object.keys(res).length ? res : undefined, deprecated };
  };

  /**
   * A twin the 2.6 table calls consistent and the 2.4.10 one maps otherwise: until 2.6 the 2.4.10 row's twin holds
   * (classic); the torch-aligned one, since 2.6, goes where the choice of twin looks first (the mint slot, which
   * also holds the torch-aligned APIs).
   */
  const alignIn26 = (rec, prev, twin, table) => {
    rec.entry.mint = { ...prev, since: prev.since && prev.since > '2.6' ? prev.since : '2.6' };
    rec.entry.classic = twin;
    rec.from.mint = '2.6.0';
    rec.from.classic = table.version;
    stats.alignedIn26.push(rec.key);
  };

  for (const table of TABLES) {
    const rows = readTsv(join(REF, table.file));
    for (const row of rows) {
      const key = row.torch_api;
      const api = row.mindspore_api;
      if (!key || !TORCH_KEY.test(key) || !api || !MS_NAME.test(api)) {
        stats.skippedRows.push({ table: table.file, torch: key, ms: api, why: !key ? 'no torch API (MindSpore-only row)' : 'unparseable name' });
        continue;
      }
      const which = table.version === '2.6.0' && api.startsWith('mindspore.mint.') ? 'mint' : 'classic';
      // a torch class mapped to a MindSpore function (the 2.6 table's torch.nn.Flatten → mint.flatten): renaming the
      // layer into the function would build nothing; the row is left out, and the other table's twin stays
      const lastOf = (n) => n.slice(n.lastIndexOf('.') + 1);
      if (!key.startsWith('torch.Tensor.') && /^[A-Z]/.test(lastOf(key)) && /^[a-z]/.test(lastOf(api)) && which === 'mint') {
        stats.skippedRows.push({ table: table.file, torch: key, ms: api, why: 'a torch class mapped to a MindSpore function' });
        continue;
      }
      // status, note, args
      let status;
      let note;
      let args = [];
      let positionalOnly;
      let doc;
      const cls = row.category_class;
      if (cls === 'consistent') status = 'same';
      else if (cls === 'differences (diff page)') {
        doc = `https://www.mindspore.cn/docs/en/${table.docVersion}/note/api_mapping/pytorch_diff/${row.diff_page.replace(/\.md$/, '')}.html`;
        const prow =
          paramsByPage.get(`${table.version}|${row.diff_page}|${key}|${api}`) ?? paramsByPage.get(`${table.version}|${row.diff_page}`) ?? [];
        let behavior = false;
        for (const p of prow) {
          const r = classifyParamRow(p);
          args.push(...r.args);
          behavior = behavior || r.behavior;
        }
        args = dedupeArgs(args);
        const pageKey = `${table.version}|${row.diff_page}|${key}`;
        // torch's signature as the page shows it: where positional arguments land (the 2.6 page first, read first)
        const pagePath = join(REF, 'mindspore-docs', table.docVersion, 'source_en', 'note', 'api_mapping', 'pytorch_diff', row.diff_page);
        const page = existsSync(pagePath) ? readFileSync(pagePath, 'utf8') : '';
        if (!signatures.has(key) && page) {
          const sig = signatureParams(page, key);
          if (sig) signatures.set(key, sig);
        }
        // a torch argument "renamed" to MindSpore's `*args` (nn.ModuleDict's modules → CellDict(*args)) is passed by
        // position: no keyword can reach a star parameter
        const msStars = starNames(page ? signatureParams(page, api) : undefined);
        const torchStars = starNames(signatures.get(key));
        const toStar = args.filter((a) => a.change === 'renamed' && msStars.has(a.ms) && a.torch && !torchStars.has(a.torch));
        if (toStar.length) {
          args = args.filter((a) => !toStar.includes(a));
          positionalOnly = toStar.map((a) => a.torch);
        }
        if (prow.length === 0) {
          status = 'behavior';
          note = 'differences are described in prose on the official page';
          stats.pages.set(pageKey, { structured: false, why: 'no parameter table' });
        } else if (args.length === 0) {
          status = 'behavior';
          note = 'parameters match; the difference is in what the API does';
          stats.pages.set(pageKey, { structured: false, why: 'table lists no argument difference' });
        } else {
          status = behavior ? 'behavior' : 'args';
          note = summarizeArgs(args) || undefined;
          stats.pages.set(pageKey, { structured: true, args: args.length });
        }
      } else {
        const r = classifySentence(row.category);
        status = r.status;
        note = r.note;
        args = r.args;
      }
      const { platforms: plats, deprecated } = platformsOf(api);
      const twin = { api, status };
      if (table.version === '2.4.10') twin.since = '2.4';
      else if (which === 'mint') twin.since = newIn26.has(api) ? '2.6' : '2.5';
      else if (newIn26.has(api)) twin.since = '2.6';
      if (plats) twin.platforms = plats;
      if (args.length) twin.args = args;
      if (positionalOnly) twin.positionalOnly = positionalOnly;
      if (which === 'mint' && aclnn.has(api)) twin.aclnn = aclnn.get(api);
      if (doc) twin.doc = doc;
      const notes = [note, deprecated ? 'marked deprecated in the MindSpore API list' : undefined].filter(Boolean);
      if (notes.length) twin.note = notes.join('; ');

      let rec = entries.get(key);
      if (!rec) {
        rec = { key, entry: { section: row.section, sources: [] }, from: {} };
        entries.set(key, rec);
      }
      if (!rec.entry.sources.includes(table.source)) rec.entry.sources.push(table.source);
      const prev = rec.entry[which];
      if (!prev) {
        rec.entry[which] = twin;
        rec.from[which] = table.version;
      } else if (
        key.startsWith('torch.Tensor.') && table.version === '2.4.10' && rec.from.classic === '2.6.0' && which === 'classic' && !rec.entry.mint && prev.status === 'same' &&
        (prev.api !== api || twin.status !== 'same')
      ) {
        // a method the 2.6 table calls consistent and the 2.4.10 one not (Tensor.max returned the values only), or
        // maps to another method (Tensor.gather: gather_elements until then, Tensor.gather being another operation)
        alignIn26(rec, prev, twin, table);
      } else if (prev.api === api) {
        // same twin in both tables: the 2.6 row (read first) keeps its status/args, the 2.4 row tells `since`
        if (table.version === '2.4.10') prev.since = '2.4';
        if (!prev.doc && twin.doc) prev.doc = twin.doc;
      } else {
        // two different classic twins (2.6 vs 2.4.10, or a torch API listed twice): keep the closer match
        // within one table: the better status wins, ties go to mindspore.experimental.optim (same constructor shape as torch)
        const exp = (t) => (t.api.startsWith('mindspore.experimental.') ? 0 : 1);
        const better =
          rec.from[which] === table.version &&
          (STATUS_RANK[twin.status] < STATUS_RANK[prev.status] ||
            (STATUS_RANK[twin.status] === STATUS_RANK[prev.status] && exp(twin) < exp(prev)) ||
            (exp(twin) < exp(prev) && STATUS_RANK[twin.status] <= STATUS_RANK.args));
        const keep = better ? twin : prev;
        const other = better ? prev : twin;
        keep.note = [keep.note, `alternative: ${other.api}${other.status !== 'same' ? ` (${other.status})` : ''}`].filter(Boolean).join('; ');
        rec.entry[which] = keep;
        stats.conflicts.push({ torch: key, kept: keep.api, other: other.api, table: table.file });
      }
    }
  }

  // MSAdapter's rows with no mapping in either table. MSAdapter is a torch compatibility layer: what it
  // lacks, MindSpore may still have under the same name (Tensor.nanmean, ops.huber_loss). Such an API becomes a
  // twin whose parameters and behaviour nobody compared ('behavior': reported with a warning, never a safe fix);
  // the others have no twin.
  const msa = readTsv(join(REF, 'msadapter_api_support.tsv'));
  const known = (api) => platforms['2.6'].has(api) || platforms['2.7'].has(api);
  // keys an overlay entry maps itself (a twin or a status): a generated row would only leak its advice into it
  const overlayKeys = new Set(
    overlayFiles().flatMap((f) => Object.entries(f.entries ?? {}).filter(([, e]) => e && (e.mint || e.classic || e.status)).map(([k]) => k)),
  );
  for (const r of msa) {
    const key = r.torch_api;
    if (!TORCH_KEY.test(key) || entries.has(key) || overlayKeys.has(key)) continue;
    // MSAdapter's list also names torch APIs the tables leave out (torch.nanmean): the same twin when MindSpore has one
    const api = sameNamedApi(key).find(known);
    if (api) {
      const twin = { api, status: 'behavior' };
      const { platforms: plats } = platformsOf(api);
      if (plats) twin.platforms = plats;
      if (api.startsWith('mindspore.mint.') && aclnn.has(api)) twin.aclnn = aclnn.get(api);
      twin.note = 'a MindSpore API of the same name, not in the official mapping tables: its parameters and behaviour were not compared with torch\'s, so check them';
      entries.set(key, { entry: { section: r.section, sources: ['msadapter', 'ms-api-list'], [api.startsWith('mindspore.mint.') ? 'mint' : 'classic']: twin }, from: {} });
      stats.sameNamed.push(`${key} → ${api}`);
      continue;
    }
    if (r.msadapter_status !== 'Not Support') continue;
    entries.set(key, {
      entry: {
        status: 'none',
        section: r.section,
        sources: ['msadapter'],
        advice: adviceForUnsupported(key),
      },
      from: {},
    });
  }

  for (const [key, sig] of signatures) {
    const rec = entries.get(key);
    if (rec && sig.length) rec.entry.params = sig;
  }
  stats.signatures = signatures.size;

  // kind
  for (const [key, rec] of entries) {
    const last = key.split('.').pop();
    if (key.startsWith('torch.Tensor.')) rec.entry.kind = 'method';
    else if (/^[A-Z]/.test(last)) rec.entry.kind = 'class';
    else rec.entry.kind = 'function';
  }
  return { entries, stats, msa };
}

/** MindSpore names a torch API may have under the same name, the mint one first. */
function sameNamedApi(key) {
  const name = key.split('.').pop();
  if (key.startsWith('torch.Tensor.')) return [`mindspore.Tensor.${name}`];
  if (key.startsWith('torch.nn.functional.')) return [`mindspore.mint.nn.functional.${name}`, `mindspore.ops.${name}`];
  if (/^torch\.nn\.[A-Z]\w*$/.test(key)) return [`mindspore.mint.nn.${name}`, `mindspore.nn.${name}`];
  if (key.startsWith('torch.linalg.')) return [`mindspore.mint.linalg.${name}`, `mindspore.ops.${name}`];
  if (/^torch\.\w+$/.test(key)) return [`mindspore.mint.${name}`, `mindspore.ops.${name}`];
  return [];
}

function adviceForUnsupported(key) {
  if (key.startsWith('torch.Tensor.'))
    return 'No MindSpore twin is listed for this tensor method: rewrite it with mindspore.ops / mindspore.mint functions or NumPy on the host, and test the result.';
  if (key.startsWith('torch.nn.functional.') || key.startsWith('torch.nn.'))
    return 'No listed MindSpore twin: build it from existing mint/ops primitives inside a Cell, or keep this part in NumPy outside the network.';
  return 'No listed MindSpore twin: compose it from mindspore.ops / mindspore.mint primitives, or compute it with NumPy on the host if it is not on the training path.';
}

function dedupeArgs(args) {
  const seen = new Set();
  const out = [];
  for (const a of args) {
    const k = `${a.torch ?? ''}|${a.ms ?? ''}|${a.change}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(a);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Writing

function fileFor(key) {
  if (key.startsWith('torch.Tensor.')) return 'generated-tensor.json';
  if (key.startsWith('torch.nn.')) return 'generated-nn.json';
  if (key.startsWith('torch.')) return 'generated-torch.json';
  return 'generated-other.json';
}

const DESCRIPTIONS = {
  'generated-torch.json': 'torch.* functions (incl. linalg, special, distributed, optim, utils): generated from the official 2.6.0 and 2.4.10 mapping tables, platform lists, aclnn table and MSAdapter list by scripts/mappings-import.mjs. Do not edit; put corrections in an overlay file.',
  'generated-nn.json': 'torch.nn.* layers and torch.nn.functional.*: generated by scripts/mappings-import.mjs from the official reference tables. Do not edit; put corrections in an overlay file.',
  'generated-tensor.json': 'torch.Tensor methods: generated by scripts/mappings-import.mjs from the official reference tables. Do not edit; put corrections in an overlay file.',
  'generated-platforms.json': 'Platform facts, aclnn operators and `since` (2.7 for APIs first listed in 2.7.0rc1) for the twins that the hand-written overlay files name, looked up in the official platform lists by scripts/mappings-import.mjs. Do not edit.',
  'generated-other.json': 'torchvision, torchaudio and torchtext: generated by scripts/mappings-import.mjs from the official reference tables. Do not edit; put corrections in an overlay file.',
};

/** Copy with object keys sorted (arrays keep their order). */
export function sortDeep(v) {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) o[k] = sortDeep(v[k]);
    return o;
  }
  return v;
}

/** The hand-written overlay files, parsed (a broken one is skipped: the loader reports it). */
function overlayFiles() {
  const names = existsSync(OUT) ? readdirSync(OUT).filter((n) => n.startsWith('overlay') && n.endsWith('.json')).sort() : [];
  return names.flatMap((name) => {
    try {
      return [JSON.parse(readFileSync(join(OUT, name), 'utf8'))];
    } catch {
      return [];
    }
  });
}

/**
 * Twins named only in overlay files get their platform lists from the reference here, so the hand-written
 * files never copy platform facts. A twin API listed only for 2.7.0rc1 gets `since: "2.7"`.
 */
function overlayPlatforms(entries) {
  const platforms = loadPlatforms();
  const aclnn = loadAclnn();
  const newIn26 = loadNewIn26();
  const out = {};
  for (const file of overlayFiles()) {
    for (const [key, entry] of Object.entries(file.entries ?? {})) {
      for (const which of ['mint', 'classic']) {
        const t = entry?.[which];
        if (!t?.api || entries.get(key)?.entry[which]?.api === t.api) continue;
        const p = {};
        for (const v of ['2.6', '2.7']) {
          const hit = platforms[v].get(t.api);
          if (hit) p[v] = sortPlatforms(hit.platforms);
        }
        if (!Object.keys(p).length) continue;
        const twin = { api: t.api, status: t.status ?? 'behavior', platforms: p };
        if (!p['2.6'] && p['2.7']) twin.since = '2.7';
        else if (which === 'mint') twin.since = newIn26.has(t.api) ? '2.6' : '2.5';
        if (which === 'mint' && aclnn.has(t.api)) twin.aclnn = aclnn.get(t.api);
        out[key] = { ...(out[key] ?? {}), [which]: twin };
      }
    }
  }
  return out;
}

function main() {
  if (!existsSync(join(REF, 'pytorch_api_mapping.tsv'))) {
    console.log(`mappings-import: reference tables not found at ${REF}; nothing to do (set MINDPORT_REFERENCE_DIR to point at them).`);
    return 0;
  }
  const { entries, stats } = build();
  const files = {};
  for (const name of Object.keys(DESCRIPTIONS)) files[name] = {};
  for (const [key, rec] of entries) files[fileFor(key)][key] = rec.entry;
  files['generated-platforms.json'] = overlayPlatforms(entries);
  let stale = false;
  for (const [name, ents] of Object.entries(files)) {
    // `layer` and `description` first, then the entries with every object's keys sorted
    const text = JSON.stringify({ layer: 'generated', description: DESCRIPTIONS[name], entries: sortDeep(ents) }, null, 2) + '\n';
    const path = join(OUT, name);
    const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (old !== text) {
      stale = true;
      if (!CHECK) writeFileSync(path, text);
    }
    console.log(`${CHECK ? 'checked' : 'wrote'} mappings/${name}: ${Object.keys(ents).length} entries, ${(text.length / 1024).toFixed(0)} KiB`);
  }
  const pages = [...stats.pages.values()];
  console.log(
    `difference pages: ${pages.length}, structured into args: ${pages.filter((p) => p.structured).length}, not structured: ${pages.filter((p) => !p.structured).length}`,
  );
  console.log(`torch signatures read from difference pages (params): ${stats.signatures}`);
  console.log(`rows skipped: ${stats.skippedRows.length}${stats.skippedRows.length ? ` (${stats.skippedRows.map((r) => r.ms || r.torch).join(', ')})` : ''}`);
  console.log(`torch APIs with two different classic twins (one kept, the other in its note): ${stats.conflicts.length}`);
  console.log(`APIs the 2.6 table aligns with torch and the 2.4.10 table maps otherwise (torch-aligned twin since 2.6): ${stats.alignedIn26.length}`);
  console.log(`MSAdapter-listed APIs with no table row and a same-named MindSpore API (twins not compared): ${stats.sameNamed.length}`);
  if (CHECK && stale) {
    console.error('mappings-import --check: generated files are out of date; run node scripts/mappings-import.mjs');
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
