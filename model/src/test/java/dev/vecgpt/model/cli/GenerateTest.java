package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Reference;
import dev.vecgpt.model.Sampling;
import java.nio.file.Path;
import java.util.List;
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
        Cli cli = Cli.run("generate", "--tokens", "2", "--format", "BF16", "Once upon a time");
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.err().matches("(?s).*model ready in [0-9.]+ s; first token after [0-9.]+ s; "
                + "2 new tokens in [0-9.]+ s: [0-9.]+ tokens/s\\n"), cli.err());
        assertFalse(cli.out().contains("tokens/s"), cli.out());
        assertTrue(cli.out().startsWith("Prompt: Once upon a time [7454, 2402, 257, 640]\n"), cli.out());
        assertTrue(cli.out().matches("(?s).*Output ids: \\[7454, 2402, 257, 640, \\d+, \\d+\\]\\n"), cli.out());
        assertFalse(cli.err().contains("\r"), "no progress bar when standard error is not a terminal");
    }

    @Test
    void optionsAreParsed() {
        GenerateCommand c = Cli.parse("generate", "--tokens", "5", "--seed", "9", "--format", "BF16", "--threads", "1",
                "Once upon");
        assertEquals(new Generate.Options("Once upon", null, 5, 9, WeightFormat.BF16, null, 1024, Sampling.greedy(), false, Generate.Mode.book, false),
                c.options());
        assertEquals(new Generate.Options("Hello, I am", null, 10, 123, WeightFormat.F32, null, 1024, Sampling.greedy(), false, Generate.Mode.book, false),
                Cli.<GenerateCommand>parse("generate").options());
        GenerateCommand sampled = Cli.parse("generate", "--temperature", "1.4", "--top-k", "25", "--top-p", "0.9",
                "--sample-seed", "7", "--stop-at-eos", "--context-length", "256", "--format", "Q8_0");
        assertEquals(new Generate.Options("Hello, I am", null, 10, 123, WeightFormat.Q8_0, null, 256,
                Sampling.random(1.4f, 7).withTopK(25).withTopP(0.9f), true, Generate.Mode.book, false), sampled.options());
    }

    @Test
    void weightsAreParsed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.safetensors");
        dev.vecgpt.core.io.Safetensors.write(file, java.util.Map.of(), java.util.Map.of());
        GenerateCommand c = Cli.parse("generate", "--weights", file.toString(), "Hi");
        assertEquals(new Generate.Options("Hi", null, 10, 123, WeightFormat.F32, file, 1024, Sampling.greedy(), false, Generate.Mode.book, false),
                c.options());
    }

    /** The book's chapter 5: the seeded model, then torch.manual_seed(123) and temperature 1.4, top-k 25. */
    @Test
    void samplesPyTorchsTokensAtContext256() {
        JsonNode oracle = null;
        for (JsonNode c : Reference.json("generate_oracle.json").get("cases")) {
            if (c.get("context_length").intValue() == 256 && c.get("temperature").doubleValue() == 1.4
                    && c.get("prompt").asText().equals("Every effort moves you") && c.get("sample_seed").intValue() == 123) {
                oracle = c;
            }
        }
        assertTrue(oracle != null, "the oracle has the book's case");
        int n = oracle.get("new_tokens").size();
        Cli cli = Cli.run("generate", "--context-length", "256", "--temperature", "1.4", "--top-k", "25",
                "--sample-seed", "123", "--tokens", String.valueOf(n), "Every effort moves you");
        assertEquals(0, cli.status(), cli.err());
        StringBuilder ids = new StringBuilder("Output ids: [6109, 3626, 6100, 345");
        oracle.get("new_tokens").forEach(t -> ids.append(", ").append(t.intValue()));
        assertTrue(cli.out().contains(ids + "]\n"), cli.out() + " lacks " + ids);
    }

    private static final String CONTINUATION = " Featureiman Byeswickattribute argue logger Normandy Compton analogous";

    @Test
    void plainPrintsTheContinuationOnlyAndJsonOneObject() {
        Cli plain = Cli.run("generate", "--plain");
        assertEquals(0, plain.status(), plain.err());
        assertEquals(CONTINUATION + "\n", plain.out());
        Cli json = Cli.run("generate", "--json");
        assertEquals(0, json.status(), json.err());
        assertEquals("{\"prompt\": \"Hello, I am\", \"prompt_ids\": [15496, 11, 314, 716], \"text\": \"" + CONTINUATION
                + "\", \"ids\": [27018, 24086, 47843, 30961, 42348, 7267, 49706, 43231, 47062, 34657]}\n", json.out());
        assertEquals(2, Cli.run("generate", "--plain", "--json").status());
    }

    @Test
    void thePromptCanComeFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("prompt.txt"), "Hello, I am");
        Cli cli = Cli.run("generate", "--plain", "--prompt-file", file.toString());
        assertEquals(0, cli.status(), cli.err());
        assertEquals(CONTINUATION + "\n", cli.out());
        Cli both = Cli.run("generate", "--prompt-file", file.toString(), "Hello");
        assertEquals(2, both.status());
        assertEquals("vecgpt: a PROMPT and --prompt-file: choose one (see 'vecgpt generate --help')\n", both.err());
        Cli missing = Cli.run("generate", "--prompt-file", dir.resolve("none.txt").toString());
        assertEquals("vecgpt: --prompt-file: no such file: " + dir.resolve("none.txt")
                + " (see 'vecgpt generate --help')\n", missing.err());
        Path latin1 = java.nio.file.Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xe9});
        Cli bad = Cli.run("generate", "--prompt-file", latin1.toString());
        assertEquals(1, bad.status());
        assertEquals("vecgpt: " + latin1 + " is not UTF-8 text: an invalid byte at offset 3\n", bad.err());
        assertEquals("", bad.out());
    }

    @Test
    void endOfTextInThePromptIsToken50256OrRefused() {
        Cli cli = Cli.run("generate", "--tokens", "1", "Hello <|endoftext|> world");
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.out().startsWith("Prompt: Hello <|endoftext|> world [15496, 220, 50256, 995]\n"), cli.out());
        Cli refused = Cli.run("generate", "--special-tokens", "refuse", "Hello <|endoftext|> world");
        assertEquals(1, refused.status());
        assertEquals("vecgpt: the prompt has <|endoftext|> at line 1, column 7 (--special-tokens refuse)\n",
                refused.err());
        assertEquals("", refused.out());
    }

    /** Below 1e-4 (and down to the smallest float), a temperature is greedy: the argmax, not NaN's token 0. */
    @Test
    void aTinyTemperatureIsGreedy() {
        for (String t : List.of("1e-40", "1e-5", "0")) {
            Cli cli = Cli.run("generate", "--plain", "--temperature", t);
            assertEquals(0, cli.status(), cli.err());
            assertEquals(CONTINUATION + "\n", cli.out(), t);
        }
        assertEquals(Sampling.greedy(), Cli.<GenerateCommand>parse("generate", "--temperature", "1e-40").options().sampling());
    }
}
