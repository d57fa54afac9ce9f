// Issue 3, argument rewrites: for 42 torch APIs (beyond the 11 of test/engine/rules.test.ts) whose chosen twin
// renames or drops arguments, five calls each (all positional, all keyword, reordered keywords, defaults omitted,
// through an alias) are fixed with the preferred fix of every finding on the call, compared with MindSpore code
// written by hand from the mapping entry, and re-parsed without syntax errors.
//
// | #  | torch API                                   | target  | MindSpore twin                                         | argument differences used              |
// |----|---------------------------------------------|---------|--------------------------------------------------------|----------------------------------------|
// | 1  | torch.nn.functional.elu                     | mint    | mindspore.mint.nn.functional.elu                       | inplace dropped                        |
// | 2  | torch.nn.functional.leaky_relu              | mint    | mindspore.mint.nn.functional.leaky_relu                | inplace dropped                        |
// | 3  | torch.nn.functional.dropout2d               | mint    | mindspore.mint.nn.functional.dropout2d                 | inplace dropped                        |
// | 4  | torch.nn.functional.embedding               | mint    | mindspore.mint.nn.functional.embedding                 | sparse dropped                         |
// | 5  | torch.nn.functional.hardsigmoid             | mint    | mindspore.mint.nn.functional.hardsigmoid               | inplace dropped                        |
// | 6  | torch.nn.functional.hardswish               | mint    | mindspore.mint.nn.functional.hardswish                 | inplace dropped                        |
// | 7  | torch.nn.functional.mish                    | mint    | mindspore.mint.nn.functional.mish                      | inplace dropped                        |
// | 8  | torch.nn.functional.selu                    | mint    | mindspore.mint.nn.functional.selu                      | inplace dropped                        |
// | 9  | torch.nn.functional.silu                    | mint    | mindspore.mint.nn.functional.silu                      | inplace dropped                        |
// | 10 | torch.nn.ELU                                | mint    | mindspore.mint.nn.ELU                                  | inplace dropped                        |
// | 11 | torch.nn.Dropout2d                          | mint    | mindspore.mint.nn.Dropout2d                            | inplace dropped                        |
// | 12 | torch.nn.LeakyReLU                          | classic | mindspore.nn.LeakyReLU                                 | negative_slope→alpha (default 0.2), inplace dropped |
// | 13 | torch.nn.ReLU                               | classic | mindspore.nn.ReLU                                      | inplace dropped                        |
// | 14 | torch.nn.Conv1d                             | classic | mindspore.nn.Conv1d                                    | groups→group, bias→has_bias (default), pad_mode='pad' added |
// | 15 | torch.nn.ConvTranspose2d                    | classic | mindspore.nn.Conv2dTranspose                           | output_padding, padding_mode dropped; groups→group; bias→has_bias |
// | 16 | torch.nn.GRU                                | classic | mindspore.nn.GRU                                       | bias→has_bias                          |
// | 17 | torch.nn.LSTM                               | classic | mindspore.nn.LSTM                                      | bias→has_bias, proj_size dropped       |
// | 18 | torch.nn.GRUCell                            | classic | mindspore.nn.GRUCell                                   | bias→has_bias                          |
// | 19 | torch.nn.RNNCell                            | classic | mindspore.nn.RNNCell                                   | bias→has_bias                          |
// | 20 | torch.nn.LSTMCell                           | classic | mindspore.nn.LSTMCell                                  | bias→has_bias                          |
// | 21 | torch.nn.Bilinear                           | classic | mindspore.nn.BiDense                                   | in1/in2/out_features→*_channels, bias→has_bias |
// | 22 | torch.nn.PReLU                              | classic | mindspore.nn.PReLU                                     | num_parameters→channel, init→w         |
// | 23 | torch.nn.CrossEntropyLoss                   | classic | mindspore.nn.CrossEntropyLoss                          | size_average, reduce dropped           |
// | 24 | torch.nn.NLLLoss                            | classic | mindspore.nn.NLLLoss                                   | size_average, reduce dropped           |
// | 25 | torch.argmin                                | classic | mindspore.ops.argmin                                   | dim→axis, keepdim→keepdims             |
// | 26 | torch.diag                                  | classic | mindspore.ops.diag                                     | diagonal dropped                       |
// | 27 | torch.bucketize                             | classic | mindspore.ops.bucketize                                | out_int32 dropped                      |
// | 28 | torch.renorm                                | classic | mindspore.ops.renorm                                   | dim→axis                               |
// | 29 | torch.scatter                               | classic | mindspore.ops.scatter                                  | dim→axis                               |
// | 30 | torch.optim.lr_scheduler.StepLR             | classic | mindspore.experimental.optim.lr_scheduler.StepLR       | verbose dropped                        |
// | 31 | torch.optim.lr_scheduler.ExponentialLR      | classic | mindspore.experimental.optim.lr_scheduler.ExponentialLR | verbose dropped                       |
// | 32 | torch.optim.lr_scheduler.MultiStepLR        | classic | mindspore.experimental.optim.lr_scheduler.MultiStepLR  | verbose dropped                        |
// | 33 | torch.optim.lr_scheduler.LambdaLR           | classic | mindspore.experimental.optim.lr_scheduler.LambdaLR     | verbose dropped                        |
// | 34 | torch.optim.lr_scheduler.LinearLR           | classic | mindspore.experimental.optim.lr_scheduler.LinearLR     | verbose dropped                        |
// | 35 | torch.optim.lr_scheduler.ConstantLR         | classic | mindspore.experimental.optim.lr_scheduler.ConstantLR   | verbose dropped                        |
// |    | torch.nn.functional.elu (again)             | classic | mindspore.ops.elu                                      | input→input_x, inplace dropped         |
// |    | torch.nn.functional.leaky_relu (again)      | classic | mindspore.ops.leaky_relu                               | negative_slope→alpha (default 0.2), inplace dropped |
// | 36 | torch.std                                   | classic | mindspore.ops.std                                      | dim→axis, unbiased/correction→ddof (torch divides by N-1 by default, ddof=0 by N), keepdim→keepdims |
// | 37 | torch.var                                   | classic | mindspore.ops.var                                      | as torch.std                           |
// | 38 | torch.nn.Conv3d                             | classic | mindspore.nn.Conv3d                                    | groups→group, bias→has_bias (default), pad_mode='pad' added (padding='same' → pad_mode), positionals after kernel_size keyed |
// | 39 | torch.nn.BCEWithLogitsLoss                  | classic | mindspore.nn.BCEWithLogitsLoss                         | reduction comes first in MindSpore: positionals keyed; size_average, reduce dropped |
// | 40 | torch.nn.BatchNorm2d                        | classic | mindspore.nn.BatchNorm2d                               | momentum is 1 − torch's (0.01 → 0.99; an expression e → 1 - (e)) |
// | 41 | torch.nn.GELU                               | classic | mindspore.nn.GELU                                      | approximate 'none'/'tanh' → False/True; MindSpore's default (tanh) differs, so False is spelled out |
// | 42 | torch.nn.functional.softmax                 | classic | mindspore.ops.softmax                                  | dim→axis (implicit dim: unsafe, not spelled out), _stacklevel dropped, dtype kept (keyword-only there) |
//
// "mint" is the default target (Ascend910B, MindSpore 2.6, targetApi auto); "classic" sets targetApi: 'classic'.
// APIs with a single parameter (nn.ReLU) or without defaults (renorm, scatter) use a second keyword or
// mixed call in place of the style that cannot be written for them.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { countSyntaxErrors } from '../../server/src/engine/fixAll';
import { initParser } from '../../server/src/engine/parser';
import type { Settings } from '../../server/src/engine/settings';
import { describeRewrites, type RewriteApi } from '../engine/helpers';

before(async () => {
  await initParser();
});

type Applicability = 'safe' | 'unsafe';
type Api = RewriteApi;

const MSP1: Partial<Settings> = { select: ['MSP1'] };
const MINT: Partial<Settings> = {};
const CLASSIC: Partial<Settings> = { targetApi: 'classic' };
const F_IMPORTS = 'import torch\nimport torch.nn.functional as F';
const NN_IMPORTS = 'import torch\nimport torch.nn as nn';
const MINT_IMPORT = 'from mindspore import mint';
const MS_IMPORT = 'import mindspore as ms';
const OPS_IMPORT = 'from mindspore import ops';

/** The five calls of an `F.<name>(input, inplace=False)` activation whose mint twin has no inplace. */
function inplaceActivation(name: string): Api {
  const ms = `mint.nn.functional.${name}`;
  const t = `torch.nn.functional.${name}`;
  return {
    name: `${t} → mindspore.${ms} (inplace dropped)`,
    settings: MINT,
    imports: F_IMPORTS,
    added: MINT_IMPORT,
    calls: [
      [`${t}(x, False)`, `${ms}(x)`, 'safe'],
      [`${t}(input=x, inplace=False)`, `${ms}(input=x)`, 'safe'],
      [`${t}(inplace=True, input=x)`, `${ms}(input=x)`, 'unsafe'],
      [`${t}(x)`, `${ms}(x)`, 'safe'],
      [`F.${name}(x, True)`, `${ms}(x)`, 'unsafe'],
    ],
  };
}

function scheduler(name: string, calls: [string, string, Applicability][], imports = 'import torch\nfrom torch.optim import lr_scheduler'): Api {
  return {
    name: `torch.optim.lr_scheduler.${name} → mindspore.experimental.optim.lr_scheduler.${name} (verbose dropped)`,
    settings: CLASSIC,
    imports,
    added: MS_IMPORT,
    calls,
  };
}
const SCHED = (name: string) => `torch.optim.lr_scheduler.${name}`;
const MS_SCHED = (name: string) => `ms.experimental.optim.lr_scheduler.${name}`;

const apis: Api[] = [
  // ---------------------------------------------------------------- mint twins (Ascend910B, 2.6, auto)
  {
    name: 'torch.nn.functional.elu → mindspore.mint.nn.functional.elu (inplace dropped)',
    settings: MINT,
    imports: F_IMPORTS,
    added: MINT_IMPORT,
    calls: [
      ['torch.nn.functional.elu(x, 0.5, False)', 'mint.nn.functional.elu(x, 0.5)', 'safe'],
      ['torch.nn.functional.elu(input=x, alpha=0.5, inplace=False)', 'mint.nn.functional.elu(input=x, alpha=0.5)', 'safe'],
      ['torch.nn.functional.elu(inplace=True, alpha=2.0, input=x)', 'mint.nn.functional.elu(alpha=2.0, input=x)', 'unsafe'],
      ['torch.nn.functional.elu(x)', 'mint.nn.functional.elu(x)', 'safe'],
      ['F.elu(x, alpha=0.5)', 'mint.nn.functional.elu(x, alpha=0.5)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.functional.leaky_relu → mindspore.mint.nn.functional.leaky_relu (inplace dropped)',
    settings: MINT,
    imports: F_IMPORTS,
    added: MINT_IMPORT,
    calls: [
      ['torch.nn.functional.leaky_relu(x, 0.2, False)', 'mint.nn.functional.leaky_relu(x, 0.2)', 'safe'],
      ['torch.nn.functional.leaky_relu(input=x, negative_slope=0.2, inplace=False)', 'mint.nn.functional.leaky_relu(input=x, negative_slope=0.2)', 'safe'],
      ['torch.nn.functional.leaky_relu(inplace=True, negative_slope=0.1, input=x)', 'mint.nn.functional.leaky_relu(negative_slope=0.1, input=x)', 'unsafe'],
      ['torch.nn.functional.leaky_relu(x)', 'mint.nn.functional.leaky_relu(x)', 'safe'],
      ['F.leaky_relu(x, 0.2, True)', 'mint.nn.functional.leaky_relu(x, 0.2)', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.functional.dropout2d → mindspore.mint.nn.functional.dropout2d (inplace dropped)',
    settings: MINT,
    imports: F_IMPORTS,
    added: MINT_IMPORT,
    calls: [
      ['torch.nn.functional.dropout2d(x, 0.2, True, False)', 'mint.nn.functional.dropout2d(x, 0.2, True)', 'safe'],
      ['torch.nn.functional.dropout2d(input=x, p=0.2, training=False, inplace=False)', 'mint.nn.functional.dropout2d(input=x, p=0.2, training=False)', 'safe'],
      ['torch.nn.functional.dropout2d(training=True, inplace=False, input=x, p=0.3)', 'mint.nn.functional.dropout2d(training=True, input=x, p=0.3)', 'safe'],
      ['torch.nn.functional.dropout2d(x)', 'mint.nn.functional.dropout2d(x)', 'safe'],
      ['F.dropout2d(x, 0.1, inplace=True)', 'mint.nn.functional.dropout2d(x, 0.1)', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.functional.embedding → mindspore.mint.nn.functional.embedding (sparse dropped)',
    settings: MINT,
    imports: 'import torch\nfrom torch.nn.functional import embedding as embed',
    added: MINT_IMPORT,
    calls: [
      ['torch.nn.functional.embedding(ids, w, 0, None, 2.0, False, False)', 'mint.nn.functional.embedding(ids, w, 0, None, 2.0, False)', 'safe'],
      ['torch.nn.functional.embedding(input=ids, weight=w, padding_idx=0, sparse=False)', 'mint.nn.functional.embedding(input=ids, weight=w, padding_idx=0)', 'safe'],
      ['torch.nn.functional.embedding(sparse=True, weight=w, input=ids)', 'mint.nn.functional.embedding(weight=w, input=ids)', 'unsafe'],
      ['torch.nn.functional.embedding(ids, w)', 'mint.nn.functional.embedding(ids, w)', 'safe'],
      ['embed(ids, w, max_norm=1.0)', 'mint.nn.functional.embedding(ids, w, max_norm=1.0)', 'safe'],
    ],
  },
  inplaceActivation('hardsigmoid'),
  inplaceActivation('hardswish'),
  inplaceActivation('mish'),
  inplaceActivation('selu'),
  inplaceActivation('silu'),
  {
    name: 'torch.nn.ELU → mindspore.mint.nn.ELU (inplace dropped)',
    settings: MINT,
    imports: NN_IMPORTS,
    added: MINT_IMPORT,
    calls: [
      ['torch.nn.ELU(0.5, False)', 'mint.nn.ELU(0.5)', 'safe'],
      ['torch.nn.ELU(alpha=0.5, inplace=False)', 'mint.nn.ELU(alpha=0.5)', 'safe'],
      ['torch.nn.ELU(inplace=True, alpha=2.0)', 'mint.nn.ELU(alpha=2.0)', 'unsafe'],
      ['torch.nn.ELU()', 'mint.nn.ELU()', 'safe'],
      ['nn.ELU(alpha=0.5, inplace=True)', 'mint.nn.ELU(alpha=0.5)', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.Dropout2d → mindspore.mint.nn.Dropout2d (inplace dropped)',
    settings: MINT,
    imports: 'import torch\nfrom torch import nn',
    added: MINT_IMPORT,
    calls: [
      ['torch.nn.Dropout2d(0.2, False)', 'mint.nn.Dropout2d(0.2)', 'safe'],
      ['torch.nn.Dropout2d(p=0.2, inplace=False)', 'mint.nn.Dropout2d(p=0.2)', 'safe'],
      ['torch.nn.Dropout2d(inplace=False, p=0.1)', 'mint.nn.Dropout2d(p=0.1)', 'safe'],
      ['torch.nn.Dropout2d()', 'mint.nn.Dropout2d()', 'safe'],
      ['nn.Dropout2d(0.3, True)', 'mint.nn.Dropout2d(0.3)', 'unsafe'],
    ],
  },
  // ---------------------------------------------------------------- classic twins (targetApi: 'classic')
  {
    name: 'torch.nn.LeakyReLU → mindspore.nn.LeakyReLU (negative_slope is alpha with default 0.2; inplace dropped)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.LeakyReLU(0.2, False)', 'ms.nn.LeakyReLU(alpha=0.2)', 'safe'],
      ['torch.nn.LeakyReLU(negative_slope=0.2, inplace=False)', 'ms.nn.LeakyReLU(alpha=0.2)', 'safe'],
      ['torch.nn.LeakyReLU(inplace=True, negative_slope=0.1)', 'ms.nn.LeakyReLU(alpha=0.1)', 'unsafe'],
      ['torch.nn.LeakyReLU()', 'ms.nn.LeakyReLU(alpha=0.01)', 'safe'],
      ['nn.LeakyReLU(0.1)', 'ms.nn.LeakyReLU(alpha=0.1)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.ReLU → mindspore.nn.ReLU (inplace dropped; one parameter, so the reordered call passes a non-default)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.ReLU(False)', 'ms.nn.ReLU()', 'safe'],
      ['torch.nn.ReLU(inplace=False)', 'ms.nn.ReLU()', 'safe'],
      ['torch.nn.ReLU(inplace=True)', 'ms.nn.ReLU()', 'unsafe'],
      ['torch.nn.ReLU()', 'ms.nn.ReLU()', 'safe'],
      ['nn.ReLU(True)', 'ms.nn.ReLU()', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.Conv1d → mindspore.nn.Conv1d (groups is group, bias is has_bias with another default, pad_mode="pad" as torch pads only by padding)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.Conv1d(16, 32, 3, 1, 1, 1, 2, False)', 'ms.nn.Conv1d(16, 32, 3, 1, padding=1, dilation=1, group=2, has_bias=False, pad_mode=\'pad\')', 'unsafe'],
      ['torch.nn.Conv1d(in_channels=16, out_channels=32, kernel_size=3, groups=2, bias=False)', 'ms.nn.Conv1d(in_channels=16, out_channels=32, kernel_size=3, group=2, has_bias=False, pad_mode=\'pad\')', 'unsafe'],
      ['torch.nn.Conv1d(bias=True, kernel_size=5, out_channels=8, in_channels=4)', 'ms.nn.Conv1d(has_bias=True, kernel_size=5, out_channels=8, in_channels=4, pad_mode=\'pad\')', 'unsafe'],
      ['torch.nn.Conv1d(16, 32, 3)', 'ms.nn.Conv1d(16, 32, 3, has_bias=True, pad_mode=\'pad\')', 'unsafe'],
      ['nn.Conv1d(16, 32, kernel_size=3, groups=4)', 'ms.nn.Conv1d(16, 32, kernel_size=3, group=4, has_bias=True, pad_mode=\'pad\')', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.ConvTranspose2d → mindspore.nn.Conv2dTranspose (output_padding dropped, groups is group, bias is has_bias)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.ConvTranspose2d(16, 8, 2, 2, 0, 0, 1, False)', 'ms.nn.Conv2dTranspose(16, 8, 2, 2, padding=0, group=1, has_bias=False)', 'unsafe'],
      ['torch.nn.ConvTranspose2d(in_channels=16, out_channels=8, kernel_size=2, stride=2, output_padding=0, bias=False)', 'ms.nn.Conv2dTranspose(in_channels=16, out_channels=8, kernel_size=2, stride=2, has_bias=False)', 'unsafe'],
      ['torch.nn.ConvTranspose2d(stride=2, kernel_size=2, out_channels=8, in_channels=16, groups=1)', 'ms.nn.Conv2dTranspose(stride=2, kernel_size=2, out_channels=8, in_channels=16, group=1, has_bias=True)', 'unsafe'],
      ['torch.nn.ConvTranspose2d(16, 8, 2)', 'ms.nn.Conv2dTranspose(16, 8, 2, has_bias=True)', 'unsafe'],
      ['nn.ConvTranspose2d(16, 8, 3, stride=2, output_padding=1)', 'ms.nn.Conv2dTranspose(16, 8, 3, stride=2, has_bias=True)', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.GRU → mindspore.nn.GRU (bias is has_bias)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.GRU(10, 20, 2, False)', 'ms.nn.GRU(10, 20, 2, has_bias=False)', 'safe'],
      ['torch.nn.GRU(input_size=10, hidden_size=20, num_layers=2, bias=False, batch_first=True)', 'ms.nn.GRU(input_size=10, hidden_size=20, num_layers=2, has_bias=False, batch_first=True)', 'safe'],
      ['torch.nn.GRU(batch_first=True, bias=True, hidden_size=20, input_size=10)', 'ms.nn.GRU(batch_first=True, has_bias=True, hidden_size=20, input_size=10)', 'safe'],
      ['torch.nn.GRU(10, 20)', 'ms.nn.GRU(10, 20)', 'safe'],
      ['nn.GRU(10, 20, 1, True, True)', 'ms.nn.GRU(10, 20, 1, has_bias=True, batch_first=True)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.LSTM → mindspore.nn.LSTM (bias is has_bias, proj_size dropped)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.LSTM(10, 20, 2, True, True, 0.1, True, 0)', 'ms.nn.LSTM(10, 20, 2, has_bias=True, batch_first=True, dropout=0.1, bidirectional=True)', 'safe'],
      ['torch.nn.LSTM(input_size=10, hidden_size=20, bias=False, proj_size=0)', 'ms.nn.LSTM(input_size=10, hidden_size=20, has_bias=False)', 'safe'],
      ['torch.nn.LSTM(proj_size=5, hidden_size=20, input_size=10)', 'ms.nn.LSTM(hidden_size=20, input_size=10)', 'unsafe'],
      ['torch.nn.LSTM(10, 20)', 'ms.nn.LSTM(10, 20)', 'safe'],
      ['nn.LSTM(10, 20, num_layers=2, bias=False)', 'ms.nn.LSTM(10, 20, num_layers=2, has_bias=False)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.GRUCell → mindspore.nn.GRUCell (bias is has_bias)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.GRUCell(10, 20, False)', 'ms.nn.GRUCell(10, 20, has_bias=False)', 'safe'],
      ['torch.nn.GRUCell(input_size=10, hidden_size=20, bias=True)', 'ms.nn.GRUCell(input_size=10, hidden_size=20, has_bias=True)', 'safe'],
      ['torch.nn.GRUCell(bias=False, hidden_size=20, input_size=10)', 'ms.nn.GRUCell(has_bias=False, hidden_size=20, input_size=10)', 'safe'],
      ['torch.nn.GRUCell(10, 20)', 'ms.nn.GRUCell(10, 20)', 'safe'],
      ['nn.GRUCell(10, 20, bias=False)', 'ms.nn.GRUCell(10, 20, has_bias=False)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.RNNCell → mindspore.nn.RNNCell (bias is has_bias)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch.nn import RNNCell as Cell',
    added: MS_IMPORT,
    calls: [
      ["torch.nn.RNNCell(10, 20, True, 'relu')", "ms.nn.RNNCell(10, 20, has_bias=True, nonlinearity='relu')", 'safe'],
      ["torch.nn.RNNCell(input_size=10, hidden_size=20, bias=False, nonlinearity='tanh')", "ms.nn.RNNCell(input_size=10, hidden_size=20, has_bias=False, nonlinearity='tanh')", 'safe'],
      ["torch.nn.RNNCell(nonlinearity='relu', bias=False, input_size=10, hidden_size=20)", "ms.nn.RNNCell(nonlinearity='relu', has_bias=False, input_size=10, hidden_size=20)", 'safe'],
      ['torch.nn.RNNCell(10, 20)', 'ms.nn.RNNCell(10, 20)', 'safe'],
      ['Cell(10, 20, bias=False)', 'ms.nn.RNNCell(10, 20, has_bias=False)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.LSTMCell → mindspore.nn.LSTMCell (bias is has_bias)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.LSTMCell(8, 16, False)', 'ms.nn.LSTMCell(8, 16, has_bias=False)', 'safe'],
      ['torch.nn.LSTMCell(input_size=8, hidden_size=16, bias=False)', 'ms.nn.LSTMCell(input_size=8, hidden_size=16, has_bias=False)', 'safe'],
      ['torch.nn.LSTMCell(hidden_size=16, bias=True, input_size=8)', 'ms.nn.LSTMCell(hidden_size=16, has_bias=True, input_size=8)', 'safe'],
      ['torch.nn.LSTMCell(8, 16)', 'ms.nn.LSTMCell(8, 16)', 'safe'],
      ['nn.LSTMCell(8, 16, True)', 'ms.nn.LSTMCell(8, 16, has_bias=True)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.Bilinear → mindspore.nn.BiDense (features are channels, bias is has_bias; weight_init comes fourth)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.Bilinear(5, 6, 7, False)', 'ms.nn.BiDense(in1_channels=5, in2_channels=6, out_channels=7, has_bias=False)', 'safe'],
      ['torch.nn.Bilinear(in1_features=5, in2_features=6, out_features=7, bias=True)', 'ms.nn.BiDense(in1_channels=5, in2_channels=6, out_channels=7, has_bias=True)', 'safe'],
      ['torch.nn.Bilinear(out_features=7, bias=False, in2_features=6, in1_features=5)', 'ms.nn.BiDense(out_channels=7, has_bias=False, in2_channels=6, in1_channels=5)', 'safe'],
      ['torch.nn.Bilinear(5, 6, 7)', 'ms.nn.BiDense(in1_channels=5, in2_channels=6, out_channels=7)', 'safe'],
      ['nn.Bilinear(5, 6, out_features=7)', 'ms.nn.BiDense(in1_channels=5, in2_channels=6, out_channels=7)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.PReLU → mindspore.nn.PReLU (num_parameters is channel, init is w)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ['torch.nn.PReLU(3, 0.1)', 'ms.nn.PReLU(channel=3, w=0.1)', 'safe'],
      ['torch.nn.PReLU(num_parameters=3, init=0.1)', 'ms.nn.PReLU(channel=3, w=0.1)', 'safe'],
      ['torch.nn.PReLU(init=0.2, num_parameters=1)', 'ms.nn.PReLU(w=0.2, channel=1)', 'safe'],
      ['torch.nn.PReLU()', 'ms.nn.PReLU()', 'safe'],
      ['nn.PReLU(8)', 'ms.nn.PReLU(channel=8)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.CrossEntropyLoss → mindspore.nn.CrossEntropyLoss (size_average and reduce dropped)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ["torch.nn.CrossEntropyLoss(w, None, -100, None, 'sum', 0.1)", "ms.nn.CrossEntropyLoss(w, ignore_index=-100, reduction='sum', label_smoothing=0.1)", 'safe'],
      ["torch.nn.CrossEntropyLoss(weight=w, size_average=None, ignore_index=0, reduce=None, reduction='mean')", "ms.nn.CrossEntropyLoss(weight=w, ignore_index=0, reduction='mean')", 'safe'],
      ["torch.nn.CrossEntropyLoss(reduction='sum', reduce=False, ignore_index=1)", "ms.nn.CrossEntropyLoss(reduction='sum', ignore_index=1)", 'unsafe'],
      ['torch.nn.CrossEntropyLoss()', 'ms.nn.CrossEntropyLoss()', 'safe'],
      ['nn.CrossEntropyLoss(w, size_average=None, label_smoothing=0.1)', 'ms.nn.CrossEntropyLoss(w, label_smoothing=0.1)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.NLLLoss → mindspore.nn.NLLLoss (size_average and reduce dropped; reduction outputs differ)',
    settings: CLASSIC,
    imports: NN_IMPORTS,
    added: MS_IMPORT,
    calls: [
      ["torch.nn.NLLLoss(w, None, -100, None, 'mean')", "ms.nn.NLLLoss(w, ignore_index=-100, reduction='mean')", 'unsafe'],
      ["torch.nn.NLLLoss(weight=w, size_average=None, ignore_index=0, reduce=None, reduction='sum')", "ms.nn.NLLLoss(weight=w, ignore_index=0, reduction='sum')", 'unsafe'],
      ['torch.nn.NLLLoss(ignore_index=0, size_average=None, weight=w)', 'ms.nn.NLLLoss(ignore_index=0, weight=w)', 'safe'],
      ['torch.nn.NLLLoss()', 'ms.nn.NLLLoss()', 'safe'],
      ['nn.NLLLoss(w, reduce=True)', 'ms.nn.NLLLoss(w)', 'unsafe'],
    ],
  },
  {
    name: 'torch.argmin → mindspore.ops.argmin (dim is axis, keepdim is keepdims)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch import argmin',
    added: OPS_IMPORT,
    calls: [
      ['torch.argmin(x, 1, True)', 'ops.argmin(x, axis=1, keepdims=True)', 'safe'],
      ['torch.argmin(input=x, dim=1, keepdim=False)', 'ops.argmin(input=x, axis=1, keepdims=False)', 'safe'],
      ['torch.argmin(keepdim=True, dim=0, input=x)', 'ops.argmin(keepdims=True, axis=0, input=x)', 'safe'],
      ['torch.argmin(x)', 'ops.argmin(x)', 'safe'],
      ['argmin(x, dim=-1)', 'ops.argmin(x, axis=-1)', 'safe'],
    ],
  },
  {
    name: 'torch.std → mindspore.ops.std (torch is unbiased by default: ddof is spelled out)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch import std as S',
    added: OPS_IMPORT,
    calls: [
      ['torch.std(x, 1, False, True)', 'ops.std(x, axis=1, ddof=False, keepdims=True)', 'safe'],
      ['torch.std(input=x, dim=1, unbiased=True, keepdim=False)', 'ops.std(input=x, axis=1, ddof=True, keepdims=False)', 'safe'],
      ['torch.std(keepdim=True, unbiased=False, dim=0, input=x)', 'ops.std(keepdims=True, ddof=False, axis=0, input=x)', 'safe'],
      ['torch.std(x)', 'ops.std(x, ddof=True)', 'safe'],
      ['S(x, dim=-1)', 'ops.std(x, axis=-1, ddof=True)', 'safe'],
    ],
  },
  {
    name: 'torch.var → mindspore.ops.var (correction= becomes ddof=; no second ddof is added)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch import var as V',
    added: OPS_IMPORT,
    calls: [
      ['torch.var(x, 0, True, True)', 'ops.var(x, axis=0, ddof=True, keepdims=True)', 'safe'],
      ['torch.var(input=x, dim=0, correction=0)', 'ops.var(input=x, axis=0, ddof=0)', 'safe'],
      ['torch.var(correction=2, input=x)', 'ops.var(ddof=2, input=x)', 'safe'],
      ['torch.var(x)', 'ops.var(x, ddof=True)', 'safe'],
      ['V(x, keepdim=True)', 'ops.var(x, keepdims=True, ddof=True)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.Conv3d → mindspore.nn.Conv3d (pad_mode="pad" is passed: MindSpore would pad "same" by default)',
    settings: CLASSIC,
    imports: 'import torch\nimport torch.nn as nn\nfrom torch.nn import Conv3d as C3',
    added: MS_IMPORT,
    calls: [
      ['torch.nn.Conv3d(4, 8, 3, 1, 1, 1, 1, False)', "ms.nn.Conv3d(4, 8, 3, 1, padding=1, dilation=1, group=1, has_bias=False, pad_mode='pad')", 'unsafe'],
      ['torch.nn.Conv3d(in_channels=4, out_channels=8, kernel_size=3, bias=False)', "ms.nn.Conv3d(in_channels=4, out_channels=8, kernel_size=3, has_bias=False, pad_mode='pad')", 'safe'],
      ['torch.nn.Conv3d(bias=False, kernel_size=3, out_channels=8, in_channels=4)', "ms.nn.Conv3d(has_bias=False, kernel_size=3, out_channels=8, in_channels=4, pad_mode='pad')", 'safe'],
      ['nn.Conv3d(4, 8, 3)', "ms.nn.Conv3d(4, 8, 3, has_bias=True, pad_mode='pad')", 'safe'],
      ['C3(4, 8, 3, groups=2)', "ms.nn.Conv3d(4, 8, 3, group=2, has_bias=True, pad_mode='pad')", 'safe'],
    ],
  },
  {
    name: 'torch.nn.BCEWithLogitsLoss → mindspore.nn.BCEWithLogitsLoss (other parameter order: positionals are keyed)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch.nn import BCEWithLogitsLoss as L',
    added: MS_IMPORT,
    calls: [
      ["torch.nn.BCEWithLogitsLoss(w, None, None, 'mean', pw)", "ms.nn.BCEWithLogitsLoss(weight=w, reduction='mean', pos_weight=pw)", 'safe'],
      ["torch.nn.BCEWithLogitsLoss(weight=w, reduction='sum', pos_weight=pw)", "ms.nn.BCEWithLogitsLoss(weight=w, reduction='sum', pos_weight=pw)", 'safe'],
      ["torch.nn.BCEWithLogitsLoss(pos_weight=pw, reduction='none')", "ms.nn.BCEWithLogitsLoss(pos_weight=pw, reduction='none')", 'safe'],
      ['torch.nn.BCEWithLogitsLoss()', 'ms.nn.BCEWithLogitsLoss()', 'safe'],
      ['L(w)', 'ms.nn.BCEWithLogitsLoss(weight=w)', 'safe'],
    ],
  },
  {
    name: 'torch.nn.BatchNorm2d → mindspore.nn.BatchNorm2d (momentum weighs the running statistic: 1 − torch\'s value)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch.nn import BatchNorm2d as BN',
    added: MS_IMPORT,
    calls: [
      ['torch.nn.BatchNorm2d(32, 1e-5, 0.01, True)', 'ms.nn.BatchNorm2d(32, 1e-5, momentum=0.99, affine=True)', 'safe'],
      ['torch.nn.BatchNorm2d(num_features=32, eps=1e-3, momentum=0.03)', 'ms.nn.BatchNorm2d(num_features=32, eps=1e-3, momentum=0.97)', 'safe'],
      ['torch.nn.BatchNorm2d(momentum=0.2, affine=False, num_features=8)', 'ms.nn.BatchNorm2d(momentum=0.8, affine=False, num_features=8)', 'safe'],
      ['torch.nn.BatchNorm2d(32)', 'ms.nn.BatchNorm2d(32)', 'safe'],
      ['BN(64, momentum=mom)', 'ms.nn.BatchNorm2d(64, momentum=1 - (mom))', 'safe'],
    ],
  },
  {
    name: 'torch.nn.GELU → mindspore.nn.GELU (approximate is a bool there, defaulting to the tanh form)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch.nn import GELU as G',
    added: MS_IMPORT,
    calls: [
      ["torch.nn.GELU('tanh')", 'ms.nn.GELU(approximate=True)', 'safe'],
      ["torch.nn.GELU(approximate='none')", 'ms.nn.GELU(approximate=False)', 'safe'],
      ['torch.nn.GELU(approximate="tanh")', 'ms.nn.GELU(approximate=True)', 'safe'],
      ['torch.nn.GELU()', 'ms.nn.GELU(approximate=False)', 'safe'],
      ['G(approximate=mode)', 'ms.nn.GELU(approximate=mode)', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.functional.softmax → mindspore.ops.softmax (dim is axis; dtype is keyword-only there)',
    settings: CLASSIC,
    imports: 'import torch\nimport torch.nn.functional as F\nfrom torch.nn.functional import softmax as sm',
    added: OPS_IMPORT,
    calls: [
      ['F.softmax(x, 1, 3, dt)', 'ops.softmax(x, axis=1, dtype=dt)', 'safe'],
      ['F.softmax(input=x, dim=1, _stacklevel=5, dtype=dt)', 'ops.softmax(input=x, axis=1, dtype=dt)', 'unsafe'],
      ['F.softmax(dtype=dt, dim=-1, input=x)', 'ops.softmax(dtype=dt, axis=-1, input=x)', 'safe'],
      // no dim: torch's implicit choice is not MindSpore's last axis for every rank, and None is not spelled out
      ['torch.nn.functional.softmax(x)', 'ops.softmax(x)', 'unsafe'],
      ['sm(x, -1)', 'ops.softmax(x, axis=-1)', 'safe'],
    ],
  },
  {
    name: 'torch.diag → mindspore.ops.diag (diagonal dropped)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch import diag as D',
    added: OPS_IMPORT,
    calls: [
      ['torch.diag(x, 0)', 'ops.diag(x)', 'safe'],
      ['torch.diag(input=x, diagonal=0)', 'ops.diag(input=x)', 'safe'],
      ['torch.diag(diagonal=1, input=x)', 'ops.diag(input=x)', 'unsafe'],
      ['torch.diag(x)', 'ops.diag(x)', 'safe'],
      ['D(x, 1)', 'ops.diag(x)', 'unsafe'],
    ],
  },
  {
    name: 'torch.bucketize → mindspore.ops.bucketize (out_int32 dropped; accepted dtypes differ)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch import bucketize as bucket',
    added: OPS_IMPORT,
    calls: [
      ['torch.bucketize(x, b)', 'ops.bucketize(input=x, boundaries=b)', 'unsafe'],
      ['torch.bucketize(input=x, boundaries=b, out_int32=False, right=True)', 'ops.bucketize(input=x, boundaries=b, right=True)', 'unsafe'],
      ['torch.bucketize(right=True, out_int32=True, boundaries=b, input=x)', 'ops.bucketize(right=True, boundaries=b, input=x)', 'unsafe'],
      ['torch.bucketize(x, boundaries=b)', 'ops.bucketize(input=x, boundaries=b)', 'unsafe'],
      ['bucket(x, b, right=True)', 'ops.bucketize(input=x, boundaries=b, right=True)', 'unsafe'],
    ],
  },
  {
    name: 'torch.renorm → mindspore.ops.renorm (dim is axis; p accepts other dtypes; no defaults, so the fourth call mixes styles)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch import renorm',
    added: OPS_IMPORT,
    calls: [
      ['torch.renorm(x, 2, 0, 5)', 'ops.renorm(x, p=2, axis=0, maxnorm=5)', 'unsafe'],
      ['torch.renorm(input=x, p=2, dim=0, maxnorm=5)', 'ops.renorm(input=x, p=2, axis=0, maxnorm=5)', 'unsafe'],
      ['torch.renorm(maxnorm=1.0, dim=1, p=1, input=x)', 'ops.renorm(maxnorm=1.0, axis=1, p=1, input=x)', 'unsafe'],
      ['torch.renorm(x, 2, dim=1, maxnorm=5)', 'ops.renorm(x, p=2, axis=1, maxnorm=5)', 'unsafe'],
      ['renorm(x, 1, 0, 2.0)', 'ops.renorm(x, p=1, axis=0, maxnorm=2.0)', 'unsafe'],
    ],
  },
  {
    name: 'torch.scatter → mindspore.ops.scatter (dim is axis; index shape rules differ; no defaults, so the fourth call mixes styles)',
    settings: CLASSIC,
    imports: 'import torch\nfrom torch import scatter as sc',
    added: OPS_IMPORT,
    calls: [
      ['torch.scatter(x, 1, idx, src)', 'ops.scatter(x, axis=1, index=idx, src=src)', 'unsafe'],
      ['torch.scatter(input=x, dim=0, index=idx, src=src)', 'ops.scatter(input=x, axis=0, index=idx, src=src)', 'unsafe'],
      ['torch.scatter(src=src, index=idx, dim=1, input=x)', 'ops.scatter(src=src, index=idx, axis=1, input=x)', 'unsafe'],
      ['torch.scatter(x, 1, index=idx, src=src)', 'ops.scatter(x, axis=1, index=idx, src=src)', 'unsafe'],
      ['sc(x, -1, idx, src)', 'ops.scatter(x, axis=-1, index=idx, src=src)', 'unsafe'],
    ],
  },
  scheduler('StepLR', [
    [`${SCHED('StepLR')}(opt, 30, 0.1, -1, False)`, `${MS_SCHED('StepLR')}(opt, 30, 0.1, -1)`, 'safe'],
    [`${SCHED('StepLR')}(optimizer=opt, step_size=30, gamma=0.5, verbose=False)`, `${MS_SCHED('StepLR')}(optimizer=opt, step_size=30, gamma=0.5)`, 'safe'],
    [`${SCHED('StepLR')}(verbose=True, gamma=0.5, step_size=10, optimizer=opt)`, `${MS_SCHED('StepLR')}(gamma=0.5, step_size=10, optimizer=opt)`, 'unsafe'],
    [`${SCHED('StepLR')}(opt, 30)`, `${MS_SCHED('StepLR')}(opt, 30)`, 'safe'],
    ['lr_scheduler.StepLR(opt, step_size=5, verbose=True)', `${MS_SCHED('StepLR')}(opt, step_size=5)`, 'unsafe'],
  ]),
  scheduler(
    'ExponentialLR',
    [
      [`${SCHED('ExponentialLR')}(opt, 0.9, -1, False)`, `${MS_SCHED('ExponentialLR')}(opt, 0.9, -1)`, 'safe'],
      [`${SCHED('ExponentialLR')}(optimizer=opt, gamma=0.9, last_epoch=-1, verbose=False)`, `${MS_SCHED('ExponentialLR')}(optimizer=opt, gamma=0.9, last_epoch=-1)`, 'safe'],
      [`${SCHED('ExponentialLR')}(gamma=0.5, verbose=False, optimizer=opt)`, `${MS_SCHED('ExponentialLR')}(gamma=0.5, optimizer=opt)`, 'safe'],
      [`${SCHED('ExponentialLR')}(opt, 0.9)`, `${MS_SCHED('ExponentialLR')}(opt, 0.9)`, 'safe'],
      ['Exp(opt, 0.9, verbose=True)', `${MS_SCHED('ExponentialLR')}(opt, 0.9)`, 'unsafe'],
    ],
    'import torch\nfrom torch.optim.lr_scheduler import ExponentialLR as Exp',
  ),
  scheduler('MultiStepLR', [
    [`${SCHED('MultiStepLR')}(opt, [30, 80], 0.1, -1, False)`, `${MS_SCHED('MultiStepLR')}(opt, [30, 80], 0.1, -1)`, 'safe'],
    [`${SCHED('MultiStepLR')}(optimizer=opt, milestones=[30, 80], gamma=0.5, verbose=False)`, `${MS_SCHED('MultiStepLR')}(optimizer=opt, milestones=[30, 80], gamma=0.5)`, 'safe'],
    [`${SCHED('MultiStepLR')}(milestones=[2], verbose=True, optimizer=opt)`, `${MS_SCHED('MultiStepLR')}(milestones=[2], optimizer=opt)`, 'unsafe'],
    [`${SCHED('MultiStepLR')}(opt, [30, 80])`, `${MS_SCHED('MultiStepLR')}(opt, [30, 80])`, 'safe'],
    ['lr_scheduler.MultiStepLR(opt, [5], 0.5, verbose=False)', `${MS_SCHED('MultiStepLR')}(opt, [5], 0.5)`, 'safe'],
  ]),
  scheduler('LambdaLR', [
    [`${SCHED('LambdaLR')}(opt, fn, -1, True)`, `${MS_SCHED('LambdaLR')}(opt, fn, -1)`, 'unsafe'],
    [`${SCHED('LambdaLR')}(optimizer=opt, lr_lambda=fn, last_epoch=-1, verbose=False)`, `${MS_SCHED('LambdaLR')}(optimizer=opt, lr_lambda=fn, last_epoch=-1)`, 'safe'],
    [`${SCHED('LambdaLR')}(verbose=False, lr_lambda=lambda e: 0.9 ** e, optimizer=opt)`, `${MS_SCHED('LambdaLR')}(lr_lambda=lambda e: 0.9 ** e, optimizer=opt)`, 'safe'],
    [`${SCHED('LambdaLR')}(opt, fn)`, `${MS_SCHED('LambdaLR')}(opt, fn)`, 'safe'],
    ['lr_scheduler.LambdaLR(opt, lr_lambda=fn, verbose=True)', `${MS_SCHED('LambdaLR')}(opt, lr_lambda=fn)`, 'unsafe'],
  ]),
  scheduler('LinearLR', [
    [`${SCHED('LinearLR')}(opt, 0.5, 1.0, 4, -1, False)`, `${MS_SCHED('LinearLR')}(opt, 0.5, 1.0, 4, -1)`, 'safe'],
    [`${SCHED('LinearLR')}(optimizer=opt, start_factor=0.5, end_factor=1.0, total_iters=4, verbose=False)`, `${MS_SCHED('LinearLR')}(optimizer=opt, start_factor=0.5, end_factor=1.0, total_iters=4)`, 'safe'],
    [`${SCHED('LinearLR')}(total_iters=10, verbose=True, optimizer=opt)`, `${MS_SCHED('LinearLR')}(total_iters=10, optimizer=opt)`, 'unsafe'],
    [`${SCHED('LinearLR')}(opt)`, `${MS_SCHED('LinearLR')}(opt)`, 'safe'],
    ['lr_scheduler.LinearLR(opt, 0.1, verbose=False)', `${MS_SCHED('LinearLR')}(opt, 0.1)`, 'safe'],
  ]),
  scheduler('ConstantLR', [
    [`${SCHED('ConstantLR')}(opt, 0.5, 4, -1, False)`, `${MS_SCHED('ConstantLR')}(opt, 0.5, 4, -1)`, 'safe'],
    [`${SCHED('ConstantLR')}(optimizer=opt, factor=0.5, total_iters=4, last_epoch=-1, verbose=False)`, `${MS_SCHED('ConstantLR')}(optimizer=opt, factor=0.5, total_iters=4, last_epoch=-1)`, 'safe'],
    [`${SCHED('ConstantLR')}(verbose=True, total_iters=2, factor=0.1, optimizer=opt)`, `${MS_SCHED('ConstantLR')}(total_iters=2, factor=0.1, optimizer=opt)`, 'unsafe'],
    [`${SCHED('ConstantLR')}(opt)`, `${MS_SCHED('ConstantLR')}(opt)`, 'safe'],
    ['lr_scheduler.ConstantLR(opt, factor=0.5, verbose=True)', `${MS_SCHED('ConstantLR')}(opt, factor=0.5)`, 'unsafe'],
  ]),
  // the same torch APIs as above, through their classic twins
  {
    name: 'torch.nn.functional.elu → mindspore.ops.elu (input is input_x, inplace dropped, alpha accepts fewer values)',
    settings: CLASSIC,
    imports: F_IMPORTS,
    added: OPS_IMPORT,
    calls: [
      ['torch.nn.functional.elu(x, 1.0, False)', 'ops.elu(input_x=x, alpha=1.0)', 'unsafe'],
      ['torch.nn.functional.elu(input=x, alpha=1.0, inplace=False)', 'ops.elu(input_x=x, alpha=1.0)', 'unsafe'],
      ['torch.nn.functional.elu(inplace=False, input=x)', 'ops.elu(input_x=x)', 'safe'],
      ['torch.nn.functional.elu(x)', 'ops.elu(input_x=x)', 'safe'],
      ['F.elu(x, inplace=True)', 'ops.elu(input_x=x)', 'unsafe'],
    ],
  },
  {
    name: 'torch.nn.functional.leaky_relu → mindspore.ops.leaky_relu (negative_slope is alpha with default 0.2, inplace dropped)',
    settings: CLASSIC,
    imports: F_IMPORTS,
    added: OPS_IMPORT,
    calls: [
      ['torch.nn.functional.leaky_relu(x, 0.01, False)', 'ops.leaky_relu(x, alpha=0.01)', 'safe'],
      ['torch.nn.functional.leaky_relu(input=x, negative_slope=0.1, inplace=False)', 'ops.leaky_relu(input=x, alpha=0.1)', 'safe'],
      ['torch.nn.functional.leaky_relu(negative_slope=0.3, input=x)', 'ops.leaky_relu(alpha=0.3, input=x)', 'safe'],
      ['torch.nn.functional.leaky_relu(x)', 'ops.leaky_relu(x, alpha=0.01)', 'safe'],
      ['F.leaky_relu(x, inplace=True)', 'ops.leaky_relu(x, alpha=0.01)', 'unsafe'],
    ],
  },
];

describe('argument rewrites of 42 more APIs, five calling styles each', () => {
  test('the table covers at least 30 distinct torch APIs', () => {
    const names = new Set(apis.map((a) => a.name.split(' ')[0]));
    assert.ok(names.size >= 30, `${names.size} APIs`);
    for (const a of apis) assert.equal(a.calls.length, 5, a.name);
  });

  describeRewrites(apis);
});

describe('value-dependent rewrites', () => {
  describeRewrites([
    {
      name: 'torch.nn.Conv2d/Conv3d with padding given as a string: it names a mode, so it becomes pad_mode (no pad_mode="pad" added)',
      settings: CLASSIC,
      imports: NN_IMPORTS,
      added: MS_IMPORT,
      calls: [
        ["nn.Conv3d(4, 8, 3, padding='same')", "ms.nn.Conv3d(4, 8, 3, pad_mode='same', has_bias=True)", 'unsafe'],
        ["nn.Conv2d(4, 8, 3, 1, 'valid', bias=False)", "ms.nn.Conv2d(4, 8, 3, 1, pad_mode='valid', has_bias=False)", 'unsafe'],
        ['nn.Conv2d(4, 8, 3, 1, 2)', "ms.nn.Conv2d(4, 8, 3, 1, padding=2, has_bias=True, pad_mode='pad')", 'unsafe'],
      ],
    },
    {
      name: 'torch.nn.BatchNorm2d track_running_stats: True/False mean MindSpore use_batch_statistics None/True',
      settings: CLASSIC,
      imports: NN_IMPORTS,
      added: MS_IMPORT,
      calls: [
        ['nn.BatchNorm2d(8, track_running_stats=False)', 'ms.nn.BatchNorm2d(8, use_batch_statistics=True)', 'safe'],
        ['nn.BatchNorm2d(8, 1e-5, 0.1, True, True)', 'ms.nn.BatchNorm2d(8, 1e-5, momentum=0.9, affine=True, use_batch_statistics=None)', 'safe'],
        ['nn.BatchNorm2d(8, track_running_stats=flag)', 'ms.nn.BatchNorm2d(8, use_batch_statistics=flag)', 'unsafe'],
      ],
    },
    {
      name: "torch's axis= (NumPy's name for dim, which torch accepts) becomes dim= for the mint functions, which take only dim",
      settings: MINT,
      imports: 'import torch',
      added: MINT_IMPORT,
      calls: [
        ['torch.cat((a, b), axis=1)', 'mint.cat((a, b), dim=1)', 'safe'],
        ['torch.stack([a, b], axis=0)', 'mint.stack([a, b], dim=0)', 'safe'],
        ['torch.mean(x, axis=0)', 'mint.mean(x, dim=0)', 'safe'],
      ],
    },
    {
      name: 'torch.randint: mint.randint takes low, high and size by position only; keywords in that order are passed by position',
      settings: MINT,
      imports: 'import torch',
      added: MINT_IMPORT,
      calls: [
        ['torch.randint(low=1, high=5, size=(3,))', 'mint.randint(1, 5, (3,))', 'safe'],
        ['torch.randint(10, size=(2,), generator=g)', 'mint.randint(10, (2,), generator=g)', 'safe'],
        ['torch.randint(0, 10, (2,))', 'mint.randint(0, 10, (2,))', 'safe'],
        ['torch.randint(size=(2,), high=3)', 'mint.randint(size=(2,), high=3)', 'unsafe'],
      ],
    },
    {
      name: "torch.var/std/var_mean: mint's take torch's correction, not the legacy unbiased flag (True is 1, False is 0); positionals after dim keyed",
      settings: MINT,
      imports: 'import torch',
      added: MINT_IMPORT,
      calls: [
        ['torch.var_mean(x, dim=(-2, -1), unbiased=False, keepdim=False)', 'mint.var_mean(x, dim=(-2, -1), correction=0, keepdim=False)', 'safe'],
        ['torch.std(x, 1, True, True)', 'mint.std(x, 1, correction=1, keepdim=True)', 'safe'],
        ['torch.var(x, dim=1, correction=0)', 'mint.var(x, dim=1, correction=0)', 'safe'],
        ['torch.var(x, unbiased=flag)', 'mint.var(x, correction=flag)', 'unsafe'],
      ],
    },
    {
      name: 'torch.where with two Python numbers: mint.where takes at most one, so the first becomes a tensor (of the same dtype torch gives)',
      settings: MINT,
      imports: 'import torch',
      added: `${MINT_IMPORT}\n${MS_IMPORT}`,
      calls: [
        ['torch.where(t == k, 0, 1)', 'mint.where(t == k, ms.tensor(0), 1)', 'safe'],
        ['torch.where(t > 0, -1.5, 2)', 'mint.where(t > 0, ms.tensor(-1.5), 2)', 'safe'],
      ],
    },
    {
      name: "torch's axis= on a classic twin that calls dim axis: read as dim, and the twin's own rename applies",
      settings: CLASSIC,
      imports: 'import torch',
      added: OPS_IMPORT,
      calls: [['torch.argmin(x, axis=1, keepdim=True)', 'ops.argmin(x, axis=1, keepdims=True)', 'safe']],
    },
    {
      name: 'a twin whose argument names the data only says differ: keywords make the rename unsafe, and are left as written',
      settings: CLASSIC,
      imports: 'import torch',
      added: OPS_IMPORT,
      calls: [
        ['torch.stack([a, b], dim=0)', 'ops.stack([a, b], dim=0)', 'unsafe'],
        ['torch.stack([a, b], axis=0)', 'ops.stack([a, b], axis=0)', 'unsafe'],
        ['torch.stack([a, b])', 'ops.stack([a, b])', 'safe'],
      ],
    },
  ]);
});
