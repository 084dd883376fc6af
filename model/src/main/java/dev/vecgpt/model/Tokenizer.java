package dev.vecgpt.model;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/** GPT-2's byte-pair encoding (tiktoken's "gpt2" = r50k_base), through jtokkit. Thread-safe. */
public final class Tokenizer {

    /** {@code <|endoftext|>}, GPT-2's end-of-text token: a stop id for {@link Generation#stopAt}. */
    public static final int END_OF_TEXT = 50256;
    /** How {@link #END_OF_TEXT} is written in a text: GPT-2's separator between documents. */
    public static final String END_OF_TEXT_MARK = "<|endoftext|>";

    private final Encoding encoding =
            Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);

    /**
     * Token ids of {@code text}, each {@code <|endoftext|>} in it as {@link #END_OF_TEXT}: tiktoken's
     * {@code encode(text, allowed_special={"<|endoftext|>"})}, the book's call. As tiktoken does, the text
     * between marks is encoded on its own (no token spans a mark).
     */
    public int[] encode(String text) {
        IntArrayList ids = new IntArrayList(text.length() / 3 + 1);
        int from = 0;
        for (int mark = text.indexOf(END_OF_TEXT_MARK); mark >= 0; mark = text.indexOf(END_OF_TEXT_MARK, from)) {
            addAll(ids, encoding.encodeOrdinary(text.substring(from, mark)));
            ids.add(END_OF_TEXT);
            from = mark + END_OF_TEXT_MARK.length();
        }
        addAll(ids, encoding.encodeOrdinary(from == 0 ? text : text.substring(from)));
        return ids.toArray();
    }

    private static void addAll(IntArrayList to, IntArrayList from) {
        for (int i = 0; i < from.size(); i++) {
            to.add(from.get(i));
        }
    }

    public String decode(int... ids) {
        IntArrayList list = new IntArrayList(ids.length);
        for (int id : ids) {
            list.add(id);
        }
        return encoding.decode(list);
    }

    /**
     * A consumer of token ids that hands {@code text} each piece of text as soon as it is complete: a
     * token may end inside a multi-byte UTF-8 character, whose bytes are then held until the next
     * token completes it. For streaming generation: {@code session.generate(ids, g, tokenizer.textTo(System.out::print))}.
     * Not thread-safe: one per generation.
     */
    public IntConsumer textTo(Consumer<String> text) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        IntArrayList one = new IntArrayList(1);
        return new IntConsumer() {
            private byte[] pending = new byte[0];

            @Override
            public void accept(int id) {
                one.clear();
                one.add(id);
                byte[] bytes = encoding.decodeBytes(one);
                ByteBuffer in = ByteBuffer.allocate(pending.length + bytes.length).put(pending).put(bytes).flip();
                CharBuffer out = CharBuffer.allocate(in.remaining());
                utf8.decode(in, out, false); // an incomplete character at the end stays in 'in'
                pending = new byte[in.remaining()];
                in.get(pending);
                if (out.position() > 0) {
                    text.accept(out.flip().toString());
                }
            }
        };
    }

    /** One row of ids per text; rows may differ in length (the model rejects a ragged batch). */
    public int[][] encodeBatch(List<String> texts) {
        return texts.stream().map(this::encode).toArray(int[][]::new);
    }
}
