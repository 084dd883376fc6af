package dev.vecgpt.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Chooses the kernels once per JVM: the fastest available {@link KernelsFactory} (the Vector API
 * kernels of {@code ops-simd}), or {@code ScalarKernels} with a reason, logged in one line.
 *
 * <p>{@code -Dvecgpt.kernels=scalar|simd|auto} (default {@code auto}) forces a choice, for tests
 * and benchmarks; forcing a kernel set that cannot be loaded is an error, not a silent fallback.
 */
public final class KernelProvider {

    public static final String PROPERTY = "vecgpt.kernels";

    private static final System.Logger LOG = System.getLogger(KernelProvider.class.getName());

    private record Choice(Kernels kernels, String description) {}

    /** Resolved lazily, once: code that only uses tensors never loads the Vector API. */
    private static final class Holder {
        static final Choice CHOICE = choose(System.getProperty(PROPERTY, "auto"));

        static {
            LOG.log(System.Logger.Level.INFO, CHOICE.description());
        }
    }

    private KernelProvider() {}

    /** The kernels chosen for this JVM, with argument checks; shared, so {@code close()} on them does nothing. */
    public static Kernels kernels() {
        return Holder.CHOICE.kernels();
    }

    /** The one line logged at startup, e.g. {@code vecgpt kernels: simd (FloatVector 512-bit ...)}. */
    public static String description() {
        return Holder.CHOICE.description();
    }

    /**
     * New kernels by name ({@code "scalar"}, the reference, or a factory's name such as {@code "simd"}),
     * with argument checks, for tests and benchmarks. They own their threads: close them when done.
     */
    public static Kernels byName(String name) {
        if (name.equals("scalar")) {
            return new CheckedKernels(new ScalarKernels(), true);
        }
        return new CheckedKernels(loadFactory(name).create(), true);
    }

    private static Choice choose(String requested) {
        String mode = requested.trim().toLowerCase(Locale.ROOT);
        if (mode.equals("scalar")) {
            return scalar("forced by -D" + PROPERTY + "=scalar");
        }
        if (!mode.equals("auto")) {
            KernelsFactory forced = loadFactory(mode);
            return new Choice(new CheckedKernels(forced.create(), false),
                    "vecgpt kernels: " + forced.name() + " (" + forced.description() + "; forced by -D"
                            + PROPERTY + "=" + mode + forced.unavailableReason().map(r -> "; note: " + r).orElse("")
                            + ")");
        }
        List<String> reasons = new ArrayList<>();
        for (KernelsFactory factory : factories(reasons)) {
            try {
                Optional<String> reason = factory.unavailableReason();
                if (reason.isEmpty()) {
                    return new Choice(new CheckedKernels(factory.create(), false),
                            "vecgpt kernels: " + factory.name() + " (" + factory.description() + ")");
                }
                reasons.add(factory.name() + ": " + reason.get());
            } catch (LinkageError e) {
                // On the class path without --add-modules jdk.incubator.vector the factory loads, and its
                // kernels' first use of the Vector API fails.
                reasons.add(factory.name() + ": " + cannotLoad(e));
            }
        }
        if (reasons.isEmpty()) {
            reasons.add("no faster kernels on the module or class path (add vecgpt-ops-simd)");
        }
        return scalar(String.join("; ", reasons));
    }

    private static Choice scalar(String why) {
        return new Choice(new CheckedKernels(new ScalarKernels(), false), "vecgpt kernels: scalar (" + why + ")");
    }

    private static KernelsFactory loadFactory(String name) {
        List<String> problems = new ArrayList<>();
        for (KernelsFactory factory : factories(problems)) {
            if (factory.name().equals(name)) {
                return factory;
            }
        }
        throw new IllegalStateException("-D" + PROPERTY + "=" + name + ": no such kernels can be loaded"
                + (problems.isEmpty() ? " (is vecgpt-ops-simd on the module or class path?)" : ": " + problems));
    }

    private static String cannotLoad(Throwable e) {
        return "Vector API kernels cannot load (" + e + "); run with --add-modules jdk.incubator.vector";
    }

    /** All factories that load; the ones that fail to load (e.g. no jdk.incubator.vector) add a reason. */
    private static List<KernelsFactory> factories(List<String> problems) {
        List<KernelsFactory> found = new ArrayList<>();
        var iterator = ServiceLoader.load(KernelsFactory.class, KernelProvider.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) {
                    return found;
                }
                found.add(iterator.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add(cannotLoad(e));
            }
        }
    }
}
