package dev.vecgpt.model.cli;

import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Token ids of a UTF-8 text read in pieces, so that a file of gigabytes is tokenized in bounded memory.
 * A piece is cut only after a lone newline (a non-space character before it) and before a letter or digit:
 * GPT-2's pre-tokenizer makes that newline a token of its own whether the text goes on or ends there, and
 * no token spans it, so the ids are those of the whole text tokenized at once. (After a longer run of white
 * space it would not: the run's last character goes with what follows, unless the text ends.)
 */
final class TextSource {

    /** Characters read at a time. */
    static final int BLOCK = 1 << 20;

    private TextSource() {}

    /**
     * Hands {@code ids} the ids of {@code in}, piece by piece, and {@code block} a tick per block read.
     *
     * @throws CharacterCodingException if the input is not UTF-8, with the byte offset of the block
     */
    static void tokenize(InputStream in, String name, Tokenizer tokenizer, Consumer<int[]> ids, Runnable block)
            throws IOException {
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        char[] buffer = new char[BLOCK];
        StringBuilder pending = new StringBuilder();
        long chars = 0;
        while (true) {
            int n;
            try {
                n = reader.read(buffer);
            } catch (MalformedInputException e) {
                throw new IllegalArgumentException(name + " is not UTF-8 text (an invalid byte after character "
                        + chars + ")");
            }
            if (n < 0) {
                break;
            }
            chars += n;
            pending.append(buffer, 0, n);
            int cut = lastCut(pending);
            if (cut > 0) {
                ids.accept(tokenizer.encode(pending.substring(0, cut)));
                pending.delete(0, cut);
            }
            block.run();
        }
        if (!pending.isEmpty()) {
            ids.accept(tokenizer.encode(pending.toString()));
        }
    }

    /** The last index i with a lone newline before it and a letter or digit at it, or 0. */
    static int lastCut(CharSequence text) {
        for (int i = text.length() - 1; i > 1; i--) {
            if (text.charAt(i - 1) == '\n' && Character.isLetterOrDigit(text.charAt(i))
                    && !Character.isWhitespace(text.charAt(i - 2))) {
                return i;
            }
        }
        return 0;
    }
}
