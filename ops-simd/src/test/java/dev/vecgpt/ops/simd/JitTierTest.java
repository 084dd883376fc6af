package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecgpt.core.Tensor;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator,
                root(TierProbe.class), root(SimdKernels.class), root(Tensor.class));
        List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", mode,
                "-XX:+UseSerialGC", "-Xmx256m", "-cp", classPath));
        // The same vector width as here: the sums' lane order depends on it.
        String bits = System.getProperty("vecgpt.vectorBits");
        if (bits != null) {
            command.add("-Dvecgpt.vectorBits=" + bits);
        }
        command.add(TierProbe.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(false).start();
    }

    /** The class-path entry (directory or jar) that holds {@code type}. */
    private static String root(Class<?> type) throws URISyntaxException {
        String file = type.getName().replace('.', '/') + ".class";
        URL url = type.getClassLoader().getResource(file);
        if (url == null) {
            url = type.getResource("/" + file);
        }
        assertTrue(url != null, "cannot locate " + file);
        String spec = url.toString();
        if (spec.startsWith("jar:")) {
            return Path.of(URI.create(spec.substring(4, spec.indexOf("!/")))).toString();
        }
        Path path = Path.of(url.toURI());
        for (int i = 0; i < type.getName().split("\\.").length; i++) {
            path = path.getParent();
        }
        return path.toString();
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
