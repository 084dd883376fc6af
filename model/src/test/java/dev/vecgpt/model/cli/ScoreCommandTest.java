package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgpt.model.Reference;
import dev.vecgpt.model.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vecgpt score}: PyTorch's cross-entropy for the book's seeded model, per line as JSON, bad inputs. */
class ScoreCommandTest {

    @TempDir
    static Path dir;

    private static Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void scoresAsPyTorchDoesAtTheBooksContextOf256() throws IOException {
        JsonNode expected = null;
        for (JsonNode c : Reference.json("score_oracle.json").get("cases")) {
            if (c.get("text").asText().equals("long.txt") && c.get("context_length").intValue() == 256
                    && c.get("stride").intValue() == 256) {
                expected = c;
            }
        }
        assertTrue(expected != null, "the oracle has long.txt at 256");
        Path file = write("long.txt", Reference.text("score/long.txt"));
        Cli cli = Cli.run("score", "--model-context", "256", "--json", file.toString());
        assertEquals(0, cli.status(), cli.err());
        JsonNode result = new ObjectMapper().readTree(cli.out());
        assertEquals(file.toString(), result.get("input").asText());
        assertEquals(1279, result.get("tokens").intValue());
        double ce = expected.get("cross_entropy").doubleValue();
        assertEquals(ce, result.get("cross_entropy").doubleValue(), 1e-5 * ce);
    }

    @Test
    void eachLineIsATextOfItsOwnAndTheTableHasATotal() throws IOException {
        Path file = write("lines.txt", "Every effort moves you forward, one step at a time.\n\n"
                + "The quick brown fox jumps over the lazy dog again and again.\n");
        Cli json = Cli.run("score", "--model-context", "16", "--context-length", "8", "--lines", "--json",
                file.toString());
        assertEquals(0, json.status(), json.err());
        List<String> lines = json.out().lines().toList();
        assertEquals(2, lines.size(), json.out());
        assertEquals(file + ":1", new ObjectMapper().readTree(lines.get(0)).get("input").asText());
        assertEquals(file + ":3", new ObjectMapper().readTree(lines.get(1)).get("input").asText());
        Cli table = Cli.run("score", "--model-context", "16", "--context-length", "8", "--lines", file.toString());
        assertEquals(0, table.status(), table.err());
        assertTrue(table.out().lines().anyMatch(l -> l.endsWith("(all 2, per target)")), table.out());
        assertFalse(table.out().contains("tokens/s") || table.out().contains("kernels"), "stdout is results only");
    }

    @Test
    void jsonLinesAreScoredByTheirTextField() throws IOException {
        Path file = write("docs.jsonl", "{\"id\": 1, \"text\": \"Every effort moves you forward, one step at a time.\"}\n"
                + "{\"body\": {\"x\": [1]}, \"text\": \"The quick brown fox jumps over the lazy dog again.\"}\n");
        Cli cli = Cli.run("score", "--model-context", "16", "--context-length", "8", "--jsonl", "--json", file.toString());
        assertEquals(0, cli.status(), cli.err());
        List<String> lines = cli.out().lines().toList();
        assertEquals(2, lines.size(), cli.out());
        Cli plain = Cli.run("score", "--model-context", "16", "--context-length", "8", "--lines", "--json",
                write("plain.txt", "Every effort moves you forward, one step at a time.\n").toString());
        assertEquals(new ObjectMapper().readTree(plain.out()).get("cross_entropy"),
                new ObjectMapper().readTree(lines.get(0)).get("cross_entropy"), "the field's text, scored as plain text");
        Cli bad = Cli.run("score", "--jsonl", "--model-context", "16", "--context-length", "8",
                write("bad.jsonl", "{\"text\": \"fine enough text for a window of eight tokens\"}\n{\"title\": 3}\n").toString());
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("bad.jsonl:2 has no \"text\" field"), bad.err());
    }

    @Test
    void badInputsGetOneLineBeforeAnyModelIsBuilt() throws IOException {
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        Path tiny = write("tiny.txt", "Too short.");
        Path empty = write("empty.txt", "");
        String[][] cases = {
                {"1", "is not UTF-8 text", "score", latin1.toString()},
                {"1", "tiny.txt has 3 tokens; scoring needs at least 1025", "score", tiny.toString()},
                {"1", "empty.txt has 0 tokens", "score", empty.toString()},
                {"2", "no such file: /no/such.txt", "score", "/no/such.txt"},
                {"2", "--stride 0: must be 1 or more", "score", "--stride", "0", tiny.toString()},
                {"2", "--context-length 2000: must be 1 to 1024", "score", "--context-length", "2000", tiny.toString()},
                {"2", "is longer than the model's context, 16", "score", "--model-context", "16", "--context-length", "32",
                        tiny.toString()},
                {"2", "Missing required parameter: 'FILE'", "score"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 2, c.length);
            Cli cli = Cli.run(args);
            assertEquals(Integer.parseInt(c[0]), cli.status(), String.join(" ", args) + ": " + cli.err());
            assertEquals(1, cli.err().lines().filter(l -> l.startsWith("vecgpt: ")).count(), cli.err());
            assertTrue(cli.err().contains(c[1]), cli.err() + " lacks " + c[1]);
            assertFalse(cli.err().contains("kernels:"), "no model was built: " + cli.err());
            assertEquals("", cli.out());
        }
    }

    /** A text over several blocks, cut where lines start with a letter, tokenizes as the whole text does. */
    @Test
    void piecesTokenizeAsTheWholeText() throws IOException {
        StringBuilder text = new StringBuilder();
        String paragraph = Reference.text("score/long.txt");
        while (text.length() <= 2 * TextSource.BLOCK) {
            text.append(paragraph).append("\n\n  indented\n\t\nNext line\nand one more.\n");
        }
        Tokenizer tokenizer = new Tokenizer();
        List<int[]> pieces = new ArrayList<>();
        int[] blocks = {0};
        TextSource.tokenize(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)), "t", tokenizer,
                pieces::add, () -> blocks[0]++);
        assertTrue(pieces.size() >= 3, pieces.size() + " pieces");
        assertEquals(3, blocks[0]);
        assertArrayEquals(tokenizer.encode(text.toString()),
                pieces.stream().flatMapToInt(java.util.Arrays::stream).toArray());
    }
}
