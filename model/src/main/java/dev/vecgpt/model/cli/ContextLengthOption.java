package dev.vecgpt.model.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --context-length N}, the model's context in every command, as the book's
 * {@code GPT_CONFIG_124M["context_length"]}: one definition, so that it cannot mean another thing in one.
 */
final class ContextLengthOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    int value = 1024;

    @Option(names = "--context-length", paramLabel = "N", defaultValue = "1024", order = 8,
            description = "the random model's context length, 1 to 1024 (the book's chapter 5 uses 256)")
    void set(int n) {
        if (n < 1 || n > 1024) {
            throw new ParameterException(spec.commandLine(), "--context-length " + n + ": must be 1 to 1024");
        }
        value = n;
    }

    /** Refuses the option beside a checkpoint, which has a context of its own. */
    void checkWith(Path weights) {
        if (weights != null && spec.commandLine().getParseResult().hasMatchedOption("--context-length")) {
            throw new ParameterException(spec.commandLine(), "--context-length is the random model's; "
                    + "a checkpoint has its own");
        }
    }
}
