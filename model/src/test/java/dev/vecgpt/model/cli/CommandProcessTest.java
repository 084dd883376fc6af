package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a separate process, for what only a process shows: standard output full
 * ({@code /dev/full}) or closed by its reader, SIGTERM during each command, a small heap, and the launcher
 * in a directory whose name has spaces.
 */
class CommandProcessTest {

    @TempDir
    static Path dir;

    /** A small checkpoint with GPT-2's vocabulary (context 64): child processes load it in a moment. */
    private static String tiny;

    @org.junit.jupiter.api.BeforeAll
    static void writeCheckpoint() throws IOException {
        tiny = dev.vecgpt.model.TinyCheckpoint.write(Files.createDirectories(dir.resolve("tiny"))).toString();
    }

    private static final String TEXT = "Every effort moves you forward, one step at a time, and the quick brown fox "
            + "jumps over the lazy dog again and again.\n";

    /** {@code java ... Main args} on this test's class and module path (as the class path). */
    private static ProcessBuilder vecgpt(List<String> jvm, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "-Dvecgpt.warmup=false", "-cp", classPath()));
        command.addAll(jvm);
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static String classPath() {
        String modules = System.getProperty("jdk.module.path", "");
        String classes = System.getProperty("java.class.path", "");
        return modules.isEmpty() ? classes : classes.isEmpty() ? modules : modules + File.pathSeparator + classes;
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void assertNoTrace(String err) {
        assertFalse(err.contains("Exception") || err.contains("\tat ") || err.contains("Error:"), err);
    }

    @Test
    void aFullDiskIsAnErrorForScoreAndGenerate() throws Exception {
        Path text = Files.writeString(dir.resolve("full.txt"), TEXT);
        String[][] commands = {
                {"score", "--weights", tiny, "--window", "8", text.toString()},
                {"generate", "--weights", tiny, "--tokens", "2"},
                {"generate", "--weights", tiny, "--tokens", "2", "--json"},
        };
        for (String[] args : commands) {
            Process p = vecgpt(List.of(), args).redirectOutput(new File("/dev/full")).start();
            String err = read(p.getErrorStream());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), String.join(" ", args) + ": " + err);
            assertTrue(err.lines().anyMatch("vecgpt: cannot write to standard output: No space left on device"::equals),
                    err);
            assertNoTrace(err);
        }
    }

    /** {@code generate --tokens 100000 | head -c 60}: the generation stops at the closed pipe, quietly. */
    @Test
    void aClosedPipeStopsGenerationPromptly() throws Exception {
        Process p = vecgpt(List.of(), "generate", "--weights", tiny, "--tokens", "100000", "--plain").start();
        byte[] head = p.getInputStream().readNBytes(60);
        assertEquals(60, head.length);
        long closed = System.nanoTime();
        p.getInputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still generating after the reader left");
        double seconds = (System.nanoTime() - closed) / 1e9;
        String err = read(p.getErrorStream());
        assertEquals(Main.BROKEN_PIPE, p.exitValue(), err);
        assertFalse(err.contains("vecgpt:"), "quiet: " + err);
        assertNoTrace(err);
        assertTrue(seconds < 30, seconds + " s");
        System.out.printf("closed pipe: generation ended after %.2f s%n", seconds);
    }

    /** SIGTERM while each command runs: the process ends at once, with the signal's status and no trace. */
    @Test
    void sigtermEndsEachCommandPromptly() throws Exception {
        StringBuilder big = new StringBuilder();
        while (big.length() < 200_000) {
            big.append(TEXT);
        }
        Path text = Files.writeString(dir.resolve("big.txt"), big);
        String[][] commands = {
                {"generate", "--weights", tiny, "--tokens", "100000", "--plain"},
                {"score", "--weights", tiny, text.toString()},
                {"demo", "--threads", "1"},
        };
        for (String[] args : commands) {
            Path errors = dir.resolve("sigterm-" + args[0] + ".err"); // destroy() closes the process's pipes
            Process p = vecgpt(List.of(), args).redirectError(errors.toFile()).start();
            if (args[0].equals("demo")) {
                Thread.sleep(1000);
            } else {
                assertTrue(p.getInputStream().read() >= 0, "the command started its output");
            }
            long signalled = System.nanoTime();
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", args) + " did not end");
            double seconds = (System.nanoTime() - signalled) / 1e9;
            String err = Files.readString(errors);
            assertTrue(p.exitValue() == 143 || (args[0].equals("demo") && p.exitValue() == 0),
                    String.join(" ", args) + ": status " + p.exitValue() + " " + err);
            assertNoTrace(err);
            assertTrue(seconds < 10, String.join(" ", args) + ": " + seconds + " s");
            System.out.printf("SIGTERM during %s: ended after %.2f s%n", args[0], seconds);
        }
    }

    /**
     * 3 MB of one character class, no place to cut it without changing its ids: one line with a 256 MB heap,
     * before any model is built (nothing on standard output).
     */
    @Test
    void inputWithoutCutPointsIsRefusedInBoundedMemory() throws Exception {
        for (String unit : List.of("7", "a", " ")) {
            Path file = Files.writeString(dir.resolve("run.txt"), unit.repeat(3 << 20));
            long start = System.nanoTime();
            Process p = vecgpt(List.of("-Xmx256m"), "score", file.toString()).start();
            String out = read(p.getInputStream());
            String err = read(p.getErrorStream());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), err);
            assertEquals("", out);
            assertEquals(List.of("vecgpt: " + file + ": " + String.format("%,d", TextSource.MAX_UNCUT + TextSource.BLOCK)
                    + " characters without a place where GPT-2's tokenizer may be cut, from line 1, column 1 (one word, "
                    + "number, symbol run or run of white space that long); vecgpt tokenizes texts with such a place "
                    + "at least every 1,048,576 characters"), err.lines().filter(l -> l.startsWith("vecgpt")).toList());
            assertNoTrace(err);
            assertTrue((System.nanoTime() - start) / 1e9 < 60, "seconds: " + (System.nanoTime() - start) / 1e9);
        }
    }

    /** Standard input as -, as /dev/stdin, and a pipe (what {@code <(cat f)} names) are read. */
    @Test
    void standardInputAndPipesAreScored() throws Exception {
        Path text = Files.writeString(dir.resolve("in.txt"), TEXT);
        String expected = null;
        for (String input : List.of(text.toString(), "-", "/dev/stdin")) {
            Process p = vecgpt(List.of(), "score", "--weights", tiny, "--window", "8", "--json", input)
                    .redirectInput(text.toFile()).start();
            String out = read(p.getInputStream());
            String err = read(p.getErrorStream());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), input + ": " + err);
            String scores = out.substring(out.indexOf("\"tokens\""));
            expected = expected == null ? scores : expected;
            assertEquals(expected, scores, input);
        }
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                Files.writeString(fifo, TEXT);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Cli cli = Cli.run("score", "--weights", tiny, "--window", "8", "--json", fifo.toString());
        writer.join();
        assertEquals(0, cli.status(), cli.err());
        assertEquals(expected, cli.out().substring(cli.out().indexOf("\"tokens\"")));
    }

    /** The launcher quotes every path: a distribution in "a dir with spaces" runs. */
    @Test
    void theLauncherRunsFromADirectoryWithSpaces() throws Exception {
        Path home = Files.createDirectories(dir.resolve("a dir with spaces/vecgpt"));
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path lib = Files.createDirectories(home.resolve("lib"));
        Path launcher = Files.copy(Path.of("src/dist/bin/vecgpt"), bin.resolve("vecgpt"));
        launcher.toFile().setExecutable(true);
        Files.copy(Path.of("src/dist/lib/jit-directives.json"), lib.resolve("jit-directives.json"));
        // The distribution's lib/: our modules (exploded) and the three libraries it needs.
        int n = 0;
        for (String entry : classPath().split(File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName().toString();
            boolean ours = name.equals("classes") && Files.exists(path.resolve("module-info.class"));
            if (ours) { // copied: the JVM does not scan an exploded module behind a symbolic link
                Path module = lib.resolve("module" + n++);
                try (var files = Files.walk(path)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.copy(f, module.resolve(path.relativize(f).toString()));
                    }
                }
            } else if (name.matches("(jtokkit|jackson-core|picocli)-.*\\.jar")) {
                Files.createSymbolicLink(lib.resolve(name), path.toAbsolutePath());
            }
        }
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = read(p.getInputStream());
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertTrue(out.startsWith("vecgpt "), out + err);
        assertFalse(err.contains("Could not load file"), err);
    }
}
