package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The transformer kernels give the same bits in every JIT tier: {@link TierProbe}'s digests from a
 * JVM that only interprets ({@code -Xint}) and from one that stops at C1 equal those of this JVM,
 * where the same calls have run long enough for C2 to compile them. This is what rules out
 * {@code reduceLanes(ADD)} and {@code lanewise(EXP/TANH)}: their interpreted and C2 forms differ.
 */
class JitTierTest {

    @Test
    void interpreterC1AndC2GiveTheSameBits() throws Exception {
        Process interpreted = start("-Xint");
        Process c1 = start("-XX:TieredStopAtLevel=1");
        SimdKernels kernels = new SimdKernels(1);
        String compiled = normalized(TierProbe.digests(kernels));
        // Enough calls for C2 to compile the kernels' loops; the last digests are then C2's.
        for (int i = 0; i < 3000; i++) {
            assertEquals(compiled, normalized(TierProbe.digests(kernels)), "in-process call " + i);
        }
        assertEquals(compiled, output(interpreted, "-Xint"), "interpreter only (-Xint) vs C2");
        assertEquals(compiled, output(c1, "-XX:TieredStopAtLevel=1"), "C1 only vs C2");
    }

    private static Process start(String mode) throws IOException, URISyntaxException {
        List<String> options = new ArrayList<>(List.of(mode));
        // The same vector width as here: the sums' lane order depends on it.
        String bits = System.getProperty("vecgpt.vectorBits");
        if (bits != null) {
            options.add("-Dvecgpt.vectorBits=" + bits);
        }
        return ProbeJvm.start(options);
    }

    private static String output(Process process, String mode) throws Exception {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the " + mode + " JVM did not finish within 120 s");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            fail("the " + mode + " JVM exited with " + process.exitValue() + ":\n" + err);
        }
        return normalized(out);
    }

    private static String normalized(String lines) {
        return lines.replace(System.lineSeparator(), "\n").strip();
    }
}
