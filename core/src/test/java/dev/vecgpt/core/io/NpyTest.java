package dev.vecgpt.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void writesVersion1HeaderAndLittleEndianData() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("t.npy");
            Npy.write(Tensor.of(arena, Shape.of(2, 3), 1, -2, 3.5f, 0, Float.MIN_VALUE, -0f), file);
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            String expectedDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
            assertEquals("\u0093NUMPY", new String(bytes.array(), 0, 6, StandardCharsets.ISO_8859_1));
            assertEquals(1, bytes.get(6));
            assertEquals(0, bytes.get(7));
            int headerLength = bytes.getShort(8);
            assertEquals(0, (10 + headerLength) % 64, "data starts on a 64-byte boundary");
            String dict = new String(bytes.array(), 10, headerLength, StandardCharsets.US_ASCII);
            assertEquals(expectedDict, dict.strip());
            assertEquals('\n', dict.charAt(dict.length() - 1));
            bytes.position(10 + headerLength);
            float[] expected = {1, -2, 3.5f, 0, Float.MIN_VALUE, -0f};
            for (float v : expected) {
                assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits(bytes.getFloat()));
            }
            assertEquals(bytes.limit(), bytes.position());
        }
    }

    @Test
    void oneDimensionalShapeIsAPythonOneTuple() {
        ByteBuffer header = Npy.header(new int[] {5});
        String text = new String(header.array(), 10, header.limit() - 10, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", text.strip());
    }

    @Test
    void closedTensorIsRefusedAndNoFileIsWritten() {
        Arena arena = Arena.ofConfined();
        Tensor t = Tensor.allocate(arena, 3);
        arena.close();
        Path file = dir.resolve("dead.npy");
        assertThrows(IllegalStateException.class, () -> Npy.write(t, file));
        assertEquals(false, Files.exists(file));
    }

    @Test
    void readsWhatItWritesBitForBit() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("r.npy");
            Tensor t = Tensor.of(arena, Shape.of(3, 1, 2), 1, -2, 3.5f, Float.NaN, Float.MIN_VALUE, -0f);
            Npy.write(t, file);
            Tensor back = Npy.read(file, arena);
            assertEquals(t.shape(), back.shape());
            assertEquals(-1, t.segment().mismatch(back.segment()));
        }
    }

    /** Other dtypes and header versions, written byte by byte as NumPy lays them out. */
    @Test
    void readsOtherDtypesAndVersion2Headers() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new float[] {1.5f, -2f}, Npy.read(handMade(1, "<f8", "(2,)", 8, b -> {
                b.putDouble(1.5);
                b.putDouble(-2);
            }), arena).toArray());
            assertArrayEquals(new float[] {0.5f, 3f}, Npy.read(handMade(2, "<f2", "(1, 2)", 2, b -> {
                b.putShort(Float.floatToFloat16(0.5f));
                b.putShort(Float.floatToFloat16(3f));
            }), arena).toArray());
            assertArrayEquals(new float[] {7f, -9f}, Npy.read(handMade(1, "<i8", "(2,)", 8, b -> {
                b.putLong(7);
                b.putLong(-9);
            }), arena).toArray());
            assertArrayEquals(new float[] {4f}, Npy.read(handMade(1, "<i4", "()", 4, b -> b.putInt(4)), arena).toArray());
        }
    }

    @Test
    void badFilesAreRefusedWithTheReason() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            expectBad(handMade(1, ">f4", "(1,)", 4, b -> b.putFloat(1)), arena, "unsupported dtype '>f4'");
            expectBad(handMade(1, "<f4", "(3,)", 4, b -> b.putFloat(1)), arena, "needs 12 bytes of data, the file has 4");
            expectBad(handMade(1, "<U8", "(1,)", 4, b -> b.putFloat(1)), arena, "unsupported dtype");
            Path notNpy = dir.resolve("x.npy");
            Files.write(notNpy, "hello world, not numpy".getBytes(StandardCharsets.US_ASCII));
            expectBad(notNpy, arena, "not an .npy file");
        }
    }

    private static void expectBad(Path file, Arena arena, String message) {
        IOException e = assertThrows(IOException.class, () -> Npy.read(file, arena));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private Path handMade(int version, String descr, String shape, int itemBytes,
                          java.util.function.Consumer<ByteBuffer> values) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int prefix = version == 1 ? 10 : 12;
        int padded = ((prefix + dict.length() + 1 + 63) / 64) * 64 - prefix;
        String text = dict + " ".repeat(padded - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(prefix + padded + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) padded);
        } else {
            b.putInt(padded);
        }
        b.put(text.getBytes(StandardCharsets.US_ASCII));
        values.accept(b);
        Path file = dir.resolve("h" + System.nanoTime() + ".npy");
        Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
        return file;
    }

    /** Skipped (not failed) where no Python with NumPy is installed. */
    @Test
    void numpyLoadsIt() throws Exception {
        String python = findPythonWithNumpy();
        assumeTrue(python != null, "no python3 with numpy on this machine");
        try (Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("logits.npy");
            Tensor t = Tensor.allocate(arena, 2, 4, 5);
            for (int i = 0; i < t.size(); i++) {
                t.set(i, i * 0.25f - 3);
            }
            Npy.write(t, file);
            String out = run(python, "-c", "import numpy as np, sys; a = np.load(sys.argv[1]); "
                    + "print(a.shape, a.dtype, float(a[1, 3, 4]), float(a.sum()))", file.toString());
            assertEquals("(2, 4, 5) float32 6.75 75.0", out.strip());
        }
    }

    private static String findPythonWithNumpy() {
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                run(candidate, "-c", "import numpy");
                return candidate;
            } catch (Exception notThisOne) {
                // try the next
            }
        }
        return null;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
