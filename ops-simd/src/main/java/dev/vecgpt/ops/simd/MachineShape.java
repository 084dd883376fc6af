package dev.vecgpt.ops.simd;

import java.util.Locale;
import jdk.incubator.vector.FloatVector;

/**
 * What the kernels take from the machine they run on, decided once at start-up and logged in the
 * kernel line: the vector width (the preferred species, or {@code -Dvecgpt.vectorBits}), how many
 * vector registers the instruction set has, and from that the matmul's register tile. A tile of
 * {@code rows × 4} accumulators needs {@code 4·rows + 4 + 1} registers (accumulators, one panel row
 * of weights, one broadcast x): 4 rows (21) fit AVX-512's and NEON/SVE's 32 registers, 2 rows (13)
 * AVX2's 16. {@code -Dvecgpt.tileRows=1|2|4} overrides the choice, to measure.
 */
record MachineShape(String arch, int vectorBits, int lanes, int registers, int tileRows) {

    static final MachineShape CURRENT = detect();

    static MachineShape detect() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        int bits = SimdKernels.SPECIES.vectorBitSize();
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        // x86: 32 registers only with AVX-512 (which HotSpot uses for 512-bit vectors); aarch64 has 32.
        int registers = x86 ? (bits >= 512 ? 32 : 16) : arch.equals("aarch64") ? 32 : 16;
        int rows = registers >= 32 ? 4 : 2;
        String forced = System.getProperty("vecgpt.tileRows");
        if (forced != null) {
            rows = switch (forced.trim()) {
                case "1" -> 1;
                case "2" -> 2;
                case "4" -> 4;
                default -> throw new IllegalArgumentException("-Dvecgpt.tileRows=" + forced + ": use 1, 2 or 4");
            };
        }
        return new MachineShape(arch, bits, SimdKernels.SPECIES.length(), registers, rows);
    }

    /**
     * For the kernel line, e.g. "FloatVector 512-bit, 16 lanes, 32 vector registers (amd64): matmul tile 4x64",
     * with "(-Dvecgpt.vectorBits; preferred 512)" after the width when it is not the preferred one.
     */
    String describe() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return "FloatVector " + vectorBits + "-bit" + (vectorBits == preferred ? "" : " (-Dvecgpt.vectorBits; preferred "
                + preferred + ")") + ", " + lanes + " lanes, " + registers + " vector registers (" + arch
                + "): matmul tile " + tileRows + "x" + Panels.WIDTH;
    }
}
