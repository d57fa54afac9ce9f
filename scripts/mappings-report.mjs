#!/usr/bin/env node
// Coverage report of the mapping database (mappings/*.json) against the official reference tables.
// Without ../shared/reference (or MINDPORT_REFERENCE_DIR) it prints the database-only figures.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTsv, classifyParamRow } from './mappings-import.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REF = resolve(process.env.MINDPORT_REFERENCE_DIR ?? join(ROOT, '..', 'shared', 'reference'));
const DIR = join(ROOT, 'mappings');

// ---- load the database (generated first, overlays merged over them, like server/src/mappings/database.ts)
const files = readdirSync(DIR).filter((n) => n.endsWith('.json')).sort();
const layers = {};
const parsed = [];
for (const name of files) {
  const f = JSON.parse(readFileSync(join(DIR, name), 'utf8'));
  parsed.push({ name, f });
  const n = Object.keys(f.entries).length;
  layers[f.layer] ??= { files: 0, entries: 0 };
  layers[f.layer].files++;
  layers[f.layer].entries += n;
}
parsed.sort((a, b) => (a.f.layer === b.f.layer ? 0 : a.f.layer === 'generated' ? -1 : 1));
const db = new Map();
for (const { f } of parsed) {
  for (const [k, e] of Object.entries(f.entries)) {
    const prev = db.get(k);
    if (!prev) db.set(k, structuredClone(e));
    else {
      const merged = { ...prev, ...e };
      for (const w of ['mint', 'classic'])
        if (prev[w] && e[w]) merged[w] = { ...prev[w], ...e[w], platforms: { ...prev[w].platforms, ...e[w].platforms } };
      db.set(k, merged);
    }
  }
}
const statusOf = (e) => {
  if (e.status) return e.status;
  const s = [e.mint?.status, e.classic?.status].filter(Boolean);
  return s.sort((a, b) => ['same', 'args', 'behavior'].indexOf(a) - ['same', 'args', 'behavior'].indexOf(b))[0] ?? 'none';
};

const pad = (s, n) => String(s).padEnd(n);
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
const line = (...cols) => console.log(cols.join(''));

console.log('MindPort mapping database report\n');
line(pad('layer', 12), pad('files', 8), 'entries (before merge)');
for (const [l, v] of Object.entries(layers)) line(pad(l, 12), pad(v.files, 8), v.entries);
console.log(`distinct torch APIs: ${db.size}\n`);

const byStatus = {};
const withRule = {};
let twins = { mint: 0, classic: 0, both: 0, args: 0, params: 0 };
for (const e of db.values()) {
  const s = statusOf(e);
  byStatus[s] = (byStatus[s] ?? 0) + 1;
  if (e.rule) withRule[e.rule] = (withRule[e.rule] ?? 0) + 1;
  if (e.mint) twins.mint++;
  if (e.classic) twins.classic++;
  if (e.mint && e.classic) twins.both++;
  if (e.mint?.args?.length || e.classic?.args?.length) twins.args++;
  if (e.params?.length) twins.params++;
}
console.log('entries per status');
for (const s of ['same', 'args', 'behavior', 'none']) line('  ', pad(s, 10), byStatus[s] ?? 0);
console.log(`twins: mint ${twins.mint}, classic ${twins.classic}, both ${twins.both}; with arg differences ${twins.args}; with params ${twins.params}`);
console.log(`rule-owned entries: ${Object.entries(withRule).sort().map(([r, n]) => `${r} ${n}`).join(', ')}\n`);

if (!existsSync(join(REF, 'pytorch_api_mapping.tsv'))) {
  console.log(`(reference tables not found at ${REF}: table coverage skipped)`);
  process.exit(0);
}

// ---- coverage of each official table
const hasTwin = (e, api) => e && [e.mint, e.classic].some((t) => t && (t.api === api || (t.note ?? '').includes(api)));
for (const [file, label] of [
  ['pytorch_api_mapping.tsv', '2.6.0 mapping table'],
  ['pytorch_api_mapping_r2.4.10.tsv', '2.4.10 mapping table'],
]) {
  const rows = readTsv(join(REF, file));
  const bySection = {};
  const byClass = {};
  let covered = 0;
  let total = 0;
  for (const r of rows) {
    if (!r.torch_api) continue; // MindSpore-only rows have no torch key
    total++;
    const ok = hasTwin(db.get(r.torch_api), r.mindspore_api);
    if (ok) covered++;
    const s = (bySection[r.section] ??= [0, 0]);
    s[1]++;
    if (ok) s[0]++;
    const c = (byClass[r.category_class] ??= [0, 0]);
    c[1]++;
    if (ok) c[0]++;
  }
  console.log(`${label}: ${covered}/${total} rows covered (${pct(covered, total)}), ${rows.length - total} row(s) without a torch API`);
  for (const [s, [a, b]] of Object.entries(bySection).sort()) line('  ', pad(s, 28), `${a}/${b}`);
  console.log('  by category:');
  for (const [s, [a, b]] of Object.entries(byClass).sort()) line('    ', pad(s, 38), `${a}/${b}`);
  // status given to the rows
  const st = {};
  for (const r of rows) {
    const e = db.get(r.torch_api);
    if (!e) continue;
    const t = [e.mint, e.classic].find((x) => x?.api === r.mindspore_api);
    if (t) st[t.status] = (st[t.status] ?? 0) + 1;
  }
  console.log(`  twin status of covered rows: ${Object.entries(st).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
}

// ---- difference pages → structured args
const params = readTsv(join(REF, 'pytorch_diff_params.tsv'));
const pages = new Map();
for (const r of params) {
  const k = `${r.mindspore_version} ${r.diff_page}`;
  const p = pages.get(k) ?? { rows: 0, args: 0 };
  p.rows++;
  p.args += classifyParamRow(r).args.length;
  pages.set(k, p);
}
const allPages = new Set();
for (const file of ['pytorch_api_mapping.tsv', 'pytorch_api_mapping_r2.4.10.tsv'])
  for (const r of readTsv(join(REF, file))) if (r.diff_page) allPages.add(`${r.mindspore_version} ${r.diff_page}`);
const structured = [...allPages].filter((p) => (pages.get(p)?.args ?? 0) > 0);
const noTable = [...allPages].filter((p) => !pages.has(p));
const noDiff = [...allPages].filter((p) => pages.has(p) && pages.get(p).args === 0);
console.log(`difference pages: ${allPages.size}; structured into arg fields: ${structured.length}; not structured: ${noTable.length + noDiff.length} (${noTable.length} without a parameter table, ${noDiff.length} whose table lists no argument difference)`);
if (noDiff.length) console.log(`  table without argument differences: ${noDiff.join(', ')}`);
const argCount = {};
for (const e of db.values())
  for (const t of [e.mint, e.classic]) for (const a of t?.args ?? []) argCount[a.change] = (argCount[a.change] ?? 0) + 1;
console.log(`arg differences in the database: ${Object.entries(argCount).sort().map(([k, v]) => `${k} ${v}`).join(', ')}\n`);

// ---- platforms, aclnn, MSAdapter
const plat = readTsv(join(REF, 'mindspore_api_platforms.tsv'));
const known = new Set(plat.map((r) => r.mindspore_api));
let twinsWithPlat = 0;
let twinsKnown = 0;
for (const e of db.values())
  for (const t of [e.mint, e.classic]) {
    if (!t) continue;
    if (known.has(t.api)) twinsKnown++;
    if (t.platforms) twinsWithPlat++;
  }
console.log(`twins found in the platform lists: ${twinsKnown}; twins carrying platforms: ${twinsWithPlat}`);
const aclnn = readTsv(join(REF, 'mint_aclnn_mapping.tsv'));
const mintApis = new Set([...db.values()].map((e) => e.mint?.api).filter(Boolean));
const aclnnUsed = aclnn.filter((r) => mintApis.has(r.mint_api));
const withAclnn = [...db.values()].filter((e) => e.mint?.aclnn).length;
console.log(`aclnn table: ${aclnnUsed.length}/${aclnn.length} rows name a mint twin of the database; mint twins with aclnn: ${withAclnn}`);
const msa = readTsv(join(REF, 'msadapter_api_support.tsv'));
const ns = msa.filter((r) => r.msadapter_status === 'Not Support');
const nsIn = ns.filter((r) => db.has(r.torch_api));
const nsNone = ns.filter((r) => db.get(r.torch_api)?.sources?.includes('msadapter'));
console.log(`MSAdapter "Not Support": ${ns.length} rows; in the database ${nsIn.length}; of them imported as status none ${nsNone.length} (the rest have a twin in the tables or an overlay)`);
