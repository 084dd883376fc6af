package dev.vecgpt.core.io;

import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * An opened, checked safetensors file. Float32 tensors are views of the mapped file (no copy);
 * float16 and bfloat16 ones are widened to float32 once, in the same arena, on first use.
 */
public final class SafetensorsFile {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Map<String, Safetensors.Entry> entries;
    private final Map<String, String> metadata;
    private final MemorySegment data;
    private final Arena arena;
    private final long mappedSize;
    private final Map<String, Tensor> widened = new HashMap<>();

    SafetensorsFile(Path file, Map<String, Safetensors.Entry> entries, Map<String, String> metadata,
                    MemorySegment data, long mappedSize, Arena arena) {
        this.mappedSize = mappedSize;
        this.file = file;
        this.entries = entries;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.data = data;
        this.arena = arena;
    }

    public Path file() {
        return file;
    }

    /** The tensor names, in the header's order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Shape shape(String name) throws IOException {
        return entry(name).shape();
    }

    public Safetensors.Dtype dtype(String name) throws IOException {
        return entry(name).dtype();
    }

    /**
     * Tensor {@code name} as float32: a read-only view of the file for F32, a widened copy otherwise.
     * A file truncated since it was opened is refused here: reading a mapping past a file's end
     * would fault.
     */
    public Tensor tensor(String name) throws IOException {
        Safetensors.Entry e = entry(name);
        if (Files.size(file) < mappedSize) {
            throw Safetensors.bad(file, "the file shrank to " + Files.size(file) + " bytes since it was opened ("
                    + mappedSize + "); open it again");
        }
        MemorySegment bytes = data.asSlice(e.begin(), e.end() - e.begin());
        if (e.dtype() == Safetensors.Dtype.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return Tensor.wrap(e.shape(), bytes);
        }
        Tensor cached = widened.get(name);
        if (cached == null) {
            cached = widen(e, bytes);
            widened.put(name, cached);
        }
        return cached;
    }

    private Tensor widen(Safetensors.Entry e, MemorySegment bytes) {
        Tensor t = Tensor.allocate(arena, e.shape());
        for (long i = 0; i < t.size(); i++) {
            t.set(i, switch (e.dtype()) {
                case F32 -> bytes.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
                case F16 -> Float.float16ToFloat(bytes.getAtIndex(LE_SHORT, i));
                case BF16 -> WeightFormat.fromBf16(bytes.getAtIndex(LE_SHORT, i));
            });
        }
        return t;
    }

    private Safetensors.Entry entry(String name) throws IOException {
        Safetensors.Entry e = entries.get(name);
        if (e == null) {
            throw Safetensors.bad(file, "no tensor '" + name + "'");
        }
        return e;
    }
}
