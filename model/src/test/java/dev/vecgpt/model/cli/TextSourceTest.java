package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.model.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Texts read in pieces: the ids of the whole text, errors that say where. */
class TextSourceTest {

    private final Tokenizer tokenizer = new Tokenizer();

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }

    private int[] inPieces(byte[] bytes, boolean refuse) throws IOException {
        List<int[]> pieces = new ArrayList<>();
        TextSource.tokenize(new ByteArrayInputStream(bytes), "t", tokenizer, refuse, pieces::add, () -> { });
        return pieces.stream().flatMapToInt(Arrays::stream).toArray();
    }

    /**
     * Every place the rule allows a cut, in random texts of what GPT-2's pattern treats differently (letters,
     * digits, other numbers, runs of spaces, tabs, line breaks, no-break and other Unicode spaces,
     * contractions, apostrophes, punctuation, combining marks, characters outside the BMP, the end-of-text
     * mark): the two parts tokenize to the whole text's ids.
     */
    @Test
    void everyCutKeepsTheWholeTextsIds() {
        String[] units = {"a", "Z", "é", "e\u0301", "漢", "7", "42", "²", "Ⅻ", " ", "  ", "\t", "\n", "\r\n", "\u00a0",
                "\u2003", "'", "'s", "'ll", "'S", "!", "?!", ",", "-", "😀", "𝔘", "<|endoftext|>", "<|", "|>", "\u200b",
                "\u0000", "_", "$", "word", " word", "Word's"};
        SplittableRandom random = new SplittableRandom(7);
        int cuts = 0;
        for (int t = 0; t < 5000; t++) {
            StringBuilder text = new StringBuilder();
            int n = 1 + random.nextInt(12);
            for (int k = 0; k < n; k++) {
                text.append(units[random.nextInt(units.length)]);
            }
            String s = text.toString();
            int[] whole = tokenizer.encode(s);
            for (int i = 1; i < s.length(); i++) {
                if (TextSource.isCut(s, i)) {
                    cuts++;
                    assertArrayEquals(whole, concat(tokenizer.encode(s.substring(0, i)), tokenizer.encode(s.substring(i))),
                            "cut at " + i + " of " + s.replace("\n", "\\n"));
                }
            }
        }
        assertTrue(cuts > 10_000, cuts + " cuts tried");
    }

    /** A text of several blocks on one line (no line breaks at all) is cut between words, with the whole text's ids. */
    @Test
    void aLongLineIsCutBetweenWords() throws IOException {
        StringBuilder text = new StringBuilder();
        String sentence = "Every effort moves you, the 2 quick brown foxes' den — naïve café ½ <|endoftext|> 漢字! ";
        while (text.length() <= 2 * TextSource.BLOCK) {
            text.append(sentence);
        }
        List<int[]> pieces = new ArrayList<>();
        int[] blocks = {0};
        TextSource.tokenize(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)), "t", tokenizer,
                false, pieces::add, () -> blocks[0]++);
        assertTrue(pieces.size() >= 3, pieces.size() + " pieces");
        assertArrayEquals(tokenizer.encode(text.toString()), pieces.stream().flatMapToInt(Arrays::stream).toArray());
    }

    @Test
    void aRefusedMarkIsNamedByLineAndColumn() throws IOException {
        byte[] text = "first line\nsecond <|endoftext|> line\n".getBytes(StandardCharsets.UTF_8);
        var e = assertThrows(IllegalArgumentException.class, () -> inPieces(text, true));
        assertEquals("t has <|endoftext|> at line 2, column 8 (--special-tokens refuse)", e.getMessage());
        assertEquals(Tokenizer.END_OF_TEXT, inPieces(text, false)[5]);
    }

    @Test
    void aByteThatIsNotUtf8IsNamedByItsOffset() {
        byte[] latin1 = "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("t is not UTF-8 text: an invalid byte at offset 3",
                assertThrows(IllegalArgumentException.class, () -> inPieces(latin1, false)).getMessage());
        byte[] late = new byte[TextSource.BLOCK + 10];
        Arrays.fill(late, (byte) 'x');
        late[TextSource.BLOCK + 5] = (byte) 0xff;
        assertEquals(String.format("t is not UTF-8 text: an invalid byte at offset %,d", TextSource.BLOCK + 5),
                assertThrows(IllegalArgumentException.class, () -> inPieces(late, false)).getMessage());
        byte[] cutShort = Arrays.copyOf("ab€".getBytes(StandardCharsets.UTF_8), 4); // € is 3 bytes; 2 kept
        assertEquals("t is not UTF-8 text: an invalid byte at offset 2",
                assertThrows(IllegalArgumentException.class, () -> inPieces(cutShort, false)).getMessage());
    }
}
