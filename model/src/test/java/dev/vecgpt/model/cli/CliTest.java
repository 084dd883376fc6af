package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help, version, and every bad command line: one line on standard error, status 2, no model built. */
class CliTest {

    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"--help", "demo --help", "generate --help", "help generate", "generate -h"})
    void helpGoesToStandardOutput(String args) {
        Cli cli = Cli.run(args.split(" "));
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.out().startsWith("Usage: vecgpt"), cli.out());
        assertEquals("", cli.err());
    }

    @Test
    void helpTextsShowOptionsAndDefaults() {
        String top = Cli.run("--help").out();
        assertTrue(top.contains("demo") && top.contains("generate") && top.contains("--version"), top);
        String generate = Cli.run("generate", "--help").out();
        for (String s : List.of("[PROMPT]", "--tokens=N", "Default: 10", "--seed=N", "Default: 123", "--format=FORMAT",
                "Q8_0", "--temperature=T", "--top-k=K", "--top-p=P", "--sample-seed=N", "--stop-at-eos",
                "--context-length=N", "--weights=FILE", "--threads=N", "Default: Hello, I am", "quote")) {
            assertTrue(generate.contains(s), s + " in\n" + generate);
        }
        String demo = Cli.run("demo", "--help").out();
        for (String s : List.of("[TEXT...]", "--eval", "--dropout-mode=MODE", "Default: x86-mkl", "--save-logits",
                "--threads=N", "--seed=N")) {
            assertTrue(demo.contains(s), s + " in\n" + demo);
        }
    }

    @Test
    void versionNamesTheProjectAndTheKernels() {
        Cli cli = Cli.run("--version");
        assertEquals(0, cli.status());
        assertTrue(cli.out().matches("(?s)vecgpt \\d+\\.\\d+\\.\\d+.*\\nvecgpt kernels: \\w+ \\(.*\\)\\nJava 25.*"),
                cli.out());
    }

    static Path notSafetensors() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "not a checkpoint at all");
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "bogus",
            "generate Hello there friend",
            "generate --tokens -3",
            "generate --tokens 0",
            "generate --tokens many",
            "generate --tokens",
            "generate --fast",
            "generate --seed x",
            "generate --threads 0",
            "generate --config gpt2",
            "generate --temperature -1",
            "generate --top-k 0",
            "generate --top-k 50258",
            "generate --top-p 0",
            "generate --top-p 1.5",
            "generate --context-length 2048",
            "generate --format F16",
            "generate --weights /no/such/model.safetensors",
            "generate --weights NOTES",
            "generate --weights DIR",
            "generate EMPTY",
            "demo --dropout-mode fast",
            "demo --seed",
            "demo --bogus",
            "demo --threads -1",
            "demo --save-logits /no/such/dir/logits.npy",
            "demo EMPTY",
    })
    void badArgumentsGetOneLineAndStatus2BeforeAnyModelIsBuilt(String line) throws IOException {
        String notes = notSafetensors().toString();
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        for (int i = 0; i < args.length; i++) {
            args[i] = switch (args[i]) {
                case "NOTES" -> notes;
                case "DIR" -> dir.toString();
                case "EMPTY" -> "";
                default -> args[i];
            };
        }
        int builds = Generate.BUILDS.get();
        Cli cli = Cli.run(args);
        assertEquals(2, cli.status(), line + ": " + cli.err());
        assertEquals("", cli.out(), line);
        List<String> lines = cli.err().lines().toList();
        assertEquals(1, lines.size(), line + ":\n" + cli.err());
        assertTrue(lines.get(0).startsWith("vecgpt: "), lines.get(0));
        assertFalse(cli.err().contains("Exception") || cli.err().contains("\tat "), cli.err());
        assertEquals(builds, Generate.BUILDS.get(), line + " built a model");
    }

    @Test
    void messagesSayWhatIsWrong() throws IOException {
        assertTrue(Cli.run("generate", "--weights", "/no/such/model.safetensors").err()
                .startsWith("vecgpt: no such file: /no/such/model.safetensors"));
        String notes = notSafetensors().toString();
        assertTrue(Cli.run("generate", "--weights", notes).err().startsWith("vecgpt: not a safetensors file: " + notes + " ("));
        // A directory is a model laid out as Hugging Face does: its model.safetensors is what is checked.
        Path model = Files.createDirectories(dir.resolve("a-model"));
        assertTrue(Cli.run("generate", "--weights", model.toString()).err()
                .startsWith("vecgpt: a directory without model.safetensors: " + model));
        Files.copy(notSafetensors(), model.resolve("model.safetensors"));
        assertTrue(Cli.run("generate", "--weights", model.toString()).err()
                .startsWith("vecgpt: not a safetensors file: " + model.resolve("model.safetensors") + " ("));
        assertTrue(Cli.run("generate", "--tokens", "-3").err().startsWith("vecgpt: --tokens -3: must be 1 to"));
        assertTrue(Cli.run("generate", "Hello", "there", "friend").err().contains("'there', 'friend'"));
        assertTrue(Cli.run("generate", "Hello", "there", "friend").err().contains("quote"));
        assertTrue(Cli.run("generate", "--fast").err().contains("Unknown option: '--fast'"));
        assertTrue(Cli.run("generate", "--temperature", "-1").err().startsWith("vecgpt: --temperature -1.0: must be 0 or more"));
        assertTrue(Cli.run("generate", "--top-k", "0").err().startsWith("vecgpt: --top-k 0: must be 1 to 50257"));
        assertTrue(Cli.run("generate", "--top-p", "1.5").err().startsWith("vecgpt: --top-p 1.5: must be in (0, 1]"));
    }

    @Test
    void aBadFileFoundLateIsOneLineWithStatus1() throws IOException {
        // Passes the quick look (length and '{'), fails the full header check when opened.
        Path file = dir.resolve("broken.safetensors");
        byte[] header = "{\"a\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(header.length).put(header);
        Files.write(file, bytes.array());
        Cli cli = Cli.run("generate", "--tokens", "1", "--weights", file.toString());
        assertEquals(1, cli.status(), cli.err());
        assertEquals("", cli.out(), "nothing on standard output before the model is loaded");
        List<String> lines = cli.err().lines().filter(l -> l.startsWith("vecgpt:")).toList();
        assertEquals(1, lines.size(), cli.err());
        assertTrue(lines.get(0).contains(file.toString()), lines.get(0));
        assertFalse(cli.err().contains("\tat "), cli.err());
    }
}
