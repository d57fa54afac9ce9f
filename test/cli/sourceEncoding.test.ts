// Writing files back in their declared encoding (cli/sourceEncoding.ts): the bytes are the ones Python's own
// codec gives for the same text, and they read back as the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EncodeError, encodeSource } from '../../server/src/cli/sourceEncoding';
import { cookieEncoding } from '../../server/src/engine/text';

const SAMPLES: Array<[python: string, text: string]> = [
  ['gbk', '# 海洋模型：训练脚本（温度、盐度）\ny = mint.abs(x)  # 取绝对值\n'],
  ['big5', '# 海洋模型：訓練腳本\ny = mint.abs(x)\n'],
  ['shift_jis', '# 海洋モデル：学習スクリプト ｶﾀｶﾅ\ny = mint.abs(x)\n'],
  ['euc-kr', '# 해양 모델 학습\ny = mint.abs(x)\n'],
  ['cp1251', '# модель океана\ny = mint.abs(x)\n'],
  ['koi8-r', '# модель океана\ny = mint.abs(x)\n'],
];

for (const [python, text] of SAMPLES) {
  test(`${python}: the bytes Python's codec writes, read back unchanged`, () => {
    const encoding = cookieEncoding(python);
    assert.ok(encoding, `no decoder for ${python}`);
    const out = encodeSource(encoding!, text);
    assert.equal(new TextDecoder(encoding).decode(out), text);
    const py = spawnSync('python3', ['-c', 'import sys; sys.stdout.buffer.write(sys.stdin.buffer.read().decode("utf-8").encode(sys.argv[1]))', python], { input: Buffer.from(text, 'utf8') });
    assert.equal(py.status, 0, String(py.stderr));
    assert.ok(out.equals(py.stdout), `${out.toString('hex')} != ${py.stdout.toString('hex')}`);
  });
}

test('a character the encoding lacks is refused, not replaced', () => {
  assert.throws(() => encodeSource('gbk', 'x = "😀"\n'), (e: unknown) => e instanceof EncodeError && /GBK cannot hold .*U\+1F600/.test((e as Error).message));
  assert.throws(() => encodeSource('latin-1', 'x = "→"\n'), EncodeError);
  assert.throws(() => encodeSource('koi8-r', 'x = "海"\n'), EncodeError);
});
