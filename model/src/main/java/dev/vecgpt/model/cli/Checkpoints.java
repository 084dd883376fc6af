package dev.vecgpt.model.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A look at a {@code --weights} file before any model is built: it exists, is a file (or a directory
 * holding {@code model.safetensors}, as Hugging Face lays a model out), and starts as safetensors does (an 8-byte little-endian header length that fits the file, then a JSON object). It
 * reads 9 bytes; the full check of the header happens when the file is opened.
 */
final class Checkpoints {

    private Checkpoints() {}

    /** Null if {@code path} looks like safetensors, else the one line saying what is wrong with it. */
    static String problem(Path path) {
        if (!Files.exists(path)) {
            return "no such file: " + path;
        }
        if (Files.isDirectory(path)) {
            Path inside = path.resolve("model.safetensors");
            return Files.exists(inside) ? problem(inside) : "a directory without model.safetensors: " + path;
        }
        if (!Files.isRegularFile(path)) {
            return "not a file: " + path;
        }
        if (!Files.isReadable(path)) {
            return "cannot read: " + path;
        }
        try (InputStream in = Files.newInputStream(path)) {
            long size = Files.size(path);
            byte[] head = in.readNBytes(9);
            if (head.length < 9) {
                return "not a safetensors file: " + path + " (" + size + " bytes, too short for a header)";
            }
            long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 2 || headerLength > size - 8) {
                return "not a safetensors file: " + path + " (header length " + headerLength + " does not fit its "
                        + size + " bytes)";
            }
            if (head[8] != '{') {
                return "not a safetensors file: " + path + " (the header is not a JSON object)";
            }
            return null;
        } catch (IOException e) {
            return "cannot read: " + path + " (" + e.getMessage() + ")";
        }
    }
}
