package dev.vecgpt.model.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The command line, {@code vecgpt <command>}: {@code demo} (the design notebook's cell),
 * {@code generate}, {@code score}, {@code train} and {@code serve}. Program output goes to standard output; the kernel line, progress and timing to
 * standard error. A usage error prints one line and exits with status 2, a failure with status 1.
 */
@Command(name = "vecgpt", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = {"GPT-2 on the CPU in plain Java, with the Vector API.", ""},
        subcommands = {DemoCommand.class, GenerateCommand.class, ScoreCommand.class, TrainCommand.class, ServeCommand.class,
                HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND")
public final class Main implements Runnable {

    /** Exit status of a usage error (bad option or argument), as picocli and most Unix tools use. */
    static final int USAGE = 2;
    /**
     * Exit status when the reader of standard output has gone (a closed pipe: {@code vecgpt generate | head}):
     * 128 + SIGPIPE, what a shell reports for a program that the signal ended, and no message.
     */
    static final int BROKEN_PIPE = 141;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command: the usage, on standard error, and status 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: demo, generate, score, train or serve");
    }

    public static void main(String[] args) {
        // One log line (the kernels in use) instead of java.util.logging's default two.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%n");
        }
        // Standard output unbuffered by System.out's PrintStream, which would hide write errors.
        System.exit(run(new FileOutputStream(FileDescriptor.out), System.err, args));
    }

    /** Runs one command line with these streams; returns the exit status. */
    static int run(OutputStream out, OutputStream err, String... args) {
        CommandLine cli = commandLine(out, err);
        int status = cli.execute(args);
        try {
            cli.getOut().flush();
        } catch (CheckedWriter.Failed e) {
            return Errors.outputFailed(e, cli.getErr());
        }
        return status;
    }

    static CommandLine commandLine(OutputStream out, OutputStream err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new CheckedWriter(out));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setUsageHelpAutoWidth(true);
        cli.setCaseInsensitiveEnumValuesAllowed(true); // --format bf16 as Spark's ScoreJob takes it
        cli.setParameterExceptionHandler(Errors::usage);
        cli.setExecutionExceptionHandler(Errors::failure);
        return cli;
    }
}
