package dev.vecgpt.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    /** A file by hand: header text and data bytes, as another writer could make it. */
    private Path handMade(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    private static byte[] littleEndian(short... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            b.putShort(v);
        }
        return b.array();
    }

    @Test
    void roundTripIsBitExactAndFloat32IsAViewOfTheFile() throws IOException {
        Path file = dir.resolve("t.safetensors");
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("a", Tensor.of(arena, Shape.of(2, 3), 1, -2, 3.5f, Float.MIN_VALUE, -0f, Float.NaN));
            tensors.put("b.weight", Tensor.of(arena, Shape.of(1), 42));
            Safetensors.write(file, tensors, Map.of("format", "pt"));
            SafetensorsFile read = Safetensors.open(file, arena);
            assertEquals(java.util.List.of("a", "b.weight"), java.util.List.copyOf(read.names()));
            assertEquals(Map.of("format", "pt"), read.metadata());
            for (String name : tensors.keySet()) {
                Tensor t = read.tensor(name);
                assertEquals(tensors.get(name).shape(), t.shape());
                assertEquals(-1, tensors.get(name).segment().mismatch(t.segment()), name);
                assertTrue(t.segment().isMapped() && t.segment().isReadOnly(), "zero-copy view of the file");
            }
            assertEquals(Safetensors.Dtype.F32, read.dtype("a"));
        }
    }

    @Test
    void float16AndBfloat16AreWidened() throws IOException {
        byte[] data = new byte[12];
        System.arraycopy(littleEndian(Float.floatToFloat16(1.5f), Float.floatToFloat16(-0.25f)), 0, data, 0, 4);
        System.arraycopy(littleEndian(WeightFormat.toBf16(3f), WeightFormat.toBf16(-7f), (short) 0x3F80, (short) 0), 0, data, 4, 8);
        Path file = handMade("h.safetensors", """
                {"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},
                 "b":{"dtype":"BF16","shape":[2,2],"data_offsets":[4,12]}}""", data);
        try (Arena arena = Arena.ofShared()) {
            SafetensorsFile read = Safetensors.open(file, arena);
            assertArrayEquals(new float[] {1.5f, -0.25f}, read.tensor("h").toArray());
            assertArrayEquals(new float[] {3f, -7f, 1f, 0f}, read.tensor("b").toArray());
            assertEquals(Shape.of(2, 2), read.shape("b"));
        }
    }

    @Test
    void badFilesNameTheFileAndTheTensor() throws IOException {
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3, 4});
        expectBad(tiny, "truncated");
        expectBad(handMade("empty.safetensors", "", new byte[0]), "header length 0 does not fit");
        expectBad(handMade("shape.safetensors", ok.replace("[2]", "[3]"), new byte[12]), "'w' F32 [3] needs 12 bytes");
        expectBad(handMade("past.safetensors", ok, new byte[4]), "'w' ends at 8, past the 4 bytes");
        expectBad(handMade("dtype.safetensors", ok.replace("F32", "I64"), new byte[8]), "'w' has dtype I64");
        expectBad(handMade("align.safetensors", ok.replace("[0,8]", "[2,10]"), new byte[10]), "not aligned");
        expectBad(handMade("json.safetensors", "{\"w\":", new byte[8]), "not valid JSON");
        expectBad(handMade("deep.safetensors", "[".repeat(5000) + "]".repeat(5000), new byte[0]), "must be an object");
        // Deeply nested input stops at the first structure a safetensors header cannot have.
        expectBad(handMade("deep2.safetensors", "{\"w\":" + "{\"a\":".repeat(50) + "1" + "}".repeat(51), new byte[0]),
                "tensor 'w' has an unknown field 'a'");
        expectBad(handMade("meta.safetensors", "{\"__metadata__\":{\"k\":[1]}}", new byte[0]),
                "__metadata__ value 'k' must be a string");
        expectBad(handMade("dup.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "'w' appears twice");
        expectBad(handMade("overlap.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "overlaps");
        expectBad(handMade("neg.safetensors", ok.replace("[2]", "[-2]"), new byte[8]), "non-negative");
        expectBad(handMade("field.safetensors", ok.replace("\"shape\"", "\"shapes\""), new byte[8]), "unknown field");
    }

    @Test
    void headerLengthPastTheEndIsRefused() throws IOException {
        Path file = dir.resolve("len.safetensors");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        expectBad(file, "header length 1099511627776 does not fit");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        expectBad(file, "does not fit");
    }

    @Test
    void aFileTruncatedAfterOpeningIsRefusedNotRead() throws IOException {
        Path file = dir.resolve("shrink.safetensors");
        try (Arena arena = Arena.ofShared()) {
            Safetensors.write(file, Map.of("w", Tensor.of(arena, Shape.of(1024), new float[1024])), Map.of());
            SafetensorsFile read = Safetensors.open(file, arena);
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                channel.truncate(100);
            }
            IOException e = assertThrows(IOException.class, () -> read.tensor("w"));
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
        }
    }

    /** 10,000 mutated files: each opens and reads cleanly, or fails with an IOException; nothing else. */
    @Test
    void fuzzedFilesFailCleanly() throws IOException {
        byte[] valid;
        Path seed = dir.resolve("seed.safetensors");
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("a", Tensor.of(arena, Shape.of(2, 2), 1, 2, 3, 4));
            tensors.put("b", Tensor.of(arena, Shape.of(3), 5, 6, 7));
            Safetensors.write(seed, tensors, Map.of("k", "v"));
            valid = Files.readAllBytes(seed);
        }
        SplittableRandom random = new SplittableRandom(8);
        Path file = dir.resolve("fuzz.safetensors");
        int opened = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = mutate(valid, random);
            Files.write(file, bytes);
            try (Arena arena = Arena.ofConfined()) {
                SafetensorsFile read = Safetensors.open(file, arena);
                for (String name : read.names()) {
                    read.tensor(name).toArray();
                }
                opened++;
            } catch (IOException expected) {
                assertTrue(expected.getMessage().startsWith(file.toString()), expected.getMessage());
            }
        }
        assertTrue(opened > 0 && opened < 10_000, "some mutations stay valid, most do not: " + opened);
    }

    private static byte[] mutate(byte[] valid, SplittableRandom random) {
        byte[] b = valid.clone();
        switch (random.nextInt(4)) {
            case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);     // any byte
            case 1 -> {                                                                  // a header byte to a JSON character
                String chars = "{}[],:\"0123456789-eE. aFBI";
                b[8 + random.nextInt(b.length - 8)] = (byte) chars.charAt(random.nextInt(chars.length()));
            }
            case 2 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));         // truncated
            default -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, random.nextLong(-4, b.length + 4));
        }
        return b;
    }

    private static void expectBad(Path file, String message) {
        try (Arena arena = Arena.ofConfined()) {
            IOException e = assertThrows(IOException.class, () -> {
                SafetensorsFile read = Safetensors.open(file, arena);
                for (String name : read.names()) {
                    read.tensor(name);
                }
            });
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(message), () -> "'" + e.getMessage() + "' lacks '" + message + "'");
        }
    }
}
