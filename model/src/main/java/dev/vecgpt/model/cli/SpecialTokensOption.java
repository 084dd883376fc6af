package dev.vecgpt.model.cli;

import picocli.CommandLine.Option;

/** {@code --special-tokens}: what {@code <|endoftext|>} written in a text becomes. */
final class SpecialTokensOption {

    enum Policy { allow, refuse }

    @Option(names = "--special-tokens", paramLabel = "POLICY", defaultValue = "allow", order = 20,
            description = "<|endoftext|> in a text: allow (GPT-2's token 50256, as the book's "
                    + "allowed_special={\"<|endoftext|>\"}) or refuse (an error naming where it is)")
    Policy policy = Policy.allow;

    boolean refuse() {
        return policy == Policy.refuse;
    }
}
