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
        Cli cli = Cli.run("score", "--context-length", "256", "--json", file.toString());
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
        Cli json = Cli.run("score", "--context-length", "16", "--window", "8", "--lines", "--json",
                file.toString());
        assertEquals(0, json.status(), json.err());
        List<String> lines = json.out().lines().toList();
        assertEquals(2, lines.size(), json.out());
        assertEquals(file + ":1", new ObjectMapper().readTree(lines.get(0)).get("input").asText());
        assertEquals(file + ":3", new ObjectMapper().readTree(lines.get(1)).get("input").asText());
        Cli table = Cli.run("score", "--context-length", "16", "--window", "8", "--lines", file.toString());
        assertEquals(0, table.status(), table.err());
        assertTrue(table.out().lines().anyMatch(l -> l.endsWith("(all 2 scored, per target)")), table.out());
        assertFalse(table.out().contains("tokens/s") || table.out().contains("kernels"), "stdout is results only");
    }

    @Test
    void jsonLinesAreScoredByTheirTextField() throws IOException {
        Path file = write("docs.jsonl", "{\"id\": 1, \"text\": \"Every effort moves you forward, one step at a time.\"}\n"
                + "{\"body\": {\"x\": [1]}, \"text\": \"The quick brown fox jumps over the lazy dog again.\"}\n");
        Cli cli = Cli.run("score", "--context-length", "16", "--window", "8", "--jsonl", "--json", file.toString());
        assertEquals(0, cli.status(), cli.err());
        List<String> lines = cli.out().lines().toList();
        assertEquals(2, lines.size(), cli.out());
        Cli plain = Cli.run("score", "--context-length", "16", "--window", "8", "--lines", "--json",
                write("plain.txt", "Every effort moves you forward, one step at a time.\n").toString());
        assertEquals(new ObjectMapper().readTree(plain.out()).get("cross_entropy"),
                new ObjectMapper().readTree(lines.get(0)).get("cross_entropy"), "the field's text, scored as plain text");
        Cli bad = Cli.run("score", "--jsonl", "--context-length", "16", "--window", "8",
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
                {"1", latin1 + " is not UTF-8 text: an invalid byte at offset 3", "score", latin1.toString()},
                {"1", "tiny.txt has 3 tokens; scoring needs at least 1025", "score", tiny.toString()},
                {"1", "empty.txt has 0 tokens", "score", empty.toString()},
                {"2", "no such file: /no/such.txt", "score", "/no/such.txt"},
                {"2", "--stride 0: must be 1 or more", "score", "--stride", "0", tiny.toString()},
                {"2", "--context-length 2000: must be 1 to 1024", "score", "--context-length", "2000", tiny.toString()},
                {"2", "--window 2000: must be 1 to 1024", "score", "--window", "2000", tiny.toString()},
                {"2", "--model-context is no longer an option: the model's context is --context-length (as in generate), "
                        + "the scoring window --window", "score", "--model-context", "256", tiny.toString()},
                {"2", "is a directory: " + dir, "score", dir.toString()},
                {"2", "--field title is for --jsonl inputs", "score", "--field", "title", tiny.toString()},
                {"2", "--lines and --jsonl: choose one", "score", "--lines", "--jsonl", tiny.toString()},
                {"2", "--special-tokens", "score", "--special-tokens", "maybe", tiny.toString()},
                {"2", "--window 32 is longer than the model's context, 16", "score", "--context-length", "16", "--window", "32",
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
                false, pieces::add, () -> blocks[0]++);
        assertTrue(pieces.size() >= 3, pieces.size() + " pieces");
        assertEquals(3, blocks[0]);
        assertArrayEquals(tokenizer.encode(text.toString()),
                pieces.stream().flatMapToInt(java.util.Arrays::stream).toArray());
    }

    /**
     * The book's chapter 5: the seeded model with GPT_CONFIG_124M's context_length of 256, and its validation
     * loss over the last 10 % of "The Verdict" (characters from 18,431 on), 10.98111.
     */
    @Test
    void theBooksValidationLossWithContextLength256() throws IOException {
        Path file = write("verdict-val.txt", Reference.text("score/verdict-val.txt"));
        Cli cli = Cli.run("score", "--context-length", "256", "--seed", "123", file.toString());
        assertEquals(0, cli.status(), cli.err());
        List<String> lines = cli.out().lines().toList();
        assertEquals("    tokens    targets  cross-entropy     perplexity  input", lines.get(0));
        String[] row = lines.get(1).trim().split(" +");
        assertEquals(List.of("534", "512"), List.of(row[0], row[1]), lines.get(1));
        assertEquals(10.98111, Double.parseDouble(row[2]), 1e-5, lines.get(1));
        assertEquals(file.toString(), row[4]);
    }

    @Test
    void aLineTooShortForAWindowIsARowOfItsOwn() throws IOException {
        Path file = write("short-lines.txt", "Every effort moves you forward, one step at a time.\nToo short.\n"
                + "The quick brown fox jumps over the lazy dog again and again.\n");
        Cli table = Cli.run("score", "--context-length", "16", "--window", "8", "--lines", file.toString());
        assertEquals(0, table.status(), table.err());
        List<String> lines = table.out().lines().toList();
        assertEquals(5, lines.size(), table.out());
        assertEquals("                                   -              -  " + file + ":2 (not scored: has 3 tokens; "
                + "scoring needs at least 9 (a window of 8 and its next token))", lines.get(2));
        assertTrue(lines.get(4).endsWith("(all 2 scored, per target)"), lines.get(4));
        Cli json = Cli.run("score", "--context-length", "16", "--window", "8", "--lines", "--json", file.toString());
        assertEquals("{\"input\": \"" + file + ":2\", \"error\": \"has 3 tokens; scoring needs at least 9 (a window "
                + "of 8 and its next token)\"}", json.out().lines().toList().get(1));
        Cli none = Cli.run("score", "--context-length", "16", "--window", "8", "--lines",
                write("all-short.txt", "Too short.\nAlso short.\n").toString());
        assertEquals(1, none.status());
        assertEquals("vecgpt: no text to score: every one is shorter than a window of 8 and its next token\n",
                none.err());
    }

    @Test
    void jsonlTakesTheFileAndFieldNamesTheText() throws IOException {
        Path file = write("titled.jsonl", "{\"title\": \"Every effort moves you forward, one step at a time.\"}\n");
        Cli natural = Cli.run("score", "--context-length", "16", "--window", "8", "--jsonl", "--field", "title",
                "--json", file.toString());
        assertEquals(0, natural.status(), natural.err());
        assertTrue(natural.out().startsWith("{\"input\": \"" + file + ":1\", \"tokens\": 12, \"targets\": 8, "),
                natural.out());
        Cli noField = Cli.run("score", "--context-length", "16", "--window", "8", "--jsonl", file.toString());
        assertEquals(1, noField.status());
        assertEquals("vecgpt: " + file + ":1 has no \"text\" field\n", noField.err());
    }

    @Test
    void aStrideLongerThanTheWindowIsNotedAndTargetsAreCounted() throws IOException {
        Path file = write("stride.txt", Reference.text("score/long.txt"));
        Cli cli = Cli.run("score", "--context-length", "16", "--window", "8", "--stride", "20", "--json",
                file.toString());
        assertEquals(0, cli.status(), cli.err());
        assertTrue(cli.err().lines().anyMatch(("vecgpt: note: --stride 20 is longer than the window, 8: 12 tokens "
                + "after each window are not scored")::equals), cli.err());
        JsonNode row = new ObjectMapper().readTree(cli.out());
        long tokens = row.get("tokens").longValue();
        assertEquals(1279, tokens);
        assertEquals(8 * ((tokens - 8 - 1) / 20 + 1), row.get("targets").longValue()); // i = 0, 20, ... while i < n - 8
    }

    @Test
    void endOfTextIsAToken() throws IOException {
        Path file = write("eot.txt", "Every effort moves you forward.<|endoftext|>The quick brown fox jumps.\n");
        Cli allowed = Cli.run("score", "--context-length", "16", "--window", "8", "--json", file.toString());
        assertEquals(0, allowed.status(), allowed.err());
        assertEquals(new Tokenizer().encode(Files.readString(file)).length,
                new ObjectMapper().readTree(allowed.out()).get("tokens").intValue());
        Cli refused = Cli.run("score", "--context-length", "16", "--window", "8", "--special-tokens", "refuse",
                file.toString());
        assertEquals(1, refused.status());
        assertEquals("vecgpt: " + file + " has <|endoftext|> at line 1, column 32 (--special-tokens refuse)\n",
                refused.err());
        assertEquals("", refused.out());
        Path lines = write("eot-lines.jsonl", "{\"text\": \"fine text for a window of eight tokens or more\"}\n"
                + "{\"text\": \"a <|endoftext|> in the second document, long enough\"}\n");
        Cli jsonl = Cli.run("score", "--context-length", "16", "--window", "8", "--jsonl", "--special-tokens", "refuse",
                lines.toString());
        assertEquals("vecgpt: " + lines + ":2 has <|endoftext|> at line 1, column 3 (--special-tokens refuse)\n",
                jsonl.err());
    }
}
