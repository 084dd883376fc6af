package dev.vecgpt.model.cli;

import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Token ids of a UTF-8 text read in pieces, so that a text of gigabytes is tokenized in bounded memory, with
 * exactly the ids of the whole text tokenized at once.
 *
 * <p>Why a cut cannot change the ids: GPT-2's tokenizer first splits the text with its pattern
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} and merges bytes within
 * each match only. A piece is cut between characters a and b where a match must end: a letter followed by
 * a non-letter (a number, a symbol, a space, tab or line break), a number followed by a non-number, a
 * symbol (punctuation, symbol or mark) followed by a letter, number or space — except an apostrophe before
 * a letter, which may start {@code 's}. The character a is never white space, since a run of white space
 * is matched according to what follows it ({@code \s+(?!\S)}); and a match ending at a non-space never
 * looks past its end, so the text before the cut splits as it would in the whole text, and the text after
 * it starts a match at the cut in both. Cuts never fall inside {@code <|endoftext|>}.
 *
 * <p>Text with no such point for {@link #MAX_UNCUT} characters (one word, number, symbol run or white-space
 * run that long: GPT-2 would merge its bytes as one unit, which cannot be done in pieces) is refused with
 * its byte offset, rather than tokenized with unbounded memory and time.
 */
final class TextSource {

    /** Bytes read at a time. */
    static final int BLOCK = 1 << 20;
    /** The longest stretch of characters without a cut point that is tokenized. */
    static final int MAX_UNCUT = 1 << 20;

    private TextSource() {}

    /**
     * Hands {@code ids} the ids of {@code in}, piece by piece, and {@code block} a tick per block read.
     *
     * @param refuseMarks {@code <|endoftext|>} in the text is an error naming its line and column, not a token
     * @throws IllegalArgumentException if the input is not UTF-8 (naming the byte's offset), holds a refused
     *                                  {@code <|endoftext|>}, or has no cut point for too long
     */
    static void tokenize(InputStream in, String name, Tokenizer tokenizer, boolean refuseMarks, Consumer<int[]> ids,
                         Runnable block) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.allocate(BLOCK);
        CharBuffer chars = CharBuffer.allocate(BLOCK);
        StringBuilder pending = new StringBuilder();
        Position position = new Position(name);
        long offset = 0; // bytes of the input before 'bytes'
        boolean end = false;
        while (!end) {
            int n = in.readNBytes(bytes.array(), bytes.position(), bytes.remaining());
            end = n == 0 && bytes.remaining() > 0;
            bytes.position(bytes.position() + n).flip();
            CoderResult result = utf8.decode(bytes, chars, end);
            if (!result.isError() && end) {
                result = utf8.flush(chars);
            }
            if (result.isError()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "%s is not UTF-8 text: an invalid byte at offset %,d", name, offset + bytes.position()));
            }
            offset += bytes.position();
            bytes.compact(); // an incomplete character at the block's end waits for the next block
            pending.append(chars.flip());
            chars.clear();
            int cut = lastCut(pending);
            if (cut > 0) {
                emit(pending, cut, position, tokenizer, refuseMarks, ids);
            }
            if (pending.length() > MAX_UNCUT) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: %,d characters without a place "
                        + "where GPT-2's tokenizer may be cut, from %s (one word, number, symbol run or run of "
                        + "white space that long); vecgpt tokenizes texts with such a place at least every %,d "
                        + "characters", name, pending.length(), position, MAX_UNCUT));
            }
            if (end && !pending.isEmpty()) {
                emit(pending, pending.length(), position, tokenizer, refuseMarks, ids);
            }
            if (n > 0) {
                block.run();
            }
        }
    }

    /** Tokenizes the first {@code cut} characters of {@code pending} and removes them. */
    private static void emit(StringBuilder pending, int cut, Position position, Tokenizer tokenizer,
                             boolean refuseMarks, Consumer<int[]> ids) {
        String piece = pending.substring(0, cut);
        if (refuseMarks) {
            int mark = piece.indexOf(Tokenizer.END_OF_TEXT_MARK);
            if (mark >= 0) {
                position.advance(piece, mark);
                throw new IllegalArgumentException(position.name + " has " + Tokenizer.END_OF_TEXT_MARK + " at "
                        + position + " (--special-tokens refuse)");
            }
        }
        ids.accept(tokenizer.encode(piece));
        position.advance(piece, cut);
        pending.delete(0, cut);
    }

    /** The last index where the text may be cut (see the class comment), or 0. */
    static int lastCut(CharSequence text) {
        for (int i = text.length() - 1; i > 0; i--) {
            if (isCut(text, i)) {
                return i;
            }
        }
        return 0;
    }

    private enum Kind { LETTER, NUMBER, SYMBOL, SPACE, OTHER }

    /** Whether the ids of {@code text} are those of its two parts at {@code i} (0 < i < length) by the rule above. */
    static boolean isCut(CharSequence text, int i) {
        return canCut(text, i) && !insideMark(text, i);
    }

    private static boolean canCut(CharSequence text, int i) {
        char a = text.charAt(i - 1);
        char b = text.charAt(i);
        if (Character.isSurrogate(a) || Character.isSurrogate(b)) {
            return false; // letters outside the BMP are rare enough to leave uncut
        }
        Kind before = kind(a);
        Kind after = kind(b);
        return switch (before) {
            case LETTER -> after != Kind.LETTER && after != Kind.OTHER;
            case NUMBER -> after != Kind.NUMBER && after != Kind.OTHER;
            case SYMBOL -> (after == Kind.LETTER && a != '\'') || after == Kind.NUMBER || after == Kind.SPACE;
            case SPACE, OTHER -> false;
        };
    }

    /**
     * The pattern's classes, as {@code java.util.regex} with {@code UNICODE_CHARACTER_CLASS} (jtokkit's) sees
     * them: {@code \p{L}}, {@code \p{N}}, and among the rest, only what is surely not {@code \s} (punctuation,
     * symbols, marks) or surely is (space, tab, line feed, carriage return); anything else is never cut at.
     */
    private static Kind kind(char c) {
        return switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> Kind.LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> Kind.NUMBER;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL, Character.NON_SPACING_MARK,
                 Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> Kind.SYMBOL;
            default -> c == ' ' || c == '\t' || c == '\n' || c == '\r' ? Kind.SPACE : Kind.OTHER;
        };
    }

    private static boolean insideMark(CharSequence text, int i) {
        String mark = Tokenizer.END_OF_TEXT_MARK;
        for (int start = Math.max(0, i - mark.length() + 1); start < i; start++) {
            if (start + mark.length() <= text.length()
                    && text.subSequence(start, start + mark.length()).toString().equals(mark)) {
                return true;
            }
        }
        return false;
    }

    /** Line and column (from 1, in characters) of the next character of the text. */
    private static final class Position {
        final String name;
        private long line = 1;
        private long column = 1;

        Position(String name) {
            this.name = name;
        }

        void advance(CharSequence text, int end) {
            for (int i = 0; i < end; i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
        }

        @Override
        public String toString() {
            return "line " + line + ", column " + column;
        }
    }
}
