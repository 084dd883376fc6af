package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.Tensor;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link TierProbe} in a JVM of its own, with the kernels' classes and JVM options of a test's choosing. */
final class ProbeJvm {

    private ProbeJvm() {}

    /** The probe's JVM with {@code options} (and no {@code -Dvecgpt.vectorBits} unless among them). */
    static Process start(List<String> options) throws IOException, URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator,
                root(TierProbe.class), root(SimdKernels.class), root(Tensor.class));
        List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector",
                "-XX:+UseSerialGC", "-Xmx256m", "-cp", classPath));
        command.addAll(options);
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
}
