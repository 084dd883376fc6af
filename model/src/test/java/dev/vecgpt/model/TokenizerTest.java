package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenizerTest {

    private final Tokenizer tokenizer = new Tokenizer();

    @Test
    void theNotebooksTwoTexts() {
        int[][] ids = tokenizer.encodeBatch(List.of("Every effort moves you", "Every day holds a"));
        assertArrayEquals(new int[][] {{6109, 3626, 6100, 345}, {6109, 1110, 6622, 257}}, ids);
    }

    @Test
    void helloIAm() {
        assertArrayEquals(new int[] {15496, 11, 314, 716}, tokenizer.encode("Hello, I am"));
    }

    @Test
    void decodeInvertsEncode() {
        String text = "Every effort moves you — even ünïcödé and   spaces\n";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
    }

    @Test
    void streamedTextHoldsSplitCharactersUntilTheyAreWhole() {
        String text = "a 😀 émoji, 漢字 and — dashes";
        int[] ids = tokenizer.encode(text);
        List<String> pieces = new ArrayList<>();
        var stream = tokenizer.textTo(pieces::add);
        for (int id : ids) {
            stream.accept(id);
        }
        assertEquals(text, String.join("", pieces));
        assertTrue(pieces.stream().noneMatch(p -> p.contains("\uFFFD")), pieces.toString());
        assertTrue(ids.length > pieces.size(), "some tokens end inside a character: " + ids.length + " tokens");
    }

    @Test
    void emptyTextHasNoTokens() {
        assertEquals(0, tokenizer.encode("").length);
    }

    /** The book's example (chapter 2), encoded with allowed_special={"<|endoftext|>"}. */
    @Test
    void endOfTextInATextIsToken50256AsTheBookEncodesIt() {
        assertArrayEquals(new int[] {15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114,
                        286, 617, 34680, 27271, 13},
                tokenizer.encode("Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."));
        assertArrayEquals(new int[] {50256}, tokenizer.encode("<|endoftext|>"));
        assertArrayEquals(new int[] {50256, 50256}, tokenizer.encode("<|endoftext|><|endoftext|>"));
        assertEquals("Hello, I am<|endoftext|>Hello, I am", tokenizer.decode(tokenizer.encode("Hello, I am<|endoftext|>Hello, I am")));
    }

    /** As tiktoken does: the text on each side of a mark is encoded on its own, so no token spans a mark. */
    @Test
    void textOnEachSideOfAMarkIsEncodedOnItsOwn() {
        String[][] sides = {{"Hello, I am", " Every effort moves you"}, {"tea", "s"}, {"  ", "\n\nx"}, {"", "a"},
                {"Hello, do you like tea? ", " In the sunlit"}, {"<|endoftext", "|>"}};
        for (String[] s : sides) {
            int[] left = tokenizer.encode(s[0]);
            int[] right = tokenizer.encode(s[1]);
            int[] expected = java.util.stream.IntStream.concat(java.util.stream.IntStream.concat(
                    java.util.Arrays.stream(left), java.util.stream.IntStream.of(Tokenizer.END_OF_TEXT)),
                    java.util.Arrays.stream(right)).toArray();
            assertArrayEquals(expected, tokenizer.encode(s[0] + "<|endoftext|>" + s[1]), s[0] + " | " + s[1]);
        }
        // Not the mark: partial or differently written marks are ordinary text.
        for (String text : List.of("<|endoftext|", "<|endoftext >", "<|ENDOFTEXT|>", "<| endoftext|>")) {
            assertTrue(java.util.Arrays.stream(tokenizer.encode(text)).noneMatch(id -> id == Tokenizer.END_OF_TEXT), text);
        }
    }
}
