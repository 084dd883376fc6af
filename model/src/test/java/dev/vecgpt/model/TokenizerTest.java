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
}
