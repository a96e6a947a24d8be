"""The annotated reference spec that `derive spec` prints: every key, explained; itself a valid spec."""
from __future__ import annotations


def reference_spec() -> str:
    """REFERENCE_SPEC with the activations named from the layer modules (a new one appears by itself)."""
    from .activation import inexact, listing

    return REFERENCE_SPEC.replace("⟨activations⟩", listing()).replace("⟨inexact⟩", inexact())


REFERENCE_SPEC = r"""# A derive problem spec: every key, with what it means. Save it (derive spec > problem.yaml),
# edit it, then run derive solve problem.yaml. Only input, kernel, target and learning_rate
# are required; any other key may be left out, and then takes the default its comment names.
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
# Also torch.optim's adam, adamw, rmsprop, adagrad and sgd's nesterov, dampening, weight_decay,
# e.g. {type: adam, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0} (README: Optimizers).
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
