package dev.vecgpt.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS as JavaCPP's {@code org.bytedeco:openblas} ships it (its own libopenblas, extracted from the
 * jar on first use): the BLAS-only bindings, the thread count, and which build and CPU kernel run.
 */
final class OpenBlas {

    private OpenBlas() {}

    /** Loads the native libraries (once per JVM; later calls return at once). */
    static void load() {
        Loader.load(openblas_nolapack.class);
    }

    /** {@code openblas_set_num_threads}, through the preset's wrapper (the binding itself skips it). */
    static void threads(int n) {
        load();
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(n);
    }

    static int threads() {
        load();
        return org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
    }

    /**
     * A view of a native segment as a JavaCPP pointer, with no copy: {@code FloatPointer(FloatBuffer)}
     * takes the address of a direct buffer, and {@link MemorySegment#asByteBuffer()} of a native segment is
     * one. The segment must stay alive while the pointer is used (the buffer does not keep it alive).
     */
    static FloatPointer pointer(MemorySegment segment) {
        return new FloatPointer(segment.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer());
    }

    /**
     * {@code openblas_get_corename()} and {@code openblas_get_config()}, e.g. {@code "Zen (OpenBLAS 0.3.31
     * DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=128)"}: the kernel chosen at run time (by CPUID, or by
     * {@code OPENBLAS_CORETYPE} if set) and the build. The preset does not bind these, so they are called
     * through the FFM API at the addresses JavaCPP resolves; "unknown" if that fails.
     */
    static String describe() {
        load();
        return call("openblas_get_corename") + " (" + call("openblas_get_config") + "; OPENBLAS_CORETYPE="
                + System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset") + ")";
    }

    /** Restricted FFM methods: the forked JVM runs with {@code --enable-native-access=ALL-UNNAMED}. */
    @SuppressWarnings("restricted")
    private static String call(String function) {
        try {
            Pointer address = Loader.addressof(function);
            if (address == null || address.isNull()) {
                return "unknown";
            }
            MethodHandle handle = Linker.nativeLinker().downcallHandle(
                    MemorySegment.ofAddress(address.address()), FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment text = (MemorySegment) handle.invokeExact();
            return text.reinterpret(1024).getString(0);
        } catch (Throwable e) {
            return "unknown (" + e + ")";
        }
    }
}
