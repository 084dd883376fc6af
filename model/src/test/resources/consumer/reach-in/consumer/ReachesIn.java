package consumer;

/** Reaches for an implementation class: must not compile, because vecgpt exports only its API. */
public class ReachesIn {
    Object kernels = new dev.vecgpt.ops.simd.SimdKernels();
}
