import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DFT_HELPER_SOURCE } from '../../server/src/engine/rules/msp201DftHelper';
import { fixAll } from '../../server/src/engine/fixAll';
import { database, findings, fix, lines, ROOT, settings, setup, all, findPython } from './helpers';

before(setup);

test('flags torch.fft calls in every import style', () => {
  assert.equal(findings(lines('import torch', 'y = torch.fft.rfft2(x)'), 'MSP201').length, 1);
  assert.equal(findings(lines('from torch import fft', 'y = fft.rfft2(x, dim=(1, 2))'), 'MSP201').length, 1);
  assert.equal(findings(lines('from torch.fft import rfft2 as R', 'y = R(x)'), 'MSP201').length, 1);
  assert.equal(findings(lines('import torch as T', 'z = T.view_as_complex(x)', 'd = T.complex64'), 'MSP201').length, 2);
});

test('the generic rule stays silent on claimed FFT uses', () => {
  const f = all(lines('import torch', 'y = torch.fft.rfft2(x)'));
  assert.deepEqual(f.map((x) => x.code), ['MSP201']);
});

test('a local rebinding is not flagged', () => {
  assert.equal(findings(lines('import torch', 'def rfft2(x):', '    return x', 'fft = object()', 'y = rfft2(x)'), 'MSP201').length, 0);
  assert.equal(findings(lines('from torch import fft', 'fft = MyFFT()', 'y = fft.rfft2(x)'), 'MSP201').length, 0);
});

test('severity is softer off Ascend', () => {
  assert.equal(findings(lines('import torch', 'y = torch.fft.rfft2(x)'), 'MSP201')[0].severity, 'warning');
  assert.equal(findings(lines('import torch', 'y = torch.fft.rfft2(x)'), 'MSP201', settings({ device: 'GPU' }))[0].severity, 'info');
});

test('rfft2 with visible axes is rewritten to the DFT helper, inserted once after the imports', () => {
  const src = lines('import torch', '', '', 'def f(x, H, W):', '    y = torch.fft.rfft2(x, dim=(1, 2), norm="ortho")', '    return torch.fft.irfft2(y, s=(H, W), dim=(1, 2), norm="ortho")');
  const r = fix(src, 'MSP201');
  assert.equal(r.applicability, 'unsafe');
  assert.match(r.text, /y = dft_rfft2\(x, dim=\(1, 2\), norm="ortho"\)/);
  assert.match(r.text, /# mindport: DFT helper/);
  assert.match(r.text, /# TODO\(mindport\) MSP201: dft_rfft2 returns a \(re, im\) pair/);
  const r2 = fix(r.text, 'MSP201');
  assert.match(r2.text, /return dft_irfft2\(y, s=\(H, W\), dim=\(1, 2\), norm="ortho"\)/);
  assert.equal(r2.text.split('# mindport: DFT helper').length, 2, 'helper inserted once');
});

test('calls with axes that are not literal get no rewrite; an input size is passed on (the helper pads or cuts as torch does)', () => {
  assert.equal(findings(lines('import torch', 'y = torch.fft.rfft2(x, dim=dims)'), 'MSP201')[0].fixes.length, 0);
  assert.match(fix(lines('import torch', 'y = torch.fft.rfft(x, n=64, dim=-1, norm="ortho")'), 'MSP201').text, /^y = dft_rfft\(x, n=64, dim=-1, norm="ortho"\)$/m);
  assert.match(fix(lines('import torch', 'y = torch.fft.rfft2(x, s=(8, 10), dim=(1, 2))'), 'MSP201').text, /^y = dft_rfft2\(x, s=\(8, 10\), dim=\(1, 2\)\)$/m);
  assert.equal(findings(lines('import torch', 'y = torch.fft.fftn(x)'), 'MSP201')[0].fixes.length, 0);
});

test('view_as_complex / view_as_real become pair operations', () => {
  assert.match(fix(lines('import torch', 'z = torch.view_as_complex(x)'), 'MSP201').text, /z = \(x\[\.\.\., 0\], x\[\.\.\., 1\]\)/);
  assert.match(fix(lines('import torch', 'r = torch.view_as_real(z)'), 'MSP201').text, /r = ops\.stack\(z, -1\)\n/);
});

test('complex einsum on an FFT result is reported', () => {
  const src = lines('import torch', 'def f(x, w):', '    xf = torch.fft.rfft2(x)', '    return torch.einsum("bi,io->bo", xf, w)', 'def g(a, w):', '    return torch.einsum("bi,io->bo", a, w)');
  const f = findings(src, 'MSP201');
  assert.equal(f.filter((x) => x.message.startsWith('complex')).length, 1);
});

test('a class body is its own scope for complex einsum: its FFT results are not module names', () => {
  const src = lines(
    'import torch',
    'class Filters:',
    '    xf = torch.fft.rfft2(base)',
    '    mixed = torch.einsum("bi,io->bo", xf, w)',
    'out = torch.einsum("bi,io->bo", xf, w)',
  );
  const complex = findings(src, 'MSP201').filter((x) => x.message.startsWith('complex'));
  assert.deepEqual(complex.map((x) => src.slice(x.start, x.end).split('(')[0] + ' on line ' + x.range.start.line), ['torch.einsum on line 3']);
});

test('the helper source is the same in the rule, the file template and the snippet', () => {
  assert.equal(readFileSync(join(ROOT, 'snippets', 'dft_helper.py'), 'utf8'), DFT_HELPER_SOURCE);
  const snip = JSON.parse(readFileSync(join(ROOT, 'snippets', 'python.json'), 'utf8'));
  assert.equal(snip['MindSpore DFT helper'].body.join('\n') + '\n', DFT_HELPER_SOURCE);
});

test('a name made real again before the einsum (view_as_real after an FFT) is not complex there', () => {
  // torch-harmonics' SHT: the FFT's result is viewed as real pairs, contracted, then viewed as complex again
  const src = lines(
    'import torch',
    'def sht(x, w):',
    '    x = 2.0 * torch.pi * torch.fft.rfft(x, dim=-1)',
    '    y = torch.einsum("km,mlk->lm", x, w)',
    '    x = torch.view_as_real(x)',
    '    z = torch.einsum("km,mlk->lm", x[..., 0], w)',
    '    x = torch.view_as_complex(z)',
    '    return y, z, x',
  );
  const lines_ = findings(src, 'MSP201').filter((f) => /complex `torch\.einsum`/.test(f.message)).map((f) => f.range.start.line);
  assert.deepEqual(lines_, [3], 'only the einsum on the FFT result (arithmetic on it stays complex)');
});

test('complex through views and arithmetic; the real and imaginary parts are real', () => {
  // FourCastNet's AFNO: the FFT's result is reshaped (still complex), then its .real and .imag are contracted
  const src = lines(
    'import torch',
    'def afno(x, w):',
    '    x = torch.fft.rfft2(x, dim=(1, 2))',
    '    x = x.reshape(2, 3, 4)',
    '    a = torch.einsum("bi,io->bo", x[:, :2], w)',
    '    b = torch.einsum("bi,io->bo", x[:, :2].real, w)',
    '    c = torch.einsum("bi,io->bo", x.imag, w)',
    '    return a, b, c',
  );
  const complexLines = findings(src, 'MSP201').filter((f) => /complex `torch\.einsum`/.test(f.message)).map((f) => f.range.start.line);
  assert.deepEqual(complexLines, [4]);
});

/** MindSpore's four ops the helper uses, played by NumPy; the helper's source is read from stdin and run. */
const pythonWithNumpy = () => findPython('numpy');
const NUMPY_MINDSPORE = `import sys, types
import numpy as np
ops = types.ModuleType("mindspore.ops")
ops.swapaxes = lambda x, a, b: np.swapaxes(x, a, b)
ops.matmul = np.matmul
ops.pad = lambda x, p: np.pad(x, [(0, 0)] * (x.ndim - 1) + [(p[0], p[1])])
ops.zeros_like = np.zeros_like
ms = types.ModuleType("mindspore"); ms.ops = ops; ms.Tensor = np.asarray
sys.modules["mindspore"] = ms; sys.modules["mindspore.ops"] = ops
exec(sys.stdin.read())
`;

test("the DFT helper computes NumPy's (torch's) FFTs, real and complex, with n= and s= padding or cutting as torch does", (t) => {
  const python = pythonWithNumpy();
  if (!python) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const program = `
${NUMPY_MINDSPORE}rng = np.random.default_rng(3)
x = rng.standard_normal((2, 8, 10))
bad = []
close = lambda a, b: a.shape == b.shape and np.allclose(a, b, atol=1e-4)
for norm in ["backward", "ortho", "forward"]:
    for n in [None, 6, 10, 13]:
        re, im = dft_rfft(x, n=n, dim=-1, norm=norm)
        if not close(re + 1j * im, np.fft.rfft(x, n=n, axis=-1, norm=norm)): bad.append(("rfft", norm, n))
    for s in [None, (8, 10), (6, 10), (12, 10), (8, 7)]:
        re, im = dft_rfft2(x, s=s, dim=(-2, -1), norm=norm)
        if not close(re + 1j * im, np.fft.rfft2(x, s=s, axes=(-2, -1), norm=norm)): bad.append(("rfft2", norm, s))
    y = np.fft.rfft2(x, axes=(-2, -1), norm=norm)
    # a spectrum with fewer rows than s[0] (torch-harmonics' RealFFT2 keeps lmax latitude modes), and with more
    for rows, s in [(8, (8, 10)), (4, (8, 10)), (8, (12, 10)), (8, (6, 10))]:
        z = y[:, :rows]
        got = dft_irfft2((z.real, z.imag), s=s, dim=(-2, -1), norm=norm)
        if not close(got, np.fft.irfft2(z, s=s, axes=(-2, -1), norm=norm)): bad.append(("irfft2", norm, rows, s))
    # complex transforms, of a real Tensor and of a (re, im) pair
    c = x + 1j * rng.standard_normal(x.shape)
    for src in [x, c]:
        arg = src if src is x else (c.real, c.imag)
        for n in [None, 6, 13]:
            for fn, ref in [(dft_fft, np.fft.fft), (dft_ifft, np.fft.ifft)]:
                re, im = fn(arg, n=n, dim=-2, norm=norm)
                if not close(re + 1j * im, ref(src, n=n, axis=-2, norm=norm)): bad.append((fn.__name__, norm, n))
        for s in [None, (8, 10), (6, 12)]:
            for fn, ref in [(dft_fft2, np.fft.fft2), (dft_ifft2, np.fft.ifft2)]:
                re, im = fn(arg, s=s, dim=(-2, -1), norm=norm)
                if not close(re + 1j * im, ref(src, s=s, axes=(-2, -1), norm=norm)): bad.append((fn.__name__, norm, s))
            for fn, ref in [(dft_fftn, np.fft.fftn), (dft_ifftn, np.fft.ifftn)]:
                re, im = fn(arg, s=None if s is None else (2,) + s, dim=[0, 1, 2], norm=norm)
                if not close(re + 1j * im, ref(src, s=None if s is None else (2,) + s, axes=[0, 1, 2], norm=norm)): bad.append((fn.__name__, norm, s))
print("bad", bad)
`;
  const run = spawnSync(python, ['-c', program], { input: DFT_HELPER_SOURCE, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'bad []');
});

test('complex transforms (fft, ifft, fft2, ifft2, fftn with its axes) use the helper too; .real/.imag of the result take a part of the pair', () => {
  const src = lines(
    'import torch',
    'def grad(x, k):',
    '    dx = torch.fft.ifft2(1j * k * x).real',
    '    y = torch.fft.fftn(x, dim=[1, 2])',
    '    w = torch.fft.fftn(x)',
    '    return dx, y, w',
  );
  const f = findings(src, 'MSP201');
  assert.equal(f.length, 3);
  const a = fix(src, 'MSP201', 0).text;
  assert.match(a, /^    # TODO\(mindport\) MSP201: dft_ifft2 takes a real Tensor or a \(re, im\) pair: check what is passed \(its real part is taken\)\n    dx = dft_ifft2\(1j \* k \* x\)\[0\]$/m);
  assert.match(a, /^def dft_ifft2\(x, s=None, dim=\(-2, -1\), norm="backward"\):$/m);
  assert.match(fix(src, 'MSP201', 1).text, /^    y = dft_fftn\(x, dim=\[1, 2\]\)$/m);
  // fftn over all axes by default: how many the rewrite cannot tell
  assert.equal(f[2].fixes.length, 0);
  // a part of a real input's transform is the whole rewrite: nothing around it to adapt, no reminder
  const part = fix(lines('import torch', 'def spec(x):', '    return torch.fft.rfft(x, dim=-1).imag'), 'MSP201').text;
  assert.match(part, /^def spec\(x\):\n    return dft_rfft\(x, dim=-1\)\[1\]$/m);
  assert.doesNotMatch(part, /TODO/);
});

test('a file whose helper an older MindPort inserted (another first line, no complex transforms) gets the current one in its place; a hand-edited one gets no fix', () => {
  const firstLine = DFT_HELPER_SOURCE.slice(0, DFT_HELPER_SOURCE.indexOf('\n'));
  const old = DFT_HELPER_SOURCE.replace(firstLine, '# mindport: DFT helper -- real FFTs as matrix products; complex values travel as (re, im) pairs of float Tensors').replace(/\ndef _pair[\s\S]*?(?=\ndef dft_irfft\()/, '\ndef dft_fft(z, dim=-1, norm="backward", inverse=False):\n    return z\n\n');
  assert.ok(!old.includes('def dft_ifft2(') && old.includes('# mindport: end of DFT helper'));
  const src = 'import torch\n\n' + old + '\n\ndef f(z):\n    return torch.fft.ifft2(z)\n';
  const out = fix(src, 'MSP201', 0).text;
  assert.equal(out.split('# mindport: DFT helper').length - 1, 1, 'one helper');
  assert.ok(out.includes(DFT_HELPER_SOURCE.trimEnd()));
  assert.match(out, /return dft_ifft2\(z\)$/m);
  // an old helper that has the function by name (its dft_fft took a pair only) is replaced all the same
  const fftOnly = 'import torch\n\n' + old + '\n\ndef f(x):\n    return torch.fft.fft(x, n=16)\n';
  assert.ok(old.includes('def dft_fft('));
  assert.ok(fix(fftOnly, 'MSP201', 0).text.includes(DFT_HELPER_SOURCE.trimEnd()));
  // an old helper whose end line was removed by hand, or the current one without the function: no fix (no NameError)
  assert.equal(findings(src.replace('# mindport: end of DFT helper', ''), 'MSP201')[0].fixes.length, 0);
  const edited = 'import torch\n\n' + DFT_HELPER_SOURCE.replace(/\ndef dft_ifft2\([\s\S]*?(?=\ndef dft_irfft\()/, '\n') + '\n\ndef f(z):\n    return torch.fft.ifft2(z)\n';
  assert.ok(!edited.includes('def dft_ifft2('));
  assert.equal(findings(edited, 'MSP201')[0].fixes.length, 0);
});

test('a 2-D or n-D transform given one int for dim or s gets no fix; s = -1 keeps that axis as it is', (t) => {
  const src = lines('import torch', 'a = torch.fft.fftn(x, dim=1)', 'b = torch.fft.fft2(x, s=8, dim=(0, 1))', 'c = torch.fft.fft2(x, s=(-1, 8), dim=(0, 1))');
  const f = findings(src, 'MSP201');
  assert.deepEqual(f.map((x) => x.fixes.length > 0), [false, false, true]);
  const python = pythonWithNumpy();
  if (!python) return t.skip('no python3 with NumPy (CI installs python3-numpy)');
  const program = `
${NUMPY_MINDSPORE}x = np.random.default_rng(5).standard_normal((3, 6, 8))
re, im = dft_fft2(x, s=(-1, 16), dim=(-2, -1))
print(np.allclose(re + 1j * im, np.fft.fft2(x, s=(6, 16), axes=(-2, -1)), atol=1e-4))
`;
  const run = spawnSync(python, ['-c', program], { input: DFT_HELPER_SOURCE, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'True');
});

test("a statement's TODO is not written twice, and a neighbour's TODO does not stand for another statement's", () => {
  for (const nl of ['\n', '\r\n']) {
    const src = ['import torch', 'a = torch.fft.fft(x)', 'b = torch.fft.ifft(x, dim=0)', ''].join(nl);
    const once = fixAll(src, settings(), database(), { unsafe: true }).text;
    assert.equal(once.split('TODO(mindport) MSP201: dft_fft takes').length - 1, 1, once);
    assert.equal(once.split('TODO(mindport) MSP201: dft_ifft takes').length - 1, 1, once);
    // a fix made again over its own TODO (an undone rewrite) adds none
    const again = once.replace('a = dft_fft(x)', 'a = torch.fft.fft(x)');
    assert.equal(fixAll(again, settings(), database(), { unsafe: true }).text, once);
  }
});

test('fftfreq / rfftfreq are computed on the host with NumPy and made a float32 Tensor; dtype= or requires_grad= get no fix', () => {
  const src = lines('import torch', 'def k(n, dx):', '    a = torch.fft.fftfreq(n, d=dx)', '    b = torch.fft.rfftfreq(8, device="cuda")', '    c = torch.fft.fftfreq(n, dtype=torch.float64)', '    return a, b, c');
  const f = findings(src, 'MSP201');
  assert.deepEqual(f.map((x) => x.fixes[0]?.applicability ?? null), ['unsafe', 'unsafe', null]);
  const out = fix(src, 'MSP201', 0).text;
  assert.match(out, /^    a = ms\.Tensor\(np\.fft\.fftfreq\(n, dx\), dtype=ms\.float32\)$/m);
  assert.match(out, /^import numpy as np$/m);
  assert.match(fix(src, 'MSP201', 1).text, /^    b = ms\.Tensor\(np\.fft\.rfftfreq\(8\), dtype=ms\.float32\)$/m);
  // numpy imported under another name is used as it is
  assert.match(fix(lines('import numpy as onp', 'import torch', 'a = torch.fft.fftfreq(4)'), 'MSP201').text, /a = ms\.Tensor\(onp\.fft\.fftfreq\(4\), dtype=ms\.float32\)/);
  // (an audit) a parameter named np hides the module: no fix there
  assert.deepEqual(findings(lines('import numpy as np', 'import torch', 'def spectrum(x, np):', '    return torch.fft.fftfreq(np)'), 'MSP201')[0].fixes, []);
});
