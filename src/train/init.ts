// The initial weights' scale (model.init): a factor per parameter on its N(0, 1) draws, as the lecture's part 3
// writes `W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01`. No TF.js: the plan and the report use it too.
import { KAIMING, type Model } from '../config/schema.js';
import { PARAM_NAMES, type ParamName } from './shapes.js';

/** tanh's gain, as the lecture (and torch.nn.init.calculate_gain('tanh')) gives it: 5/3. */
const TANH_GAIN = 5 / 3;

/** The inputs of each weight matrix: W1 takes the block_size·embed_dim concatenated embeddings, W2 the hidden units. */
export function fanIn(param: 'W1' | 'W2', model: Model): number {
  return param === 'W1' ? model.block_size * model.embed_dim : model.hidden;
}

/**
 * The factor on `param`'s draws: as given, 1 when not named, and for kaiming the lecture's expression
 * `(5/3)/((n_embd * block_size)**0.5)` in double precision. (CPython's `**0.5` is glibc's pow, which differs from the
 * correctly rounded Math.sqrt in the double's last bit for 152 fan-ins of 1 … 200,000; the factor PyTorch multiplies
 * by is rounded to float32 first, and there the two agree for every one of them.)
 */
export function initFactor(param: ParamName, model: Model): number {
  const given = model.init?.[param];
  if (given === undefined) return 1;
  if (given === KAIMING) {
    if (param !== 'W1' && param !== 'W2') throw new Error(`model.init.${param}: kaiming is for W1 and W2 only (the schema refuses it elsewhere)`);
    return TANH_GAIN / Math.sqrt(fanIn(param, model));
  }
  return given;
}

/** Every parameter's factor, in the lecture's order. */
export function initFactors(model: Model): Record<ParamName, number> {
  return Object.fromEntries(PARAM_NAMES.map((name) => [name, initFactor(name, model)])) as Record<ParamName, number>;
}

/**
 * Scale draws in place as PyTorch multiplies a float32 tensor by a Python float: the scalar rounded to float32, then
 * a float32 product (exact in a double, so one rounding: Math.fround). A negative draw times 0 stays −0, as in torch.
 */
export function scaleDraws(values: Float32Array, factor: number): Float32Array {
  if (factor === 1) return values; // v · 1 = v, bit for bit
  const f = Math.fround(factor);
  for (let i = 0; i < values.length; i++) values[i] = values[i]! * f; // the store to a Float32Array rounds
  return values;
}
