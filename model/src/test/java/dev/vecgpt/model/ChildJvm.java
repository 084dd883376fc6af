package dev.vecgpt.model;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a {@code main} of the test classes in a JVM of its own, on the class path (every jar and class
 * directory of this test run), so that a crash of that JVM is seen as one: an exit status of 128 + the
 * signal and an {@code hs_err} file, where an in-process test would take the test run down with it.
 */
record ChildJvm(int status, String out, String err, boolean crashed) {

    /** Runs {@code mainClass} with {@code jvmOptions} and {@code args} in {@code dir} (where an hs_err file would go). */
    static ChildJvm run(Path dir, List<String> jvmOptions, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-Xmx512m", "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-cp", classPath(),
                mainClass.getName()));
        command.addAll(Arrays.asList(args));
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not end in 120 s: " + command);
        }
        boolean crashed;
        try (Stream<Path> files = Files.list(dir)) {
            crashed = files.anyMatch(f -> f.getFileName().toString().startsWith("hs_err"));
        }
        return new ChildJvm(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), crashed);
    }

    /** This test run's module path and class path, as one class path. */
    private static String classPath() {
        return Stream.of(System.getProperty("jdk.module.path", ""), System.getProperty("java.class.path", ""))
                .flatMap(p -> Arrays.stream(p.split(File.pathSeparator)))
                .filter(p -> !p.isEmpty())
                .distinct()
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Override
    public String toString() {
        return "exit " + status + (crashed ? " (crashed: hs_err file)" : "") + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}
