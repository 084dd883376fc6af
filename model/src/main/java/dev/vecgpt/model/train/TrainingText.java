package dev.vecgpt.model.train;

import dev.vecgpt.model.Tokenizer;
import java.util.Arrays;

/** Turning a training text into token ids as the book does. */
public final class TrainingText {

    /** GPT-2's end-of-text marker, which the book's dataset lets through as the special token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private TrainingText() {}

    /** The book's split point: {@code int(0.9 * len(text))}, counted in characters (code points, as Python does). */
    public static int splitIndex(String text, double trainRatio) {
        if (!(trainRatio > 0 && trainRatio < 1)) {
            throw new IllegalArgumentException("train ratio must be in (0, 1), got " + trainRatio);
        }
        int points = text.codePointCount(0, text.length());
        return text.offsetByCodePoints(0, (int) (trainRatio * points));
    }

    /** The book's training part: the text's first 90 % of characters. */
    public static String trainingPart(String text) {
        return text.substring(0, splitIndex(text, 0.9));
    }

    /** The book's validation part: the characters after the first 90 %. */
    public static String validationPart(String text) {
        return text.substring(splitIndex(text, 0.9));
    }

    /**
     * {@code tokenizer.encode(text, allowed_special={"<|endoftext|>"})}: the text between markers encoded as
     * ordinary text, each marker as {@link Tokenizer#END_OF_TEXT}.
     */
    public static int[] encode(Tokenizer tokenizer, String text) {
        int[] out = new int[0];
        int from = 0;
        while (true) {
            int at = text.indexOf(END_OF_TEXT, from);
            int[] piece = tokenizer.encode(text.substring(from, at < 0 ? text.length() : at));
            int size = out.length;
            out = Arrays.copyOf(out, size + piece.length + (at < 0 ? 0 : 1));
            System.arraycopy(piece, 0, out, size, piece.length);
            if (at < 0) {
                return out;
            }
            out[out.length - 1] = Tokenizer.END_OF_TEXT;
            from = at + END_OF_TEXT.length();
        }
    }
}
