package dev.vecgpt.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.model.Reference;
import dev.vecgpt.model.Tokenizer;
import org.junit.jupiter.api.Test;

class TrainingTextTest {

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    /** The ids the PyTorch oracles were made from are what the split and the tokenizer give. */
    @Test
    void theVerdictSplitsAsTheBooksDoes() {
        String text = Reference.text("training/the-verdict.txt");
        JsonNode ids = Reference.json("training/verdict_ids.json");
        Tokenizer tok = new Tokenizer();
        assertEquals(18431, TrainingText.splitIndex(text, 0.9)); // int(0.9 * 20479)
        assertArrayEquals(ints(ids.get("train")), TrainingText.encode(tok, TrainingText.trainingPart(text)));
        assertArrayEquals(ints(ids.get("val")), TrainingText.encode(tok, TrainingText.validationPart(text)));
    }

    @Test
    void splitCountsCodePointsAndEndOfTextIsOneToken() {
        String text = "\uD83D\uDE00".repeat(10); // ten characters outside the BMP, 20 chars in Java
        assertEquals(18, TrainingText.splitIndex(text, 0.9));
        Tokenizer tok = new Tokenizer();
        int[] a = tok.encode("Hello");
        int[] b = tok.encode(" world");
        int[] got = TrainingText.encode(tok, "Hello<|endoftext|> world<|endoftext|>");
        assertArrayEquals(new int[] {a[0], Tokenizer.END_OF_TEXT, b[0], Tokenizer.END_OF_TEXT}, got);
    }
}
