package dev.vecgpt.model.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** How the command line reports what went wrong: one line on standard error, no stack trace. */
final class Errors {

    private Errors() {}

    /** A bad option or argument: one line naming it, and status 2. */
    static int usage(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String hint = "";
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-") && !cli.getCommandSpec().positionalParameters().isEmpty()) {
            hint = "; quote a text of several words";
        }
        cli.getErr().println("vecgpt: " + e.getMessage() + hint + " (see '" + cli.getCommandSpec().qualifiedName()
                + " --help')");
        return Main.USAGE;
    }

    /**
     * A command that failed on its input (a bad file, an invalid prompt): one line and status 1. Anything
     * else is a bug, and its stack trace is what the report needs.
     */
    static int failure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof CheckedWriter.Failed f) {
            return outputFailed(f, cli.getErr());
        }
        if (e instanceof IllegalArgumentException || e instanceof IOException || e instanceof UncheckedIOException) {
            String message = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            cli.getErr().println("vecgpt: " + message);
            return 1;
        }
        throw e;
    }

    /** Standard output failed: one line and status 1, or nothing and {@link Main#BROKEN_PIPE} if its reader left. */
    static int outputFailed(CheckedWriter.Failed e, PrintWriter err) {
        if (e.brokenPipe()) {
            return Main.BROKEN_PIPE;
        }
        err.println("vecgpt: " + e.getMessage());
        return 1;
    }
}
