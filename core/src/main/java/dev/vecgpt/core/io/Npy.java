package dev.vecgpt.core.io;

import dev.vecgpt.core.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * NumPy's {@code .npy} format (version 1.0), so Python users can {@code np.load} our tensors:
 * a magic string, a header dict padded to 64 bytes, then the raw little-endian values in C order.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    private static final int ALIGN = 64;

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
}
