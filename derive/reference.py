"""The annotated reference spec that `derive spec` prints: every key, explained; itself a valid spec."""
from __future__ import annotations


def reference_spec() -> str:
    """REFERENCE_SPEC with the activations named from the layer modules (a new one appears by itself)."""
    from .activation import inexact, listing

    return (REFERENCE_SPEC.replace("⟨activations⟩", listing()).replace("⟨inexact⟩", inexact())
            .replace("⟨optimizers⟩", optimizer_listing()))


def network_reference_spec() -> str:
    """NETWORK_REFERENCE_SPEC with every layer kind, loss, optimizer and notation key read from their
    registries (a new module appears by itself)."""
    from .printing import NETWORK_NOTATION_KEYS

    return (NETWORK_REFERENCE_SPEC.replace("⟨layers⟩", layer_listing()).replace("⟨losses⟩", loss_listing())
            .replace("⟨optimizers⟩", optimizer_listing()).replace("⟨plain⟩", plain_activations())
            .replace("⟨notation⟩", _wrapped(", ".join(NETWORK_NOTATION_KEYS) + ".", "#   ")))


def layer_listing() -> str:
    """One comment line per layer kind (derive/network/layers/): its name, in words, and its options."""
    from .network.layers import kinds

    width = max(map(len, kinds()))
    return "\n".join(f"#   {kind:<{width}}  {layer.title}: " + (", ".join(layer.options_allowed) or "no options")
                     for kind, layer in kinds().items())


def plain_activations() -> str:
    """The elementwise layer kinds without options, in words: relu, sigmoid, … and tanh."""
    from .network.layers import kinds
    from .network.layers.elementwise import Elementwise

    *first, last = [kind for kind, layer in kinds().items() if issubclass(layer, Elementwise) and not layer.options_allowed]
    return f"{', '.join(first)} and {last}" if first else last


def loss_listing() -> str:
    """One comment line per loss (derive/network/losses/): its name and what it computes."""
    from .network.losses import losses

    width = max(map(len, losses()))
    return "\n".join(f"#   {key:<{width}}  {loss.name}" + (f" (after a final {loss.after})" if loss.after else "")
                     for key, loss in losses().items())


def optimizer_listing() -> str:
    """One comment line per optimizer type with every key and torch.optim's default (optimizers/options.py)."""
    from .network.optimizers.options import KEYS

    return "\n".join(_wrapped(f"{kind}: {{type: {kind}, " + ", ".join(f"{key}: {_default(value)}" for key, value in keys.items())
                               + "}", "#   ", "#     ") for kind, keys in KEYS.items())


def _default(value: object) -> str:
    """A default as a spec writes it: false, [0.9, 0.999], 1e-8."""
    from fractions import Fraction

    from .literals import show

    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(map(_default, value)) + "]"
    exact = Fraction(int(value.numerator), int(value.denominator))  # type: ignore[attr-defined]
    if exact.numerator == 1 and exact.denominator >= 10**4 and str(exact.denominator).rstrip("0") == "1":
        return f"1e-{len(str(exact.denominator)) - 1}"
    return show(exact)


def _wrapped(text: str, first: str, rest: str | None = None, width: int = 100) -> str:
    """`text` as comment lines of at most `width` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest or first,
                                    break_on_hyphens=False))


REFERENCE_SPEC = r"""# A derive problem spec: every key, with what it means. Save it (derive spec > problem.yaml),
# edit it, then run derive solve problem.yaml. Only input, kernel, target and learning_rate
# are required; any other key may be left out, and then takes the default its comment names.
# This is one conv layer; for a network (dense, conv, pooling, softmax layers, cross-entropy, …)
# write a layers: list instead of kernel: derive spec --layers prints that spec annotated.
#
# Numbers are exact: 3, 0.25, -1e-3 or a fraction in quotes, "1/3" (0.1 is one tenth, never a
# binary float). Write 0.5, not 0,5 (YAML reads 0,5 as two numbers), and plain decimals: 010 is
# ten, and 0x10, 0b10 and 1:30 are refused. Names ignore case, dashes, underscores and spaces:
# MSE, ReLU, Leaky-ReLU and "half SSE" are mse, relu, leaky_relu and half_sse.

# title: the heading; default "CNN Filter Learning".
title: Two channels, two filters, leaky ReLU and max pooling

# input: the image. One channel is a 2-D list of rows (H×W):
#   input: [[1, 2, 1], [0, 1, 2], [2, 1, 0]]
# Several channels are a 3-D list (C×H×W, channels first); here 2 channels of 4×4:
input:
  - [[1, 0, 2, 1], [0, 1, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]]   # channel 0
  - [[0, 1, 0, 1], [1, 0, 2, 0], [0, 2, 1, 1], [1, 0, 1, 2]]   # channel 1

# kernel: the filters. For a 2-D input, one 2-D filter (kh×kw):
#   kernel: [[0.5, 0.2], [0.3, 0.7]]
# For a 3-D input, a 4-D list (F×C×kh×kw): F filters, each with one kh×kw matrix per input
# channel; here 2 filters × 2 channels × 2×2:
kernel:
  - [[[0.5, -0.2], [0.1, 0.3]], [[0.2, 0.4], [-0.3, 0.1]]]   # filter 0: channel 0, channel 1
  - [[[-0.1, 0.3], [0.2, 0.2]], [[0.4, -0.2], [0.1, 0.5]]]   # filter 1: channel 0, channel 1

# target: what the loss compares the output with, in the output's shape: 2-D (oh×ow) for a 2-D
# input, F×oh×ow for a 3-D one. Each side of a feature map is
#   floor((H + 2·padding − (k − 1)·dilation − 1) / stride) + 1
# and the pooling shrinks it the same way; here 4 → 3 (2×2 kernel) → 2 (2×2 pooling, stride 1).
target:
  - [[1, 0.5], [0.5, 1]]   # filter 0's output
  - [[0, 1], [1, 0]]       # filter 1's output

learning_rate: 0.05   # η, a positive number (required)
stride: 1             # a whole number, or [rows, cols]; default 1
padding: 0            # rows/columns of zeros on each side: whole number or [rows, cols]; default 0
dilation: 1           # spacing between the kernel's taps: whole number or [rows, cols]; default 1
operation: cross-correlation   # the default; or convolution (the kernel flipped, as in textbooks)
bias: [0.1, -0.1]     # optional, trained like the weights: a number (2-D), one per filter (3-D)
activation: leaky_relu   # ⟨activations⟩
negative_slope: 0.1   # leaky ReLU's slope below 0; default 0.01 (or inside activation:
                      # {type: leaky_relu, negative_slope: 0.1})
# pooling: none (default), or a mapping: type max or avg; size and stride a whole number or
# [rows, cols]; stride defaults to size.
pooling: {type: max, size: 2, stride: 1}
loss: mse             # mse (mean of squares, default), sse (sum of squares), half_sse (half the sum)
# optimizer: sgd (default), or SGD with momentum μ, as PyTorch: v ← μ·v + g, w ← w − η·v.
# Also torch.optim's rules, with its keys and defaults (a bare name takes every default; torch's
# lr is learning_rate above; README: Optimizers):
⟨optimizers⟩
optimizer: {type: sgd, momentum: 0.9}
iterations: 2         # 1 to 100 (default 1): forward pass, loss, gradients and update, repeated

# notation: the symbols, in LaTeX, renamed by what they stand for: input, kernel, target,
# prediction, loss, learning_rate, bias, feature_map, activation, momentum, velocity.
# The defaults are the seed problem's I, W, Y, Ŷ, L, η, b, …
notation: {kernel: W, learning_rate: "\\eta"}

# Homework: derive variants problem.yaml --count 30 --seed 2026 -o hw/
# show: optional parts of the worked solution; [grad_input] adds the gradient with respect to
# the input (the backward pass a layer below would need). answers.json always has it.
show: [grad_input]

# ask: the answer fields students enter (Moodle and QTI blanks); default
# [prediction, loss, grad_kernel, kernel_next]. Any of: feature_map, activation, prediction,
# loss, grad_kernel, grad_bias, grad_input, velocity, velocity_bias, kernel_next, bias_next, loss_next.
ask: [prediction, loss, grad_kernel, grad_bias, kernel_next]

# variants: how each matrix is drawn. Without a rule, a matrix is drawn like the one above:
# integers stay integers in its range, decimals keep their places and range.
variants:
  input: {integers: [0, 2]}                    # whole numbers from 0 to 2
  kernel: {decimals: 1, range: [-0.5, 0.5]}    # -0.5, -0.4, …, 0.5
  target: fixed                                # as above; or the output of a hidden "true" kernel:
                                               # {from_kernel: {decimals: 1, range: [-1, 1]}}
  bias: fixed                                  # as above
  # nice: 4    # every asked answer has at most 4 decimals (not with ⟨inexact⟩)

# variant: derive variants records the variant's seed and derive's version here in each
# problem.yaml it writes; leave it out of a spec you write.
"""


NETWORK_REFERENCE_SPEC = r"""# A derive network spec: every key, with what it means. Save it (derive spec --layers > net.yaml),
# edit it, then run derive solve net.yaml. Only input, layers, target and learning_rate are
# required; any other key may be left out, and then takes the default its comment names. (The
# flat spec, one conv layer without a layers: list, is what derive spec prints.)
#
# Numbers are exact: 3, 0.25, -1e-3 or a fraction in quotes, "1/3" (0.1 is one tenth, never a
# binary float). Names ignore case, dashes, underscores and spaces, as in the flat spec.

# title: the heading; default "A Neural Network, Step by Step".
title: A small LeNet

# input: a vector [x0, x1, …], an H×W matrix (one channel), or C×H×W (channels first).
input:
  - [1, 0, 2, 1]
  - [0, 1, 1, 2]
  - [2, 1, 0, 1]
  - [1, 2, 1, 0]

# layers: in order, each a name (- relu) or a mapping with one name as key (- dense: {...}); each
# takes the previous layer's output. Every kind, and its options:
⟨layers⟩
# fixed: [bias] (or [weights], [kernel]) on a layer with parameters: its gradient is computed and
# shown, the parameter is not updated. A conv or pooling output side is
#   floor((H + 2·padding − (k − 1)·dilation − 1) / stride) + 1        (pooling: no padding, dilation 1)
layers:
  # conv: kernel kh×kw for a 2-D input, or F×C×kh×kw (F filters, C input channels); here 2 filters
  # of 1 channel, 4×4 → 2×3×3. bias: one per filter (a number for a kh×kw kernel). stride, padding
  # (zeros on each side) and dilation: a whole number or [rows, cols], defaults 1, 0, 1. operation:
  # cross-correlation (default, as PyTorch) or convolution (the kernel flipped, as in textbooks).
  - conv:
      kernel:
        - [[[0.5, -0.2], [0.1, 0.3]]]    # filter 0, its one channel
        - [[[-0.1, 0.3], [0.2, 0.2]]]    # filter 1
      bias: [0.1, -0.1]
      stride: 1
      padding: 0
      dilation: 1
      operation: cross-correlation
  # Activations, elementwise: ⟨plain⟩ take no options (a bare name); leaky_relu
  # takes negative_slope (default 0.01): - leaky_relu: {negative_slope: 0.1}. At exactly 0 ReLU's
  # derivative is 0, leaky ReLU's the slope.
  - relu
  # maxpool, avgpool: size (required) and stride (default: size), a whole number or [rows, cols];
  # on each channel; a max-pooling tie goes to the first maximum in row-major order. 2×3×3 → 2×2×2.
  - maxpool: {size: 2, stride: 1}
  - flatten      # C×H×W → a vector of C·H·W values, row-major, channels first (as torch.flatten)
  # dense: weights out×in, one row per output unit (y = W·x + b, as torch.nn.Linear); it needs a
  # vector, so flatten first. bias: one per output unit. Here 8 values in, 3 out.
  - dense:
      weights:
        - [0.1, -0.2, 0.3, 0.1, -0.1, 0.2, 0.1, 0.0]
        - [0.2, 0.1, -0.1, 0.3, 0.2, -0.2, 0.0, 0.1]
        - [-0.1, 0.3, 0.2, -0.2, 0.1, 0.1, 0.3, -0.1]
      bias: [0, 0, 0]
      fixed: [bias]
  - softmax      # over a vector: the class probabilities

# loss: mse (default), or any of
⟨losses⟩
loss: cross_entropy

# target: with cross_entropy, a class index (here class 2 of 0, 1, 2) or a probability vector
# ([0.1, 0.2, 0.7]: entries ≥ 0 that sum to 1); with every other loss, numbers in the output's shape.
target: 2

learning_rate: 0.1   # η, a positive number (required)

# optimizer: sgd (default), or a mapping with torch.optim's keys and defaults (a bare name,
# optimizer: adam, takes every default; torch's lr is learning_rate above). Every type and key:
⟨optimizers⟩
# ({type: sgd, momentum: m} alone is SGD with momentum: v ← μ·v + g, w ← w − η·v.)
optimizer: {type: adam, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0}

iterations: 1        # 1 to 100 (default 1): forward pass, loss, gradients and update, repeated

# notation: the symbols, in LaTeX, renamed by what they stand for:
⟨notation⟩
notation: {kernel: K, learning_rate: "\\eta"}

# show: optional parts of the worked solution; [grad_input] adds ∂L/∂x, the gradient with respect
# to the network's input (no layer uses it). answers.json always has it.
show: [grad_input]

# Homework: derive variants net.yaml --count 30 --seed 2026 -o hw/
# ask: the answer fields students enter (Moodle and QTI blanks), named as answers.csv names them:
# prediction, loss, loss_next, grad_input, and per layer J (from 0) layers[J].output,
# layers[J].grad_output, and per parameter P (weights, kernel, bias) layers[J].grad_P,
# layers[J].velocity_P, layers[J].P_next. Default: prediction, loss, every grad_P and P_next.
ask:                 # a block list: in [ ], YAML would read the brackets of layers[0] as a list
  - prediction
  - loss
  - layers[0].grad_kernel
  - layers[4].grad_weights
  - layers[4].weights_next

# variants: how each number list is drawn, by its path: input, target, layers[J].P. A rule is
# {integers: [lo, hi]} or {decimals: d, range: [lo, hi]}, or fixed (as above). Without a rule a
# list is drawn like the one above; a class-index target stays.
variants:
  input: {integers: [0, 2]}
  layers[0].kernel: {decimals: 1, range: [-0.5, 0.5]}
  layers[4].weights: {decimals: 1, range: [-0.5, 0.5]}
  layers[0].bias: fixed
  # nice: 4   # every asked answer within 4 decimals; refused here (softmax values never terminate)

# variant: derive variants records the variant's seed and derive's version here in each
# problem.yaml it writes; leave it out of a spec you write.
"""
