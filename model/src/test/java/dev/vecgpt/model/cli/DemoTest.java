package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.model.Reference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;
import org.junit.jupiter.api.io.TempDir;

/** The demo against the design notebook's printed output. */
class DemoTest {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+\\.\\d{4}");

    /** Standard output of {@code vecgpt demo ARGS}, which must succeed. */
    private static String run(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "demo";
        System.arraycopy(args, 0, command, 1, args.length);
        Cli cli = Cli.run(command);
        assertEquals(0, cli.status(), cli.err());
        return cli.out();
    }

    private static Demo.Options parse(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "demo";
        System.arraycopy(args, 0, command, 1, args.length);
        return Cli.<DemoCommand>parse(command).options();
    }

    /** The notebook's logits block: from "tensor([[[" to the closing "]]]". */
    private static String logitsBlock(String text) {
        int start = text.indexOf("tensor([[[");
        int end = text.indexOf("]]]", start);
        assertTrue(start >= 0 && end > start, "no logits tensor in:\n" + text);
        return text.substring(start, end + 3);
    }

    @Test
    void printsTheNotebooksIdsShapeAndFortyEightLogits() {
        String notebook = Reference.text("seed-notebook.txt");
        String ours = run();
        assertTrue(ours.contains("tensor([[6109, 3626, 6100,  345],\n        [6109, 1110, 6622,  257]])"), ours);
        assertTrue(ours.contains("Output shape: [2, 4, 50257]"), ours);

        List<String> expected = numbers(logitsBlock(notebook));
        assertEquals(48, expected.size(), "the notebook prints 48 logits");
        assertEquals(expected, numbers(logitsBlock(ours)));
        assertEquals(logitsBlock(notebook), logitsBlock(ours), "same layout as PyTorch's print");
    }

    @Test
    void evalPrintsPyTorchsEvalLogitsAndSavesThemAsNpy(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("logits.npy");
        String ours = run("--eval", "--save-logits", file.toString());
        float[] expected = Reference.floatsFromBits(Reference.json("dummy_gpt_seed123.json").get("eval_logits_corners").get("bits"));
        List<String> printed = numbers(logitsBlock(ours));
        for (int i = 0; i < 48; i++) {
            assertEquals(String.format(Locale.ROOT, "%.4f", new BigDecimal(expected[i])), printed.get(i), "value " + i);
        }
        assertTrue(ours.contains("Saved logits [2, 4, 50257] to " + file), ours);
        byte[] bytes = Files.readAllBytes(file);
        int header = 10 + (bytes[8] & 0xFF) + ((bytes[9] & 0xFF) << 8);
        assertEquals(header + 2L * 4 * 50257 * Float.BYTES, bytes.length);
        float first = ByteBuffer.wrap(bytes, header, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(printed.get(0), String.format(Locale.ROOT, "%.4f", new BigDecimal(first)));
        String numpy = numpyShape(file);
        if (numpy != null) { // checked where Python with NumPy is installed
            assertEquals("(2, 4, 50257) float32", numpy);
        }
    }

    /** What {@code np.load} says of the file, or null without a python3 that has NumPy. */
    private static String numpyShape(Path file) {
        try {
            Process p = new ProcessBuilder("python3", "-c",
                    "import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape, a.dtype)", file.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    @Test
    void optionsAreParsed() {
        Demo.Options o = parse("--eval", "--seed", "7", "--dropout-mode", "portable", "Hello", "world");
        assertTrue(o.eval());
        assertEquals(7, o.seed());
        assertEquals(Dropout.Mode.PORTABLE, o.dropoutMode());
        assertEquals(List.of("Hello", "world"), o.texts());
        assertEquals(Path.of("x.npy"), parse("--save-logits", "x.npy").saveLogits());
        assertEquals(WeightFormat.BF16, parse("--bf16").outHead());
        assertEquals(WeightFormat.F32, parse().outHead());
        assertEquals(Demo.NOTEBOOK_TEXTS, parse().texts());
        assertThrows(ParameterException.class, () -> parse("--dropout-mode", "fast"));
        assertThrows(ParameterException.class, () -> parse("--seed"));
        assertThrows(ParameterException.class, () -> parse("--bogus"));
    }

    @Test
    void textsOfDifferentLengthsAreARaggedBatch() {
        Cli cli = Cli.run("demo", "--eval", "Hello", "Hello, I am");
        assertEquals(1, cli.status());
        assertTrue(cli.err().contains("ragged batch"), cli.err());
        assertEquals(1, cli.err().lines().filter(l -> l.startsWith("vecgpt:")).count(), cli.err());
    }

    private static List<String> numbers(String block) {
        List<String> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(block);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
