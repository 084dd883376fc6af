package dev.vecgpt.model.cli;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --threads N}, shared by every command: the kernels' thread count. */
final class ThreadsOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Integer threads;

    @Option(names = "--threads", paramLabel = "N", order = 50,
            description = "threads of the kernels, at most the processors (default: all processors)")
    void threads(int n) {
        // More threads than processors only wait for each other (and the kernel line would not say how many ran).
        int processors = Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > processors) {
            throw new ParameterException(spec.commandLine(), "--threads " + n + ": must be 1 to " + processors
                    + ", the processors this JVM may use");
        }
        threads = n;
    }

    /** The kernels of this JVM with the requested thread count (this logs the kernel line once). */
    Kernels kernels() {
        Kernels kernels = KernelProvider.kernels();
        return threads == null ? kernels : kernels.withThreads(threads);
    }
}
