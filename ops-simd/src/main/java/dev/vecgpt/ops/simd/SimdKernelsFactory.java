package dev.vecgpt.ops.simd;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.KernelsFactory;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Offers {@link SimdKernels} when the Vector API will be fast here: HotSpot with C2 (the API is
 * intrinsified only by C2; elsewhere it is hundreds of times slower than scalar code), vectors of at
 * least 128 bits, and hardware FMA (without it {@code fma} falls back to a slow software path).
 */
public final class SimdKernelsFactory implements KernelsFactory {

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public Optional<String> unavailableReason() {
        if (SimdKernels.SPECIES.vectorBitSize() < 128) {
            return Optional.of("preferred float vector is only " + SimdKernels.SPECIES.vectorBitSize() + " bits");
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hotspot == null) {
            return Optional.of("not a HotSpot JVM, the Vector API may not be intrinsified");
        }
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return Optional.of("the JVM runs interpreted (-Xint)");
        }
        if (flag(hotspot, "TieredStopAtLevel").filter(level -> !level.equals("4")).isPresent()
                && flag(hotspot, "TieredCompilation").orElse("true").equals("true")) {
            return Optional.of("C2 is disabled (-XX:TieredStopAtLevel < 4)");
        }
        if (flag(hotspot, "UseFMA").orElse("false").equals("false")) {
            return Optional.of("no hardware FMA (-XX:-UseFMA or the CPU lacks it)");
        }
        return Optional.empty();
    }

    @Override
    public Kernels create() {
        return new SimdKernels();
    }

    @Override
    public String description() {
        return MachineShape.CURRENT.describe() + ", "
                + Integer.getInteger("vecgpt.threads", Runtime.getRuntime().availableProcessors()) + " threads";
    }

    private static Optional<String> flag(HotSpotDiagnosticMXBean hotspot, String name) {
        try {
            return Optional.of(hotspot.getVMOption(name).getValue());
        } catch (IllegalArgumentException noSuchFlag) {
            return Optional.empty();
        }
    }
}
