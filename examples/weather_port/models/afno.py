"""Adaptive Fourier Neural Operator mixing, as in FourCastNet-style models."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class AFNO2D(nn.Module):
    """Mixes tokens in the 2-D Fourier domain with a block-diagonal complex MLP."""

    def __init__(self, hidden_size: int, num_blocks: int = 8, sparsity: float = 0.01):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_blocks = num_blocks
        self.block_size = hidden_size // num_blocks
        self.sparsity = sparsity
        scale = 0.02
        # complex weights stored as (real, imag) pairs in the last dimension
        self.w1 = nn.Parameter(scale * torch.randn(2, num_blocks, self.block_size, self.block_size))
        self.b1 = nn.Parameter(scale * torch.randn(2, num_blocks, self.block_size))
        self.w2 = nn.Parameter(scale * torch.randn(2, num_blocks, self.block_size, self.block_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = x
        B, H, W, C = x.shape
        x = torch.fft.rfft2(x.float(), dim=(1, 2), norm="ortho")
        x = x.reshape(B, H, W // 2 + 1, self.num_blocks, self.block_size)
        w1 = torch.view_as_complex(self.w1.permute(1, 2, 3, 0).contiguous())
        o1 = F.relu(torch.einsum("...bi,bio->...bo", x, w1))
        o2 = torch.einsum("...bi,bio->...bo", o1, torch.view_as_complex(self.w2.permute(1, 2, 3, 0).contiguous()))
        x = F.softshrink(torch.view_as_real(o2), lambd=self.sparsity)
        x = torch.view_as_complex(x).reshape(B, H, W // 2 + 1, C)
        x = torch.fft.irfft2(x, s=(H, W), dim=(1, 2), norm="ortho")
        return x.type_as(bias) + bias


class PatchEmbed(nn.Module):
    def __init__(self, img_size=(64, 128), patch_size=8, in_chans=20, embed_dim=256):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
        self.num_patches = (img_size[0] // patch_size) * (img_size[1] // patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


def sinusoidal_table(n: int) -> torch.Tensor:
    # float64 on purpose: precision of the table matters, Ascend cannot compute it on device
    pos = torch.arange(n, dtype=torch.float64)
    return torch.sin(pos / 10000 ** (2 * pos / n)) * math.pi
