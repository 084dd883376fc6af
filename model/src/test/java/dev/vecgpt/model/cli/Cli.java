package dev.vecgpt.model.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the command line in this JVM with captured streams. */
record Cli(int status, String out, String err) {

    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The command object a command line parses to, options set, nothing run. */
    @SuppressWarnings("unchecked")
    static <T> T parse(String... args) {
        CommandLine cli = Main.commandLine(System.out, System.err);
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return (T) parsed.subcommand().commandSpec().userObject();
    }
}
