package dev.vecgpt.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format of Hugging Face: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to its {@code dtype}, {@code shape} and {@code data_offsets} (plus an
 * optional {@code __metadata__} of strings), then the raw little-endian data.
 *
 * <p>{@link #open} memory-maps the file, so opening costs a header parse, not a read of the data.
 * Every header is checked before any tensor is handed out: a bad file is an {@link IOException}
 * naming the file and the tensor, never garbage.
 */
public final class Safetensors {

    /** The element types read: float32 as is, float16 and bfloat16 widened to float32. */
    public enum Dtype {
        F32(4), F16(2), BF16(2);

        final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }
    }

    /** Headers of real checkpoints are a few hundred kilobytes; this bounds what a hostile one costs. */
    static final long MAX_HEADER = 100L << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8).maxStringLength(1 << 16).maxNumberLength(32).build())
            .build();
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Safetensors() {}

    /** Maps {@code file} into {@code arena} (closing the arena unmaps it) and checks its header. */
    public static SafetensorsFile open(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw bad(file, "truncated: " + size + " bytes, not even the 8-byte header length");
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = mapped.get(LE_LONG, 0);
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw bad(file, "header length " + Long.toUnsignedString(headerLength) + " does not fit a file of "
                        + size + " bytes");
            }
            byte[] header = mapped.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = mapped.asSlice(8 + headerLength);
            Header parsed = parse(header, file);
            checkLayout(parsed.entries(), data.byteSize(), file);
            return new SafetensorsFile(file, parsed.entries(), parsed.metadata(), data, size, arena);
        }
    }

    /** One tensor's header entry; offsets are relative to the start of the data. */
    record Entry(String name, Dtype dtype, Shape shape, long begin, long end) {}

    private record Header(Map<String, Entry> entries, Map<String, String> metadata) {}

    private static Header parse(byte[] header, Path file) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(header)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "the header", file);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (entries.containsKey(name) || (name.equals("__metadata__") && !metadata.isEmpty())) {
                    throw bad(file, "tensor '" + name + "' appears twice in the header");
                }
                expect(p.nextToken(), JsonToken.START_OBJECT, "entry '" + name + "'", file);
                if (name.equals("__metadata__")) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        expect(p.nextToken(), JsonToken.VALUE_STRING, "__metadata__ value '" + key + "'", file);
                        metadata.put(key, p.getText());
                    }
                } else {
                    entries.put(name, entry(p, name, file));
                }
            }
            expect(p.currentToken(), JsonToken.END_OBJECT, "the end of the header", file);
            if (p.nextToken() != null) {
                throw bad(file, "unexpected content after the header's JSON object");
            }
        } catch (StreamConstraintsException e) {
            throw bad(file, "header is too deep or too long to be a safetensors header: " + e.getOriginalMessage());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw bad(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        return new Header(entries, metadata);
    }

    private static Entry entry(JsonParser p, String name, Path file) throws IOException {
        Dtype dtype = null;
        int[] dims = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    expect(value, JsonToken.VALUE_STRING, "tensor '" + name + "' dtype", file);
                    dtype = dtype(p.getText(), name, file);
                }
                case "shape" -> dims = toInts(numbers(p, value, name, field, file), name, file);
                case "data_offsets" -> offsets = numbers(p, value, name, field, file);
                default -> throw bad(file, "tensor '" + name + "' has an unknown field '" + field + "'");
            }
        }
        if (dtype == null || dims == null || offsets == null) {
            throw bad(file, "tensor '" + name + "' needs dtype, shape and data_offsets");
        }
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw bad(file, "tensor '" + name + "' data_offsets must be [begin, end] with begin <= end");
        }
        Shape shape;
        try {
            shape = dims.length == 0 ? Shape.of(1) : new Shape(dims);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(file, "tensor '" + name + "' has an unsupported shape: " + e.getMessage());
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static Dtype dtype(String text, String name, Path file) throws IOException {
        try {
            return Dtype.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw bad(file, "tensor '" + name + "' has dtype " + text + "; supported are F32, F16 and BF16");
        }
    }

    private static long[] numbers(JsonParser p, JsonToken start, String name, String field, Path file)
            throws IOException {
        expect(start, JsonToken.START_ARRAY, "tensor '" + name + "' " + field, file);
        List<Long> values = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0 || values.size() >= 16) {
                throw bad(file, "tensor '" + name + "' " + field + " must be a short list of non-negative integers");
            }
            values.add(p.getLongValue());
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static int[] toInts(long[] values, String name, Path file) throws IOException {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] > Integer.MAX_VALUE) {
                throw bad(file, "tensor '" + name + "' dimension " + values[i] + " is too large");
            }
            ints[i] = (int) values[i];
        }
        return ints;
    }

    /** Each tensor's bytes match its shape and dtype, are aligned to it, inside the data and disjoint. */
    private static void checkLayout(Map<String, Entry> entries, long dataBytes, Path file) throws IOException {
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long previousEnd = 0;
        String previous = null;
        for (Entry e : byOffset) {
            long expected = e.shape().size() * e.dtype().bytes;
            if (e.end() - e.begin() != expected) {
                throw bad(file, "tensor '" + e.name() + "' " + e.dtype() + " " + e.shape() + " needs " + expected
                        + " bytes, its data_offsets span " + (e.end() - e.begin()));
            }
            if (e.begin() % e.dtype().bytes != 0) {
                throw bad(file, "tensor '" + e.name() + "' starts at " + e.begin() + ", not aligned to its "
                        + e.dtype().bytes + "-byte " + e.dtype());
            }
            if (e.end() > dataBytes) {
                throw bad(file, "tensor '" + e.name() + "' ends at " + e.end() + ", past the " + dataBytes
                        + " bytes of data (truncated file?)");
            }
            if (e.begin() < previousEnd) {
                throw bad(file, "tensor '" + e.name() + "' overlaps tensor '" + previous + "'");
            }
            previousEnd = e.end();
            previous = e.name();
        }
    }

    /**
     * Writes {@code tensors} (float32, in the map's order, back to back) with {@code metadata} as a
     * safetensors file, replacing {@code file}.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(json)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart("__metadata__");
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
                if (!t.getValue().isAlive()) {
                    throw new IllegalStateException("tensor '" + t.getKey() + "' belongs to a closed arena");
                }
                long bytes = t.getValue().segment().byteSize();
                g.writeObjectFieldStart(t.getKey());
                g.writeStringField("dtype", "F32");
                g.writeArrayFieldStart("shape");
                for (int d : t.getValue().shape().dims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + bytes);
                g.writeEndArray();
                g.writeEndObject();
                offset += bytes;
            }
            g.writeEndObject();
        }
        // Pad with spaces so that the data starts 8-byte aligned, as the reference writer does.
        int padding = (int) ((8 - json.size() % 8) % 8);
        json.write(" ".repeat(padding).getBytes(StandardCharsets.US_ASCII));
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.size()).flip();
            writeFully(out, length);
            writeFully(out, ByteBuffer.wrap(json.toByteArray()));
            for (Tensor t : tensors.values()) {
                writeFully(out, littleEndian(t));
            }
        }
    }

    private static ByteBuffer littleEndian(Tensor t) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return t.segment().asByteBuffer();
        }
        ByteBuffer copy = ByteBuffer.allocate(Math.toIntExact(t.segment().byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < t.size(); i++) {
            copy.putFloat(t.get(i));
        }
        return copy.flip();
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, String what, Path file) throws IOException {
        if (actual != expected) {
            throw bad(file, what + " must be " + describe(expected) + ", found " + (actual == null ? "the end" : describe(actual)));
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case END_OBJECT -> "the end of an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            default -> t.toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static IOException bad(Path file, String why) {
        return new IOException(file + ": " + why);
    }
}
