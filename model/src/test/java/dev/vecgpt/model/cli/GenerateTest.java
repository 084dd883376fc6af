package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.WeightFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GenerateTest {

    @Test
    void generatesTenTokensAfterHelloIAm() throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Generate.run(Generate.Options.parse("--tokens", "3"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Prompt: Hello, I am [15496, 11, 314, 716]"), out);
        assertTrue(out.matches("(?s).*Output ids: \\[15496, 11, 314, 716, \\d+, \\d+, \\d+\\].*"), out);
        assertTrue(out.contains("Output text: Hello, I am"), out);
        assertTrue(out.contains("3 new tokens in"), out);
    }

    @Test
    void optionsAreParsed() {
        Generate.Options o = Generate.Options.parse("--tokens", "5", "--seed", "9", "--bf16", "Once upon");
        assertEquals(new Generate.Options("Once upon", 5, 9, WeightFormat.BF16, null, "gpt2"), o);
        assertEquals(new Generate.Options("Hello, I am", 10, 123, WeightFormat.F32, null, "gpt2"), Generate.Options.parse());
        assertEquals(new Generate.Options("Hi", 10, 123, WeightFormat.F32, java.nio.file.Path.of("m.safetensors"),
                "gpt2-xl"), Generate.Options.parse("--weights", "m.safetensors", "--config", "gpt2-xl", "Hi"));
        assertThrows(IllegalArgumentException.class, () -> Generate.Options.parse("--config", "gpt5"));
        assertThrows(IllegalArgumentException.class, () -> Generate.Options.parse("--fast"));
        assertThrows(NumberFormatException.class, () -> Generate.Options.parse("--tokens", "many"));
    }
}
