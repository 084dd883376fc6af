package dev.vecgpt.spark;

import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.Score;
import dev.vecgpt.model.ScoreWindows;
import dev.vecgpt.model.Tokenizer;
import java.util.Arrays;

/**
 * One row's work on a borrowed session: score a text or continue a prompt. A bad row (no text, too long,
 * too short for one window, a special token) gives an error message instead of a result and never an
 * exception, so one bad document cannot fail a job over millions. Each row depends on its own text,
 * options and seed only, never on its neighbours: results do not depend on partitioning.
 */
final class TextRows {

    static final Tokenizer TOKENIZER = new Tokenizer(); // thread-safe

    /** A text's score, or the reason it has none; {@code tokens} is null only when the text was not tokenized. */
    record Scored(Long tokens, Double crossEntropy, Double perplexity, String error) {
        static Scored error(Long tokens, String error) {
            return new Scored(tokens, null, null, error);
        }
    }

    /** New text after a prompt, or the reason there is none. */
    record Generated(String text, String error) {
    }

    private TextRows() {
    }

    static Scored score(GptSession session, String text, VecGptOptions options) {
        String bad = checkText(text, options);
        if (bad != null) {
            return Scored.error(null, bad);
        }
        int[] ids = TOKENIZER.encode(text); // <|endoftext|> in a text is token 50256, as in the book
        try {
            Score s = session.score(ids, windows(options));
            return new Scored(s.tokens(), s.crossEntropy(), s.perplexity(), null);
        } catch (IllegalArgumentException e) { // too short for one window
            return Scored.error((long) ids.length, e.getMessage());
        }
    }

    static Generated generate(GptSession session, String prompt, Long seed, VecGptOptions options) {
        String bad = checkText(prompt, options);
        if (bad != null) {
            return new Generated(null, bad);
        }
        int[] ids = TOKENIZER.encode(prompt);
        Generation generation = Generation.of(options.maxNewTokens(),
                Samplers.of(options, seed != null ? seed : options.seed())).stopAt(Tokenizer.END_OF_TEXT);
        int[] out = session.generate(ids, generation);
        return new Generated(TOKENIZER.decode(Arrays.copyOfRange(out, ids.length, out.length)), null);
    }

    static ScoreWindows windows(VecGptOptions options) {
        return new ScoreWindows(options.contextLength(), options.stride(), options.batch());
    }

    /** Why {@code text} cannot be used, or null. */
    private static String checkText(String text, VecGptOptions options) {
        if (text == null) {
            return "text is null";
        }
        if (text.isEmpty()) {
            return "text is empty";
        }
        if (text.length() > options.maxTextChars()) {
            return "text has " + text.length() + " characters, over the limit of " + options.maxTextChars()
                    + " (maxTextChars)";
        }
        return null;
    }
}
