/** Vector API kernels, found by {@code dev.vecgpt.core.KernelProvider} as a service. */
module dev.vecgpt.ops.simd {
    requires dev.vecgpt.core;
    requires jdk.incubator.vector;
    requires jdk.management;

    provides dev.vecgpt.core.KernelsFactory with dev.vecgpt.ops.simd.SimdKernelsFactory;
}
