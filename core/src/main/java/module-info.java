/** Tensors, the kernel interface, the scalar reference kernels and PyTorch-compatible random numbers. */
module dev.vecgpt.core {
    requires com.fasterxml.jackson.core;

    exports dev.vecgpt.core;
    exports dev.vecgpt.core.io;
    exports dev.vecgpt.core.random;

    uses dev.vecgpt.core.KernelsFactory;
}
