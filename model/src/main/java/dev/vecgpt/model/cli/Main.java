package dev.vecgpt.model.cli;

import java.io.IOException;
import java.util.Arrays;

/**
 * The command line: {@code demo} (the default: the design notebook's cell) or {@code generate}.
 * Bad arguments print one line and exit with status 2.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // One log line (the kernels in use) instead of java.util.logging's default two.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%n");
        }
        try {
            if (args.length > 0 && args[0].equals("generate")) {
                Generate.run(Generate.Options.parse(Arrays.copyOfRange(args, 1, args.length)), System.out);
            } else {
                String[] rest = args.length > 0 && args[0].equals("demo") ? Arrays.copyOfRange(args, 1, args.length) : args;
                Demo.run(Demo.Options.parse(rest), System.out);
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }
}
