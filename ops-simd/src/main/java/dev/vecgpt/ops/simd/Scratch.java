package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native scratch memory of the calling thread, made once and grown (at least doubled) when a call
 * needs more, so the kernels allocate nothing per call; freed with the thread. A kernel call holds it from
 * start to end and calls no other kernel meanwhile.
 */
final class Scratch {

    private static final ThreadLocal<MemorySegment[]> HELD = ThreadLocal.withInitial(() -> new MemorySegment[1]);
    /**
     * The first size: a decode step's attention (16 KB at 1024 positions) fits, so a session's
     * growing key count does not make a new scratch per step (each old one would be freed whenever
     * the garbage collector gets to it).
     */
    private static final long FIRST_BYTES = 64 * 1024;

    private Scratch() {}

    /** This thread's scratch, at least {@code bytes} long and cache-line aligned; its contents are arbitrary. */
    static MemorySegment get(long bytes) {
        MemorySegment[] held = HELD.get();
        if (held[0] == null || held[0].byteSize() < bytes) {
            long grown = held[0] == null ? FIRST_BYTES : 2 * held[0].byteSize();
            held[0] = Arena.ofAuto().allocate(Math.max(bytes, grown), Tensor.ALIGNMENT);
        }
        return held[0];
    }
}
