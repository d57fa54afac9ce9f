// Coverage of the official mapping tables. A fixed sample of rows is copied here so the check runs without
// ../shared; the full tables are checked when the reference folder is present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { MappingDatabase, type MappedEntry } from '../../server/src/mappings/database';

const ROOT = resolve(__dirname, '..', '..');
const MAPPINGS = join(ROOT, 'mappings');
const REF = resolve(process.env.MINDPORT_REFERENCE_DIR ?? join(ROOT, '..', 'shared', 'reference'));
const HAS_REF = existsSync(join(REF, 'pytorch_api_mapping.tsv'));
const db = MappingDatabase.loadDir(MAPPINGS);

/** [table, section, torch_api, mindspore_api]: rows of the official 2.6.0 and 2.4.10 tables. */
const SAMPLE: [string, string, string, string][] = [
  ["2.6", "torch", "torch.abs", "mindspore.mint.abs"],
  ["2.6", "torch", "torch.addmm", "mindspore.mint.addmm"],
  ["2.6", "torch", "torch.amin", "mindspore.mint.amin"],
  ["2.6", "torch", "torch.arcsin", "mindspore.mint.arcsin"],
  ["2.6", "torch", "torch.argmax", "mindspore.mint.argmax"],
  ["2.6", "torch", "torch.atan", "mindspore.mint.atan"],
  ["2.6", "torch", "torch.bincount", "mindspore.mint.bincount"],
  ["2.6", "torch", "torch.broadcast_to", "mindspore.mint.broadcast_to"],
  ["2.6", "torch", "torch.clamp", "mindspore.mint.clamp"],
  ["2.6", "torch", "torch.cosh", "mindspore.mint.cosh"],
  ["2.6", "torch", "torch.cumsum", "mindspore.mint.cumsum"],
  ["2.6", "torch", "torch.einsum", "mindspore.mint.einsum"],
  ["2.6", "torch", "torch.erf", "mindspore.mint.erf"],
  ["2.6", "torch", "torch.expm1", "mindspore.mint.expm1"],
  ["2.6", "torch", "torch.floor", "mindspore.mint.floor"],
  ["2.6", "torch", "torch.gather", "mindspore.mint.gather"],
  ["2.6", "torch", "torch.index_select", "mindspore.mint.index_select"],
  ["2.6", "torch", "torch.isneginf", "mindspore.mint.isneginf"],
  ["2.6", "torch", "torch.linspace", "mindspore.mint.linspace"],
  ["2.6", "torch", "torch.logsumexp", "mindspore.mint.logsumexp"],
  ["2.6", "torch", "torch.logical_xor", "mindspore.mint.logical_xor"],
  ["2.6", "torch", "torch.maximum", "mindspore.mint.maximum"],
  ["2.6", "torch", "torch.min", "mindspore.mint.min"],
  ["2.6", "torch", "torch.nansum", "mindspore.mint.nansum"],
  ["2.6", "torch", "torch.negative", "mindspore.mint.negative"],
  ["2.6", "torch", "torch.ones_like", "mindspore.mint.ones_like"],
  ["2.6", "torch", "torch.prod", "mindspore.mint.prod"],
  ["2.6", "torch", "torch.randn", "mindspore.mint.randn"],
  ["2.6", "torch", "torch.remainder", "mindspore.mint.remainder"],
  ["2.6", "torch", "torch.rsqrt", "mindspore.mint.rsqrt"],
  ["2.6", "torch", "torch.sigmoid", "mindspore.mint.sigmoid"],
  ["2.6", "torch", "torch.sort", "mindspore.mint.sort"],
  ["2.6", "torch", "torch.stack", "mindspore.mint.stack"],
  ["2.6", "torch", "torch.swapaxes", "mindspore.mint.swapaxes"],
  ["2.6", "torch", "torch.topk", "mindspore.mint.topk"],
  ["2.6", "torch", "torch.trunc", "mindspore.mint.trunc"],
  ["2.6", "torch", "torch.var", "mindspore.mint.var"],
  ["2.6", "torch", "torch.zeros_like", "mindspore.mint.zeros_like"],
  ["2.6", "torch.linalg", "torch.linalg.inv", "mindspore.mint.linalg.inv"],
  ["2.6", "torch.distributed", "torch.distributed.P2POp", "mindspore.mint.distributed.P2POp"],
  ["2.6", "torch.distributed", "torch.distributed.all_to_all_single", "mindspore.mint.distributed.all_to_all_single"],
  ["2.6", "torch.distributed", "torch.distributed.broadcast_object_list", "mindspore.mint.distributed.broadcast_object_list"],
  ["2.6", "torch.distributed", "torch.distributed.get_group_rank", "mindspore.mint.distributed.get_group_rank"],
  ["2.6", "torch.distributed", "torch.distributed.irecv", "mindspore.mint.distributed.irecv"],
  ["2.6", "torch.distributed", "torch.distributed.reduce_scatter", "mindspore.mint.distributed.reduce_scatter"],
  ["2.6", "torch.nn", "torch.nn.AdaptiveAvgPool1d", "mindspore.mint.nn.AdaptiveAvgPool1d"],
  ["2.6", "torch.nn", "torch.nn.BCEWithLogitsLoss", "mindspore.mint.nn.BCEWithLogitsLoss"],
  ["2.6", "torch.nn", "torch.nn.ConstantPad2d", "mindspore.mint.nn.ConstantPad2d"],
  ["2.6", "torch.nn", "torch.nn.CrossEntropyLoss", "mindspore.mint.nn.CrossEntropyLoss"],
  ["2.6", "torch.nn", "torch.nn.Flatten", "mindspore.mint.flatten"],
  ["2.6", "torch.nn", "torch.nn.Hardsigmoid", "mindspore.mint.nn.Hardsigmoid"],
  ["2.6", "torch.nn", "torch.nn.Linear", "mindspore.mint.nn.Linear"],
  ["2.6", "torch.nn", "torch.nn.Mish", "mindspore.mint.nn.Mish"],
  ["2.6", "torch.nn", "torch.nn.ReflectionPad1d", "mindspore.mint.nn.ReflectionPad1d"],
  ["2.6", "torch.nn", "torch.nn.ReplicationPad3d", "mindspore.mint.nn.ReplicationPad3d"],
  ["2.6", "torch.nn", "torch.nn.Softshrink", "mindspore.mint.nn.Softshrink"],
  ["2.6", "torch.nn", "torch.nn.ZeroPad1d", "mindspore.mint.nn.ZeroPad1d"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.adaptive_avg_pool1d", "mindspore.mint.nn.functional.adaptive_avg_pool1d"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.avg_pool1d", "mindspore.mint.nn.functional.avg_pool1d"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.conv2d", "mindspore.mint.nn.functional.conv2d"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.elu", "mindspore.mint.nn.functional.elu"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.hardshrink", "mindspore.mint.nn.functional.hardshrink"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.leaky_relu", "mindspore.mint.nn.functional.leaky_relu"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.max_unpool2d", "mindspore.mint.nn.functional.max_unpool2d"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.one_hot", "mindspore.mint.nn.functional.one_hot"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.relu_", "mindspore.mint.nn.functional.relu_"],
  ["2.6", "torch.nn.functional", "torch.nn.functional.softmax", "mindspore.mint.nn.functional.softmax"],
  ["2.6", "torch.special", "torch.special.erfc", "mindspore.mint.special.erfc"],
  ["2.6", "torch.special", "torch.special.round", "mindspore.mint.special.round"],
  ["2.6", "torch.Tensor", "torch.Tensor.abs", "mindspore.Tensor.abs"],
  ["2.6", "torch.Tensor", "torch.Tensor.all", "mindspore.Tensor.all"],
  ["2.6", "torch.Tensor", "torch.Tensor.atan2", "mindspore.Tensor.atan2"],
  ["2.6", "torch.Tensor", "torch.Tensor.clamp_", "mindspore.Tensor.clamp_"],
  ["2.6", "torch.Tensor", "torch.Tensor.divide", "mindspore.Tensor.divide"],
  ["2.6", "torch.Tensor", "torch.Tensor.float", "mindspore.Tensor.float"],
  ["2.6", "torch.Tensor", "torch.Tensor.index_select", "mindspore.Tensor.index_select"],
  ["2.6", "torch.Tensor", "torch.Tensor.le", "mindspore.Tensor.le"],
  ["2.6", "torch.Tensor", "torch.Tensor.logical_not", "mindspore.Tensor.logical_not"],
  ["2.6", "torch.Tensor", "torch.Tensor.masked_select", "mindspore.Tensor.masked_select"],
  ["2.6", "torch.Tensor", "torch.Tensor.min", "mindspore.Tensor.min"],
  ["2.6", "torch.Tensor", "torch.Tensor.neg", "mindspore.Tensor.neg"],
  ["2.6", "torch.Tensor", "torch.Tensor.reciprocal", "mindspore.Tensor.reciprocal"],
  ["2.6", "torch.Tensor", "torch.Tensor.rsqrt", "mindspore.Tensor.rsqrt"],
  ["2.6", "torch.Tensor", "torch.Tensor.sort", "mindspore.Tensor.sort"],
  ["2.6", "torch.Tensor", "torch.Tensor.t", "mindspore.Tensor.t"],
  ["2.6", "torch.Tensor", "torch.Tensor.trunc", "mindspore.Tensor.trunc"],
  ["2.6", "torch.utils", "torch.utils.data.DataLoader", "mindspore.dataset.GeneratorDataset"],
  ["2.6", "torch.utils", "torch.utils.data.RandomSampler", "mindspore.dataset.RandomSampler"],
  ["2.6", "torchaudio", "torchaudio.datasets.CMUARCTIC", "mindspore.dataset.CMUArcticDataset"],
  ["2.6", "torchaudio", "torchaudio.datasets.TEDLIUM", "mindspore.dataset.TedliumDataset"],
  ["2.6", "torchaudio", "torchaudio.transforms.Fade", "mindspore.dataset.audio.Fade"],
  ["2.6", "torchaudio", "torchaudio.transforms.MelSpectrogram", "mindspore.dataset.audio.MelSpectrogram"],
  ["2.6", "torchaudio", "torchaudio.transforms.SlidingWindowCmn", "mindspore.dataset.audio.SlidingWindowCmn"],
  ["2.6", "torchaudio", "torchaudio.transforms.Vad", "mindspore.dataset.audio.Vad"],
  ["2.6", "torchtext", "torchtext.data.functional.custom_replace", "mindspore.dataset.text.RegexReplace"],
  ["2.6", "torchtext", "torchtext.data.functional.sentencepiece_numericalizer", "mindspore.dataset.text.SentencePieceTokenizer"],
  ["2.6", "torchtext", "torchtext.datasets.AmazonReviewFull", "mindspore.dataset.AmazonReviewDataset"],
  ["2.6", "torchtext", "torchtext.datasets.IWSLT2016", "mindspore.dataset.IWSLT2016Dataset"],
  ["2.6", "torchtext", "torchtext.datasets.SQuAD2", "mindspore.dataset.SQuADDataset"],
  ["2.6", "torchtext", "torchtext.datasets.YelpReviewFull", "mindspore.dataset.YelpReviewDataset"],
  ["2.6", "torchvision", "torchvision.datasets.CelebA", "mindspore.dataset.CelebADataset"],
  ["2.6", "torchvision", "torchvision.datasets.CIFAR100", "mindspore.dataset.Cifar100Dataset"],
  ["2.6", "torchvision", "torchvision.datasets.VOCSegmentation", "mindspore.dataset.VOCDataset"],
  ["2.6", "torchvision", "torchvision.transforms.Compose", "mindspore.dataset.transforms.Compose"],
  ["2.6", "torchvision", "torchvision.transforms.LinearTransformation", "mindspore.dataset.vision.LinearTransformation"],
  ["2.6", "torchvision", "torchvision.transforms.RandomChoice", "mindspore.dataset.transforms.RandomChoice"],
  ["2.6", "torchvision", "torchvision.transforms.RandomPerspective", "mindspore.dataset.vision.RandomPerspective"],
  ["2.6", "torchvision", "torchvision.transforms.TenCrop", "mindspore.dataset.vision.TenCrop"],
  ["2.4", "torch", "torch.abs", "mindspore.ops.abs"],
  ["2.4", "torch", "torch.addmm", "mindspore.ops.addmm"],
  ["2.4", "torch", "torch.arange", "mindspore.ops.arange"],
  ["2.4", "torch", "torch.argmin", "mindspore.ops.argmin"],
  ["2.4", "torch", "torch.atleast_2d", "mindspore.ops.atleast_2d"],
  ["2.4", "torch", "torch.bitwise_xor", "mindspore.ops.bitwise_xor"],
  ["2.4", "torch", "torch.ceil", "mindspore.ops.ceil"],
  ["2.4", "torch", "torch.conj", "mindspore.ops.conj"],
  ["2.4", "torch", "torch.cumprod", "mindspore.ops.cumprod"],
  ["2.4", "torch", "torch.digamma", "mindspore.ops.digamma"],
  ["2.4", "torch", "torch.erf", "mindspore.ops.erf"],
  ["2.4", "torch", "torch.float_power", "mindspore.ops.float_power"],
  ["2.4", "torch", "torch.frac", "mindspore.ops.frac"],
  ["2.4", "torch", "torch.greater_equal", "mindspore.ops.greater_equal"],
  ["2.4", "torch", "torch.i0", "mindspore.ops.i0"],
  ["2.4", "torch", "torch.isfinite", "mindspore.ops.isfinite"],
  ["2.4", "torch", "torch.is_nonzero", "mindspore.ops.is_nonzero"],
  ["2.4", "torch", "torch.less", "mindspore.ops.less"],
  ["2.4", "torch", "torch.log10", "mindspore.ops.log10"],
  ["2.4", "torch", "torch.logical_or", "mindspore.ops.logical_or"],
  ["2.4", "torch", "torch.masked_select", "mindspore.ops.masked_select"],
  ["2.4", "torch", "torch.mul", "mindspore.ops.mul"],
  ["2.4", "torch", "torch.mv", "mindspore.ops.mv"],
  ["2.4", "torch", "torch.nextafter", "mindspore.ops.nextafter"],
  ["2.4", "torch", "torch.ormqr", "mindspore.ops.ormqr"],
  ["2.4", "torch", "torch.rand", "mindspore.ops.rand"],
  ["2.4", "torch", "torch.ravel", "mindspore.ops.ravel"],
  ["2.4", "torch", "torch.rot90", "mindspore.ops.rot90"],
  ["2.4", "torch", "torch.sigmoid", "mindspore.ops.sigmoid"],
  ["2.4", "torch", "torch.split", "mindspore.ops.split"],
  ["2.4", "torch", "torch.subtract", "mindspore.ops.subtract"],
  ["2.4", "torch", "torch.tensor_split", "mindspore.ops.tensor_split"],
  ["2.4", "torch", "torch.triu_indices", "mindspore.ops.triu_indices"],
  ["2.4", "torch", "torch.var", "mindspore.ops.var"],
  ["2.4", "torch", "torch.hsplit", "mindspore.ops.hsplit"],
  ["2.4", "torch.generator", "torch.get_rng_state", "mindspore.get_rng_state"],
  ["2.4", "torch.generator", "torch.Generator", "mindspore.Generator"],
  ["2.4", "torch.distributions", "torch.distributions.laplace.Laplace", "mindspore.ops.standard_laplace"],
  ["2.4", "torch.distributed", "torch.distributed.all_gather", "mindspore.communication.comm_func.all_gather_into_tensor"],
  ["2.4", "torch.distributed", "torch.distributed.get_rank", "mindspore.communication.get_rank"],
  ["2.4", "torch.distributed", "torch.distributed.P2POp", "mindspore.communication.comm_func.P2POp"],
  ["2.4", "torch.nn", "torch.nn.AdaptiveAvgPool1d", "mindspore.nn.AdaptiveAvgPool1d"],
  ["2.4", "torch.nn", "torch.nn.AdaptiveMaxPool3d", "mindspore.nn.AdaptiveMaxPool3d"],
  ["2.4", "torch.nn", "torch.nn.BatchNorm3d", "mindspore.nn.BatchNorm3d"],
  ["2.4", "torch.nn", "torch.nn.Conv1d", "mindspore.nn.Conv1d"],
  ["2.4", "torch.nn", "torch.nn.Dropout", "mindspore.nn.Dropout"],
  ["2.4", "torch.nn", "torch.nn.GRUCell", "mindspore.nn.GRUCell"],
  ["2.4", "torch.nn", "torch.nn.Identity", "mindspore.nn.Identity"],
  ["2.4", "torch.nn", "torch.nn.LeakyReLU", "mindspore.nn.LeakyReLU"],
  ["2.4", "torch.nn", "torch.nn.LogSoftMax", "mindspore.nn.LogSoftMax"],
  ["2.4", "torch.nn", "torch.nn.MaxUnpool3d", "mindspore.nn.MaxUnpool3d"],
  ["2.4", "torch.nn", "torch.nn.parameter.Parameter", "mindspore.Parameter"],
  ["2.4", "torch.nn", "torch.nn.ReLU6", "mindspore.nn.ReLU6"],
  ["2.4", "torch.nn", "torch.nn.Sequential", "mindspore.nn.SequentialCell"],
  ["2.4", "torch.nn", "torch.nn.Softshrink", "mindspore.nn.SoftShrink"],
  ["2.4", "torch.nn", "torch.nn.TransformerEncoder", "mindspore.nn.TransformerEncoder"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.adaptive_avg_pool1d", "mindspore.ops.adaptive_avg_pool1d"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.avg_pool3d", "mindspore.ops.avg_pool3d"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.conv3d", "mindspore.ops.conv3d"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.dropout3d", "mindspore.ops.dropout3d"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.hardsigmoid", "mindspore.ops.hardsigmoid"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.logsigmoid", "mindspore.ops.logsigmoid"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.max_unpool3d", "mindspore.ops.max_unpool3d"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.pixel_shuffle", "mindspore.ops.pixel_shuffle"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.silu", "mindspore.ops.silu"],
  ["2.4", "torch.nn.functional", "torch.nn.functional.tanhshrink", "mindspore.ops.tanhshrink"],
  ["2.4", "torch.nn.Module", "torch.nn.Module.apply", "mindspore.nn.Cell.apply"],
  ["2.4", "torch.nn.utils", "torch.nn.utils.clip_grad_value_", "mindspore.ops.clip_by_value"],
  ["2.4", "torch.Tensor", "torch.Tensor.abs", "mindspore.Tensor.abs"],
  ["2.4", "torch.Tensor", "torch.Tensor.addmm", "mindspore.Tensor.addmm"],
  ["2.4", "torch.Tensor", "torch.Tensor.arccosh", "mindspore.Tensor.arccosh"],
  ["2.4", "torch.Tensor", "torch.Tensor.argsort", "mindspore.Tensor.argsort"],
  ["2.4", "torch.Tensor", "torch.Tensor.bincount", "mindspore.Tensor.bincount"],
  ["2.4", "torch.Tensor", "torch.Tensor.ceil", "mindspore.Tensor.ceil"],
  ["2.4", "torch.Tensor", "torch.Tensor.copysign", "mindspore.Tensor.copysign"],
  ["2.4", "torch.Tensor", "torch.Tensor.deg2rad", "mindspore.Tensor.deg2rad"],
  ["2.4", "torch.Tensor", "torch.Tensor.divide", "mindspore.Tensor.divide"],
  ["2.4", "torch.Tensor", "torch.Tensor.fill_diagonal_", "mindspore.Tensor.fill_diagonal"],
  ["2.4", "torch.Tensor", "torch.Tensor.fmax", "mindspore.Tensor.fmax"],
  ["2.4", "torch.Tensor", "torch.Tensor.gt", "mindspore.Tensor.gt"],
  ["2.4", "torch.Tensor", "torch.Tensor.igamma", "mindspore.Tensor.igamma"],
  ["2.4", "torch.Tensor", "torch.Tensor.int", "mindspore.Tensor.int"],
  ["2.4", "torch.Tensor", "torch.Tensor.is_floating_point", "mindspore.Tensor.is_floating_point"],
  ["2.4", "torch.Tensor", "torch.Tensor.le", "mindspore.Tensor.le"],
  ["2.4", "torch.Tensor", "torch.Tensor.log2", "mindspore.Tensor.log2"],
  ["2.4", "torch.Tensor", "torch.Tensor.logical_xor", "mindspore.Tensor.logical_xor"],
  ["2.4", "torch.Tensor", "torch.Tensor.masked_select", "mindspore.Tensor.masked_select"],
  ["2.4", "torch.Tensor", "torch.Tensor.minimum", "mindspore.Tensor.minimum"],
  ["2.4", "torch.Tensor", "torch.Tensor.multiply", "mindspore.Tensor.multiply"],
  ["2.4", "torch.Tensor", "torch.Tensor.ne", "mindspore.Tensor.ne"],
  ["2.4", "torch.Tensor", "torch.Tensor.nonzero", "mindspore.Tensor.nonzero"],
  ["2.4", "torch.Tensor", "torch.Tensor.pow", "mindspore.Tensor.pow"],
  ["2.4", "torch.Tensor", "torch.Tensor.repeat", "mindspore.Tensor.tile"],
  ["2.4", "torch.Tensor", "torch.Tensor.scatter_", "mindspore.ops.tensor_scatter_elements"],
  ["2.4", "torch.Tensor", "torch.Tensor.signbit", "mindspore.Tensor.signbit"],
  ["2.4", "torch.Tensor", "torch.Tensor.sqrt", "mindspore.Tensor.sqrt"],
  ["2.4", "torch.Tensor", "torch.Tensor.svd", "mindspore.Tensor.svd"],
  ["2.4", "torch.Tensor", "torch.Tensor.trace", "mindspore.Tensor.trace"],
  ["2.4", "torch.Tensor", "torch.Tensor.true_divide", "mindspore.Tensor.true_divide"],
  ["2.4", "torch.Tensor", "torch.Tensor.where", "mindspore.Tensor.where"],
  ["2.4", "torch.utils", "torch.utils.data.DataLoader", "mindspore.dataset.GeneratorDataset"],
  ["2.4", "torch.utils", "torch.utils.data.SubsetRandomSampler", "mindspore.dataset.SubsetRandomSampler"],
  ["2.4", "torchaudio", "torchaudio.datasets.CMUARCTIC", "mindspore.dataset.CMUArcticDataset"],
  ["2.4", "torchaudio", "torchaudio.datasets.TEDLIUM", "mindspore.dataset.TedliumDataset"],
  ["2.4", "torchaudio", "torchaudio.transforms.InverseMelScale", "mindspore.dataset.audio.InverseMelScale"],
  ["2.4", "torchaudio", "torchaudio.transforms.SpectralCentroid", "mindspore.dataset.audio.SpectralCentroid"],
  ["2.4", "torchtext", "torchtext.data.functional.custom_replace", "mindspore.dataset.text.RegexReplace"],
  ["2.4", "torchtext", "torchtext.data.functional.numericalize_tokens_from_iterator", "mindspore.dataset.text.Lookup"],
  ["2.4", "torchtext", "torchtext.datasets.CoNLL2000Chunking", "mindspore.dataset.CoNLL2000Dataset"],
  ["2.4", "torchtext", "torchtext.datasets.SQuAD2", "mindspore.dataset.SQuADDataset"],
  ["2.4", "torchvision", "torchvision.datasets.CelebA", "mindspore.dataset.CelebADataset"],
  ["2.4", "torchvision", "torchvision.datasets.Cityscapes", "mindspore.dataset.CityscapesDataset"],
  ["2.4", "torchvision", "torchvision.ops.nms", "mindspore.ops.NMSWithMask"],
  ["2.4", "torchvision", "torchvision.transforms.Grayscale", "mindspore.dataset.vision.Grayscale"],
  ["2.4", "torchvision", "torchvision.transforms.RandomGrayscale", "mindspore.dataset.vision.RandomGrayscale"],
  ["2.4", "torchvision", "torchvision.transforms.TenCrop", "mindspore.dataset.vision.TenCrop"],  ["2.6", "torch.optim", "torch.optim.Adam", "mindspore.mint.optim.Adam"],
  ["2.4", "torch.optim", "torch.optim.SGD", "mindspore.experimental.optim.SGD"],
  ["2.4", "torch.optim.lr_scheduler", "torch.optim.lr_scheduler.CosineAnnealingLR", "mindspore.experimental.optim.lr_scheduler.CosineAnnealingLR"],
];

/**
 * The row's twin: the mint slot for mindspore.mint.* in the 2.6 table, otherwise classic (an alternative twin is
 * named in the note); a 2.6 row the 2.4.10 table maps otherwise is the torch-aligned twin in the mint slot, since 2.6.
 */
function twinFor(e: MappedEntry | undefined, table: string, api: string): boolean {
  if (!e) return false;
  // a torch class the 2.6 table maps to a mint function (nn.Flatten → mint.flatten) is left out by the importer
  // on purpose: renaming the layer into the function would build nothing; the other twin stays
  const last = (n: string) => n.slice(n.lastIndexOf('.') + 1);
  if (table.startsWith('2.6') && api.startsWith('mindspore.mint.') && /^[A-Z]/.test(last(e.torch)) && !e.torch.startsWith('torch.Tensor.') && /^[a-z]/.test(last(api))) {
    return e.mint?.api !== api && !!e.classic;
  }
  const which = table.startsWith('2.6') && api.startsWith('mindspore.mint.') ? 'mint' : 'classic';
  const t = e[which];
  if (t && (t.api === api || (t.note ?? '').includes(`alternative: ${api}`))) return true;
  return table.startsWith('2.6') && e.mint?.api === api && e.mint.since === '2.6';
}

test(`sample of ${SAMPLE.length} official rows: each torch API has the expected twin`, () => {
  assert.ok(SAMPLE.length >= 100);
  assert.ok(new Set(SAMPLE.map((r) => r[1])).size >= 12, 'all sections are sampled');
  const missing = SAMPLE.filter(([t, , torch, ms]) => !twinFor(db.get(torch), t, ms)).map((r) => r.join(' '));
  assert.deepEqual(missing, []);
});

function readTsv(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [head[i], v.trim()])));
}

test('full 2.6.0 and 2.4.10 tables: every row is covered', { skip: !HAS_REF }, () => {
  const missing: string[] = [];
  for (const [f, t] of [
    ['pytorch_api_mapping.tsv', '2.6'],
    ['pytorch_api_mapping_r2.4.10.tsv', '2.4'],
  ]) {
    for (const r of readTsv(join(REF, f))) {
      if (!r.torch_api) continue; // a MindSpore-only row
      if (!twinFor(db.get(r.torch_api), t, r.mindspore_api)) missing.push(`${t} ${r.torch_api} → ${r.mindspore_api}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('full tables: diff pages carry the official page URL, platforms and aclnn are filled in', { skip: !HAS_REF }, () => {
  const problems: string[] = [];
  for (const r of readTsv(join(REF, 'pytorch_api_mapping.tsv'))) {
    if (!r.torch_api || !r.diff_page) continue;
    const e = db.get(r.torch_api)!;
    const t = [e.mint, e.classic].find((x) => x?.api === r.mindspore_api);
    const url = `https://www.mindspore.cn/docs/en/r2.6.0/note/api_mapping/pytorch_diff/${r.diff_page.replace(/\.md$/, '')}.html`;
    if (t?.doc !== url) problems.push(`${r.torch_api}: doc ${t?.doc}`);
  }
  const plat = new Map<string, string>();
  for (const r of readTsv(join(REF, 'mindspore_api_platforms.tsv'))) if (r.mindspore_version === '2.6.0') plat.set(r.mindspore_api, r.platforms);
  for (const e of db.entries.values())
    for (const t of [e.mint, e.classic]) {
      if (!t || !plat.has(t.api)) continue;
      const want = ['Ascend', 'GPU', 'CPU'].filter((p) => plat.get(t.api)!.split(/\s+/).includes(p));
      if (JSON.stringify(t.platforms?.['2.6']) !== JSON.stringify(want) && !/Atlas/.test(plat.get(t.api)!))
        problems.push(`${e.torch}: ${t.api} platforms ${JSON.stringify(t.platforms?.['2.6'])} ≠ ${JSON.stringify(want)}`);
    }
  for (const r of readTsv(join(REF, 'mint_aclnn_mapping.tsv'))) {
    if (!/^aclnn/.test(r.aclnn_api)) continue;
    for (const e of db.entries.values())
      if (e.mint?.api === r.mint_api && !e.mint.aclnn?.includes(r.aclnn_api.split(/\s*[;,]\s*/)[0]))
        problems.push(`${e.torch}: aclnn ${e.mint.aclnn} lacks ${r.aclnn_api}`);
  }
  assert.deepEqual(problems.slice(0, 20), []);
});

test('generated files are up to date with the reference tables', { skip: !HAS_REF }, () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'mappings-import.mjs'), '--check'], { stdio: 'pipe' });
});

test('MSAdapter "Not Support" rows without a table mapping: status none with advice, or an uncompared same-named twin', () => {
  const all = [...db.entries.values()].filter((x) => x.sources?.includes('msadapter') && x.files.length === 1);
  assert.ok(all.length > 300, `${all.length}`);
  let twins = 0;
  for (const x of all) {
    if (!x.sources?.includes('ms-api-list')) {
      assert.equal(db.statusOf(x), 'none', x.torch);
      assert.ok(x.advice, x.torch);
      continue;
    }
    // MSAdapter lacks it, MindSpore has an API of that name: never "same", never a safe rename, and it says so
    twins++;
    const twin = x.mint ?? x.classic;
    assert.ok(twin && !x.advice, x.torch);
    assert.equal(twin.status, 'behavior', x.torch);
    assert.equal(twin.api.split('.').pop(), x.torch.split('.').pop(), x.torch);
    assert.match(twin.note ?? '', /not compared/, x.torch);
  }
  assert.ok(twins >= 3, `${twins}`); // fewer as overlay entries compare them by hand
  for (const [torch, ms] of [
    ['torch.Tensor.nanmean', 'mindspore.Tensor.nanmean'],
    ['torch.Tensor.untyped_storage', 'mindspore.Tensor.untyped_storage'],
  ]) {
    const e = db.get(torch);
    assert.equal((e?.mint ?? e?.classic)?.api, ms, torch);
  }
});

// ---- hand-written overlays
const RULES: Record<string, string[]> = {
  MSP201: ['torch.fft.fft', 'torch.fft.ifft', 'torch.fft.rfft', 'torch.fft.irfft', 'torch.fft.rfft2', 'torch.fft.irfft2', 'torch.fft.rfftn', 'torch.fft.irfftn', 'torch.fft.fft2', 'torch.fft.ifft2', 'torch.fft.fftn', 'torch.fft.ifftn', 'torch.fft.fftshift', 'torch.fft.ifftshift', 'torch.fft.fftfreq', 'torch.fft.rfftfreq', 'torch.view_as_complex', 'torch.view_as_real', 'torch.complex', 'torch.polar', 'torch.Tensor.real', 'torch.Tensor.imag', 'torch.Tensor.conj', 'torch.Tensor.angle', 'torch.complex64', 'torch.complex128', 'torch.cfloat', 'torch.cdouble'],
  MSP202: ['torch.float64', 'torch.double', 'torch.Tensor.double'],
  MSP301: ['torch.utils.checkpoint.checkpoint', 'torch.utils.checkpoint.checkpoint_sequential'],
  MSP303: ['torch.autocast', 'torch.cuda.amp.autocast', 'torch.cuda.amp.GradScaler', 'torch.amp.autocast', 'torch.amp.GradScaler', 'torch.cpu.amp.autocast'],
  MSP206: ['torch.compile', 'torch.jit.script', 'torch.jit.trace', 'torch.jit.ignore', 'torch.jit.export'],
  MSP205: ['torch.backends.cudnn.benchmark', 'torch.backends.cudnn.deterministic', 'torch.backends.cuda.matmul.allow_tf32', 'torch.cuda.is_available', 'torch.cuda.device_count', 'torch.cuda.set_device', 'torch.cuda.synchronize', 'torch.cuda.empty_cache', 'torch.cuda.manual_seed', 'torch.cuda.manual_seed_all', 'torch.cuda.max_memory_allocated', 'torch.cuda.memory_allocated', 'torch.device', 'torch.Tensor.cuda', 'torch.Tensor.cpu', 'torch.Tensor.to', 'torch.nn.Module.cuda', 'torch.nn.Module.to', 'torch.Tensor.pin_memory'],
  MSP204: ['torch.Tensor.index_add_', 'torch.Tensor.index_add', 'torch.Tensor.scatter_add_', 'torch.Tensor.scatter_add', 'torch.Tensor.scatter_reduce', 'torch.Tensor.scatter_reduce_', 'torch.index_add', 'torch.scatter_add', 'torch.scatter_reduce', 'torch_scatter.scatter', 'torch_scatter.scatter_add', 'torch_scatter.scatter_mean', 'torch_scatter.scatter_max', 'torch_geometric.nn.MessagePassing', 'torch_geometric.utils.scatter', 'dgl.function.copy_u', 'dgl.function.sum', 'dgl.DGLGraph.update_all'],
  MSP203: ['torch.nonzero', 'torch.masked_select', 'torch.unique', 'torch.Tensor.nonzero', 'torch.Tensor.masked_select', 'torch.Tensor.unique'],
  MSP407: ['torch.distributed.init_process_group', 'torch.distributed.all_reduce', 'torch.distributed.get_rank', 'torch.distributed.get_world_size', 'torch.distributed.barrier', 'torch.nn.parallel.DistributedDataParallel', 'torch.utils.data.distributed.DistributedSampler'],
  MSP405: ['torch.utils.data.DataLoader', 'torch.utils.data.Dataset', 'torch.utils.data.IterableDataset'],
  MSP406: ['torch.save', 'torch.load', 'torch.nn.Module.state_dict', 'torch.nn.Module.load_state_dict'],
  MSP401: ['torch.nn.Module'],
  MSP402: ['torch.nn.Module.train', 'torch.nn.Module.eval'],
  MSP403: ['torch.no_grad', 'torch.inference_mode', 'torch.enable_grad', 'torch.Tensor.requires_grad_'],
  MSP404: ['torch.optim.Optimizer.zero_grad', 'torch.Tensor.backward', 'torch.optim.Optimizer.step'],
  MSP305: ['torch.nn.functional.scaled_dot_product_attention'],
};

test('rule-owned APIs are present with their rule and advice', () => {
  const bad: string[] = [];
  for (const [rule, keys] of Object.entries(RULES))
    for (const k of keys) {
      const e = db.get(k);
      if (!e) bad.push(`${k}: missing`);
      else if (e.rule !== rule) bad.push(`${k}: rule ${e.rule} ≠ ${rule}`);
      else if (!e.advice) bad.push(`${k}: no advice`);
    }
  assert.deepEqual(bad, []);
  assert.equal(db.get('torch.nn.Module')?.classic?.api, 'mindspore.nn.Cell');
  assert.equal(db.get('torch.float64')?.classic?.api, 'mindspore.float64');
  assert.equal(db.get('torch.float64')?.kind, 'attribute');
  assert.equal(db.get('torch.complex64')?.kind, 'attribute');
});

test('other hand-written APIs real code uses are present', () => {
  const keys = ['torch.nn.init.trunc_normal_', 'torch.nn.init.normal_', 'torch.nn.init.xavier_uniform_', 'torch.nn.init.kaiming_normal_', 'torch.nn.init.zeros_', 'torch.nn.init.ones_', 'torch.nn.init.constant_', 'torch.nn.Module.register_buffer', 'torch.nn.Parameter', 'einops.rearrange', 'einops.repeat', 'einops.reduce', 'einops.layers.torch.Rearrange', 'timm.models.layers.DropPath', 'timm.layers.DropPath', 'timm.models.layers.trunc_normal_', 'timm.layers.trunc_normal_', 'torch.nn.Softplus', 'torch.nn.DataParallel', 'torch.nn.Module.__init__', 'torch.gradient', 'torch.nn.ModuleDict.update'];
  const methods = 'view reshape permute contiguous transpose type_as masked_fill masked_fill_ expand expand_as repeat chunk split unsqueeze squeeze flatten size numel dim float half bfloat16 long int bool item tolist numpy detach clone zero_ fill_ copy_ add_ mul_ sum mean max min softmax matmul norm'.split(' ');
  const missing = [...keys, ...methods.map((m) => `torch.Tensor.${m}`)].filter((k) => !db.get(k) || db.statusOf(db.get(k)!) === 'none' && !db.get(k)!.advice);
  assert.deepEqual(missing, []);
  for (const m of methods) assert.ok(db.get(`torch.Tensor.${m}`)!.mint || db.get(`torch.Tensor.${m}`)!.classic, m);
  assert.equal(db.get('torch.nn.Parameter')?.classic?.api, 'mindspore.Parameter');
  assert.match(db.get('torch.nn.Module.register_buffer')!.advice!, /requires_grad=False/);
  assert.equal(db.get('torch.nn.functional.scaled_dot_product_attention')?.classic?.api, 'mindspore.ops.flash_attention_score');
});

test('params and argument differences for the example project APIs', () => {
  const keys = ['torch.zeros', 'torch.ones', 'torch.randn', 'torch.arange', 'torch.cat', 'torch.stack', 'torch.matmul', 'torch.einsum', 'torch.nn.functional.interpolate', 'torch.nn.functional.gelu', 'torch.nn.functional.softmax', 'torch.nn.functional.layer_norm', 'torch.nn.functional.dropout', 'torch.nn.Linear', 'torch.nn.Conv2d', 'torch.nn.LayerNorm', 'torch.nn.Dropout', 'torch.nn.GELU', 'torch.nn.MultiheadAttention', 'torch.optim.AdamW', 'torch.optim.lr_scheduler.CosineAnnealingLR', 'torch.nn.MSELoss'];
  for (const k of keys) {
    const e = db.get(k);
    assert.ok(e?.params?.length || k === 'torch.nn.GELU' || k === 'torch.nn.MSELoss', `${k} has params`);
    assert.ok(e?.mint || e?.classic, `${k} has a twin`);
  }
  assert.deepEqual(db.get('torch.nn.Linear')!.params!.map((p) => p.name), ['in_features', 'out_features', 'bias', 'device', 'dtype']);
  assert.equal(db.get('torch.nn.Linear')!.params![2].default, 'True');
  assert.deepEqual(db.get('torch.cat')!.params!.find((p) => p.name === 'out'), { name: 'out', default: 'None', kwOnly: true });
  const renames = db.get('torch.nn.Linear')!.classic!.args!.filter((a) => a.change === 'renamed').map((a) => `${a.torch}->${a.ms}`);
  assert.ok(renames.includes('in_features->in_channels') && renames.includes('bias->has_bias'), renames.join());
  assert.ok(db.get('torch.nn.LayerNorm')!.classic!.args!.some((a) => a.torch === 'eps' && a.ms === 'epsilon'));
});

test('factory functions list out/layout/device/requires_grad/pin_memory/memory_format as unsupported (MSP104); dtype stays', () => {
  const factories = ['torch.zeros', 'torch.ones', 'torch.randn', 'torch.rand', 'torch.empty', 'torch.full', 'torch.arange', 'torch.tensor', 'torch.zeros_like', 'torch.ones_like'];
  for (const k of factories) {
    const e = db.get(k)!;
    const params = new Set(e.params!.map((p) => p.name));
    for (const t of [e.mint, e.classic]) {
      if (!t) continue;
      const unsup = new Set((t.args ?? []).filter((a) => a.change === 'unsupported').map((a) => a.torch));
      for (const n of ['out', 'layout', 'device', 'requires_grad', 'pin_memory', 'memory_format'])
        if (params.has(n)) assert.ok(unsup.has(n), `${k} ${t.api}: ${n} unsupported`);
      assert.ok(!(t.args ?? []).some((a) => a.torch === 'dtype' && a.change === 'unsupported'), `${k}: dtype kept`);
    }
  }
});
