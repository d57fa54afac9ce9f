# mindport: DFT helper -- FFTs as matrix products; complex values travel as (re, im) pairs of float Tensors
import numpy as _np
import mindspore as _ms
from mindspore import ops as _ops

_DFT_CACHE = {}


def _dft_norm(n, norm, inverse):
    if norm == "ortho":
        return 1.0 / _np.sqrt(n)
    if (norm == "forward") != inverse:
        return 1.0 / n
    return 1.0


def _dft_mats(kind, n, m, norm):
    # cached float32 DFT matrices, built once on the host in float64
    key = (kind, n, m, norm)
    if key not in _DFT_CACHE:
        if kind == "rfft":  # (n, n//2+1): real input -> half spectrum
            t = _np.arange(n)[:, None]
            k = _np.arange(n // 2 + 1)[None, :]
            ang = 2 * _np.pi * t * k / n
            re, im = _np.cos(ang), -_np.sin(ang)
            s = _dft_norm(n, norm, False)
        elif kind == "irfft":  # (m, n): half spectrum with m terms -> real signal of length n
            k = _np.arange(m)[:, None]
            t = _np.arange(n)[None, :]
            w = _np.full((m, 1), 2.0)
            w[0] = 1.0
            if n % 2 == 0 and m == n // 2 + 1:
                w[-1] = 1.0
            ang = 2 * _np.pi * k * t / n
            re, im = w * _np.cos(ang), -w * _np.sin(ang)
            s = _dft_norm(n, norm, True)
        else:  # "fft" / "ifft": (n, n) complex -> complex
            t = _np.arange(n)[:, None]
            k = _np.arange(n)[None, :]
            sign = 1.0 if kind == "ifft" else -1.0
            ang = 2 * _np.pi * t * k / n
            re, im = _np.cos(ang), sign * _np.sin(ang)
            s = _dft_norm(n, norm, kind == "ifft")
        _DFT_CACHE[key] = (_ms.Tensor((re * s).astype(_np.float32)), _ms.Tensor((im * s).astype(_np.float32)))
    return _DFT_CACHE[key]


def _last(x, dim):
    return x if dim in (-1, x.ndim - 1) else _ops.swapaxes(x, dim, -1)


def _fit(x, dim, n):
    # zero-padded at the end, or cut, to length n along dim: what torch does with n= and s=
    xl = _last(x, dim)
    m = xl.shape[-1]
    if n is None or n == -1 or n == m:  # -1: that axis as it is (torch's s)
        return x
    xl = xl[..., :n] if n < m else _ops.pad(xl, (0, n - m))
    return _last(xl, dim)


def dft_rfft(x, n=None, dim=-1, norm="backward"):
    """torch.fft.rfft(x, n=n, dim=dim, norm=norm) as a (re, im) pair."""
    xl = _last(_fit(x, dim, n), dim)
    a_re, a_im = _dft_mats("rfft", xl.shape[-1], 0, norm)
    re, im = _ops.matmul(xl, a_re), _ops.matmul(xl, a_im)
    return _last(re, dim), _last(im, dim)


def _pair(x):
    # a (re, im) pair as it is; a real Tensor with a zero imaginary part
    return x if isinstance(x, tuple) else (x, _ops.zeros_like(x))


def dft_fft(x, n=None, dim=-1, norm="backward", inverse=False):
    """torch.fft.fft (ifft with inverse=True) of a real Tensor or a (re, im) pair, as a (re, im) pair."""
    re, im = _pair(x)
    re, im = _last(_fit(re, dim, n), dim), _last(_fit(im, dim, n), dim)
    a_re, a_im = _dft_mats("ifft" if inverse else "fft", re.shape[-1], 0, norm)
    y_re = _ops.matmul(re, a_re) - _ops.matmul(im, a_im)
    y_im = _ops.matmul(re, a_im) + _ops.matmul(im, a_re)
    return _last(y_re, dim), _last(y_im, dim)


def dft_ifft(x, n=None, dim=-1, norm="backward"):
    """torch.fft.ifft of a real Tensor or a (re, im) pair, as a (re, im) pair."""
    return dft_fft(x, n=n, dim=dim, norm=norm, inverse=True)


def dft_fftn(x, s=None, dim=(-2, -1), norm="backward", inverse=False):
    """torch.fft.fftn (ifftn with inverse=True) over the axes in dim, s their sizes; a (re, im) pair."""
    z = _pair(x)
    for i, d in enumerate(dim):
        z = dft_fft(z, n=None if s is None else s[i], dim=d, norm=norm, inverse=inverse)
    return z


def dft_ifftn(x, s=None, dim=(-2, -1), norm="backward"):
    """torch.fft.ifftn over the axes in dim; a (re, im) pair."""
    return dft_fftn(x, s=s, dim=dim, norm=norm, inverse=True)


def dft_fft2(x, s=None, dim=(-2, -1), norm="backward"):
    """torch.fft.fft2 of a real Tensor or a (re, im) pair, as a (re, im) pair."""
    return dft_fftn(x, s=s, dim=dim, norm=norm)


def dft_ifft2(x, s=None, dim=(-2, -1), norm="backward"):
    """torch.fft.ifft2 of a real Tensor or a (re, im) pair, as a (re, im) pair."""
    return dft_fftn(x, s=s, dim=dim, norm=norm, inverse=True)


def dft_irfft(z, n=None, dim=-1, norm="backward"):
    """torch.fft.irfft of a (re, im) half spectrum; n is the output length (default 2 * (m - 1))."""
    re, im = _last(z[0], dim), _last(z[1], dim)
    m = re.shape[-1]
    n = 2 * (m - 1) if n is None else n
    if m > n // 2 + 1:  # extra coefficients are ignored, as torch does
        m = n // 2 + 1
        re, im = re[..., :m], im[..., :m]
    a_re, a_im = _dft_mats("irfft", n, m, norm)
    return _last(_ops.matmul(re, a_re) + _ops.matmul(im, a_im), dim)


def dft_rfft2(x, s=None, dim=(-2, -1), norm="backward"):
    """torch.fft.rfft2 as a (re, im) pair: rfft on the last axis, then a complex fft on the other."""
    if s is not None:
        x = _fit(_fit(x, dim[0], s[0]), dim[1], s[1])
    z = dft_rfft(x, dim=dim[1], norm=norm)
    return dft_fft(z, dim=dim[0], norm=norm)


def dft_irfft2(z, s=None, dim=(-2, -1), norm="backward"):
    """torch.fft.irfft2 of a (re, im) pair; s = (rows, cols) of the real output."""
    if s is not None:  # the rows of the spectrum are padded or cut to s[0] before the inverse transform
        z = (_fit(z[0], dim[0], s[0]), _fit(z[1], dim[0], s[0]))
    z = dft_fft(z, dim=dim[0], norm=norm, inverse=True)
    return dft_irfft(z, n=None if s is None else s[1], dim=dim[1], norm=norm)
# mindport: end of DFT helper
