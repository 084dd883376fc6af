package dev.vecgpt.core.io;

import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * NumPy's {@code .npy} format, so tensors travel to and from Python: a magic string, a version, a
 * header (a Python dict literal, padded to 64 bytes), then the raw values in C order. Writes
 * version 1.0 {@code <f4}; reads versions 1.0, 2.0 and 3.0 of {@code <f4}, {@code <f8},
 * {@code <f2}, {@code <i4} and {@code <i8}, converted to float32.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final int ALIGN = 64;
    /** Far above any real header (NumPy itself refuses headers over 10,000 bytes by default). */
    private static final int MAX_HEADER = 1 << 20;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Writes {@code t} as a {@code <f4} array of its shape, replacing {@code file}. */
    public static void write(Tensor t, Path file) throws IOException {
        if (!t.isAlive()) {
            throw new IllegalStateException("cannot write tensor " + t.shape() + " to " + file + ": its arena is closed");
        }
        ByteBuffer header = header(t.shape().dims());
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, header);
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                writeFully(out, t.segment().asByteBuffer());
            } else {
                MemorySegment le = MemorySegment.ofArray(new float[Math.toIntExact(t.size())]);
                MemorySegment.copy(t.segment(), Tensor.FLOAT, 0, le,
                        ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, t.size());
                writeFully(out, le.asByteBuffer());
            }
        }
    }

    /** The magic, version, header length and the Python-literal header dict, padded with spaces to 64 bytes. */
    static ByteBuffer header(int[] dims) {
        String shape = dims.length == 1
                ? "(" + dims[0] + ",)"
                : Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padding = (ALIGN - unpadded % ALIGN) % ALIGN;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 2 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC).putShort((short) text.length()).put(text.getBytes(StandardCharsets.US_ASCII));
        return header.flip();
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** Reads an {@code .npy} file into a float32 tensor in {@code arena}; integers and doubles are converted. */
    public static Tensor read(Path file, Arena arena) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            ByteBuffer prefix = readFully(in, 0, (int) Math.min(12, size), file);
            if (prefix.limit() < 10 || !Arrays.equals(Arrays.copyOf(prefix.array(), 6), Arrays.copyOf(MAGIC, 6))) {
                throw bad(file, "not an .npy file (no \\x93NUMPY magic)");
            }
            int major = prefix.get(6);
            long headerLength;
            int headerStart;
            if (major == 1) {
                headerLength = prefix.order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xFFFF;
                headerStart = 10;
            } else if ((major == 2 || major == 3) && prefix.limit() >= 12) {
                headerLength = prefix.order(ByteOrder.LITTLE_ENDIAN).getInt(8) & 0xFFFF_FFFFL;
                headerStart = 12;
            } else {
                throw bad(file, "unsupported .npy version " + major + "." + prefix.get(7));
            }
            if (headerLength > MAX_HEADER || headerStart + headerLength > size) {
                throw bad(file, "header of " + headerLength + " bytes runs past the end of the file (" + size + " bytes)");
            }
            String header = StandardCharsets.UTF_8.decode(readFully(in, headerStart, (int) headerLength, file)).toString();
            Dtype dtype = Dtype.of(field(DESCR, header, "descr", file), file);
            if (field(FORTRAN, header, "fortran_order", file).equals("True")) {
                throw bad(file, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
            }
            Shape shape = shape(field(SHAPE, header, "shape", file), file);
            long dataStart = headerStart + headerLength;
            long bytes = shape.size() * dtype.bytes;
            if (size - dataStart != bytes) {
                throw bad(file, "shape " + shape + " of " + dtype.descr + " needs " + bytes + " bytes of data, the file has "
                        + (size - dataStart));
            }
            Tensor t = Tensor.allocate(arena, shape);
            try (Arena mapping = Arena.ofConfined()) {
                MemorySegment data = in.map(FileChannel.MapMode.READ_ONLY, dataStart, bytes, mapping);
                for (long i = 0; i < shape.size(); i++) {
                    t.set(i, dtype.read(data, i));
                }
            }
            return t;
        }
    }

    /** The element types {@link #read} converts, all little-endian. */
    private enum Dtype {
        F4("<f4", 4), F8("<f8", 8), F2("<f2", 2), I4("<i4", 4), I8("<i8", 8);

        private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        final String descr;
        final int bytes;

        Dtype(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        static Dtype of(String descr, Path file) throws IOException {
            // '=' and '|' mean native order; on a little-endian machine that is '<'.
            String normalized = descr.length() == 3 && (descr.charAt(0) == '=' || descr.charAt(0) == '|')
                    && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "<" + descr.substring(1) : descr;
            for (Dtype d : values()) {
                if (d.descr.equals(normalized)) {
                    return d;
                }
            }
            throw bad(file, "unsupported dtype '" + descr + "' (supported: <f4, <f8, <f2, <i4, <i8)");
        }

        float read(MemorySegment data, long i) {
            return switch (this) {
                case F4 -> data.getAtIndex(LE_FLOAT, i);
                case F8 -> (float) data.getAtIndex(LE_DOUBLE, i);
                case F2 -> Float.float16ToFloat(data.getAtIndex(LE_SHORT, i));
                case I4 -> data.getAtIndex(LE_INT, i);
                case I8 -> data.getAtIndex(LE_LONG, i);
            };
        }
    }

    private static String field(Pattern pattern, String header, String name, Path file) throws IOException {
        Matcher m = pattern.matcher(header);
        if (!header.strip().startsWith("{") || !m.find()) {
            throw bad(file, "header has no valid '" + name + "': " + header.strip());
        }
        return m.group(1);
    }

    private static Shape shape(String tuple, Path file) throws IOException {
        String[] parts = tuple.split(",");
        int[] dims = Arrays.stream(parts).map(String::strip).filter(p -> !p.isEmpty()).mapToInt(p -> {
            try {
                return Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            } catch (NumberFormatException e) {
                return -1;
            }
        }).toArray();
        if (dims.length == 0) {
            return Shape.of(1); // a 0-d array: one value
        }
        try {
            return new Shape(dims);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(file, "unsupported shape (" + tuple + "): " + e.getMessage());
        }
    }

    private static ByteBuffer readFully(FileChannel in, long position, int length, Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw bad(file, "truncated");
            }
        }
        return buffer.flip();
    }

    private static IOException bad(Path file, String why) {
        return new IOException(file + ": " + why);
    }
}
