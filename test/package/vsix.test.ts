// `npm run package` builds a .vsix that carries what the extension needs at run time, and nothing else.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';

const ROOT = join(__dirname, '..', '..');

/** Entry names and (for small files) contents of a zip archive, read from its central directory. */
function readZip(buf: Buffer): Map<string, () => Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'a zip end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, () => Buffer>();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    out.set(name, () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + csize);
      return method === 8 ? inflateRawSync(data) : data;
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

test('the .vsix ships the bundles, wasm files, mappings, rule pages and snippets, and no sources or node_modules', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'mindport-vsix-')), 'mindport.vsix');
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  assert.ok(existsSync(out));
  const zip = readZip(readFileSync(out));
  const names = [...zip.keys()];
  for (const needed of [
    'extension/package.json',
    'extension/dist/client.js',
    'extension/dist/client-main.js', // the extension's body, loaded right after activation
    'extension/dist/server.js',
    'extension/dist/cli.js',
    'extension/dist/web-tree-sitter.wasm',
    'extension/dist/tree-sitter-python.wasm',
    'extension/mappings/overlay-core.json',
    'extension/docs/rules/MSP101.md',
    'extension/snippets/python.json',
    'extension/images/icon.png',
  ]) {
    assert.ok(names.includes(needed), `${needed} is in the package`);
  }
  assert.ok(names.some((n) => /^extension\/mappings\/generated-.*\.json$/.test(n)));
  const unwanted = names.filter((n) => /^extension\/(node_modules|server\/src|client\/src|test|bench|scripts|examples)\//.test(n) || n.endsWith('.ts') || n.endsWith('.map'));
  assert.deepEqual(unwanted, []);
  // the manifest inside is the real one: main points at a shipped file
  const manifest = JSON.parse(zip.get('extension/package.json')!().toString('utf8'));
  assert.equal(manifest.main, './dist/client.js');
  assert.ok(names.includes(`extension/${manifest.main.replace('./', '')}`));
});
