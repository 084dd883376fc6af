package dev.vecgpt.model;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.util.List;

/** GPT-2's byte-pair encoding (tiktoken's "gpt2" = r50k_base), through jtokkit. Thread-safe. */
public final class Tokenizer {

    /** {@code <|endoftext|>}, GPT-2's end-of-text token: a stop id for {@link Generation#stopAt}. */
    public static final int END_OF_TEXT = 50256;

    private final Encoding encoding =
            Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    /** Token ids of {@code text}; like tiktoken's default, special tokens such as {@code <|endoftext|>} are refused. */
    public int[] encode(String text) {
        return encoding.encode(text).toArray();
    }

    public String decode(int... ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (int id : ids) {
            list.add(id);
        }
        return encoding.decode(list);
    }

    /** One row of ids per text; rows may differ in length (the model rejects a ragged batch). */
    public int[][] encodeBatch(List<String> texts) {
        return texts.stream().map(this::encode).toArray(int[][]::new);
    }
}
