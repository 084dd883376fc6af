/**
 * PyTorch's CPU random numbers, bit for bit: {@link dev.vecgpt.core.random.TorchGenerator} (mt19937 as
 * {@code torch.manual_seed} seeds it, and the float32 fills built on it) and
 * {@link dev.vecgpt.core.random.Dropout} (the masks of {@code nn.Dropout}).
 *
 * <p>The recipes below were checked against PyTorch 1.13.1 on x86-64 (its AVX2 kernels, which AVX-512
 * CPUs run too) with zero mismatches over all 38,597,376 values of a {@code [50257, 768]} fill. Each
 * {@code fma} is one rounding ({@code Math.fma(float, float, float)}); every other operation is an
 * IEEE float32 operation rounded on its own. Without the fused multiply-adds about 1 % of the values
 * differ by 1–3 ulp; double-precision {@code log/sin/cos} rounded at the end differ on about 66 %.
 *
 * <h2>§1 {@code uniform_(from, to)} (also {@code kaiming_uniform_} and {@code nn.Linear}'s bias)</h2>
 * {@code from} and {@code to} are cast to float; each element takes one raw 32-bit output r:
 * {@code u = (float)(r & 0xFFFFFF) · 2⁻²⁴} (exact), {@code out = fma(u, to − from, from)}.
 *
 * <h2>§2 {@code normal_(mean, std)}, float32, n ≥ 16 elements</h2>
 * n uniforms as in §1, in order; Box–Muller on each block of 16 (lane j with lane j + 8):
 * {@code u1 = 1 − d[j]}, {@code u2 = d[j+8]}, {@code radius = sqrt(−2·LOG(u1))},
 * {@code θ = 2π·u2} (float {@code 0x40C90FDB}), {@code d[j] = fma(radius·cos θ, std, mean)},
 * {@code d[j+8] = fma(radius·sin θ, std, mean)}. When 16 does not divide n, the last 16 elements are
 * refilled with 16 fresh uniforms and transformed again. LOG and SINCOS are the vectorized
 * {@code log256_ps} and {@code sincos256_ps} of {@code avx_mathfun.h} as PyTorch's binary computes them
 * (with its fused multiply-adds); their constants, read from the binary, are in {@code TorchGenerator}.
 *
 * <h2>§3 {@code normal_} with fewer than 16 elements: {@code at::normal_distribution<double>}</h2>
 * {@code random64} is two raw outputs, the first the high word; {@code U() = (random64 & (2⁵³−1))·2⁻⁵³}.
 * Per element: the cached sample if there is one (then cleared), else {@code u1 = U()}, {@code u2 = U()},
 * {@code r = sqrt(−2·log(1 − u2))}, {@code θ = 2π·u1}, cache {@code r·sin θ} and use {@code cos θ·r};
 * {@code out = (float)(z·std + mean)} in double. The cache belongs to the generator: it persists across
 * calls, the n ≥ 16 path neither reads nor clears it, and {@code manual_seed} clears it.
 * ({@code manual_seed(123); randn(5)} starts −0.11146712, 0.12036294, −0.3696345.)
 */
package dev.vecgpt.core.random;
