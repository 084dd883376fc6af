package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.WeightFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GenerateTest {

    @Test
    void generatesTheBooksTokensAfterHelloIAm() {
        Cli cli = Cli.run("generate", "--threads", "1");
        assertEquals(0, cli.status(), cli.err());
        assertEquals("""
                Prompt: Hello, I am [15496, 11, 314, 716]
                Output text: Hello, I am Featureiman Byeswickattribute argue logger Normandy Compton analogous
                Output ids: [15496, 11, 314, 716, 27018, 24086, 47843, 30961, 42348, 7267, 49706, 43231, 47062, 34657]
                """, cli.out());
    }

    @Test
    void timingGoesToStandardErrorOnly() {
        Cli cli = Cli.run("generate", "--tokens", "2", "--bf16", "Once upon a time");
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.err().matches("(?s).*model ready in [0-9.]+ s; 2 new tokens in [0-9.]+ s: [0-9.]+ tokens/s\\n"),
                cli.err());
        assertFalse(cli.out().contains("tokens/s"), cli.out());
        assertTrue(cli.out().startsWith("Prompt: Once upon a time [7454, 2402, 257, 640]\n"), cli.out());
        assertTrue(cli.out().matches("(?s).*Output ids: \\[7454, 2402, 257, 640, \\d+, \\d+\\]\\n"), cli.out());
        assertFalse(cli.err().contains("\r"), "no progress bar when standard error is not a terminal");
    }

    @Test
    void optionsAreParsed() {
        GenerateCommand c = Cli.parse("generate", "--tokens", "5", "--seed", "9", "--bf16", "--threads", "1",
                "Once upon");
        assertEquals(new Generate.Options("Once upon", 5, 9, WeightFormat.BF16, null, "gpt2"), c.options());
        assertEquals(new Generate.Options("Hello, I am", 10, 123, WeightFormat.F32, null, "gpt2"),
                Cli.<GenerateCommand>parse("generate").options());
    }

    @Test
    void weightsAndConfigAreParsed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        dev.vecgpt.core.io.Safetensors.write(file, java.util.Map.of(), java.util.Map.of());
        GenerateCommand c = Cli.parse("generate", "--weights", file.toString(), "--config", "gpt2-xl", "Hi");
        assertEquals(new Generate.Options("Hi", 10, 123, WeightFormat.F32, file, "gpt2-xl"), c.options());
    }
}
