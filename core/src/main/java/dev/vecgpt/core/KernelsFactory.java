package dev.vecgpt.core;

import java.util.Optional;

/**
 * A service that offers a faster {@link Kernels} implementation (the {@code ops-simd} module
 * provides one). {@link KernelProvider} finds factories with {@link java.util.ServiceLoader}.
 */
public interface KernelsFactory {

    /** The name users force with {@code -Dvecgpt.kernels=NAME}, e.g. {@code "simd"}. */
    String name();

    /** Empty if the kernels will be fast on this JVM, otherwise why not (e.g. "C2 is disabled"). */
    Optional<String> unavailableReason();

    /** Creates the kernels; called only when {@link #unavailableReason()} is empty or the user forces them. */
    Kernels create();

    /** One line on what the kernels use here, for the startup log, e.g. "FloatVector 512-bit, 16 lanes". */
    String description();
}
