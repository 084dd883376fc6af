package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native scratch memory of the calling thread, made once and grown when a call needs more, so the
 * attention kernels allocate nothing per call; freed with the thread. A kernel call holds it from
 * start to end and calls no other kernel meanwhile.
 */
final class Scratch {

    private static final ThreadLocal<MemorySegment[]> HELD = ThreadLocal.withInitial(() -> new MemorySegment[1]);

    private Scratch() {}

    /** This thread's scratch, at least {@code bytes} long and cache-line aligned; its contents are arbitrary. */
    static MemorySegment get(long bytes) {
        MemorySegment[] held = HELD.get();
        if (held[0] == null || held[0].byteSize() < bytes) {
            held[0] = Arena.ofAuto().allocate(bytes, Tensor.ALIGNMENT);
        }
        return held[0];
    }
}
