package dev.vecgpt.model.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of an input named on the command line, before anything is read. */
final class Inputs {

    private Inputs() {}

    /**
     * What is wrong with reading {@code input} (a path, or - for standard input), or null. Pipes and devices
     * ({@code <(cat f)}, {@code /dev/stdin}) are fine.
     */
    static String problem(String input) {
        if (input.equals("-")) {
            return null;
        }
        Path file;
        try {
            file = Path.of(input);
        } catch (java.nio.file.InvalidPathException e) {
            return "not a valid path: " + input;
        }
        if (Files.isDirectory(file)) {
            return "is a directory: " + input;
        }
        if (!Files.exists(file)) {
            return "no such file: " + input;
        }
        if (!Files.isReadable(file)) {
            return "cannot read " + input;
        }
        return null;
    }
}
