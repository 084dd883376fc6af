package dev.vecgpt.spark;

import dev.vecgpt.model.Sampling;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Builds a row's {@link Sampling} from the options and the row's seed, as
 * {@code Sampling.random(temperature, seed).withTopK(k).withTopP(p)}, or {@code Sampling.greedy().withSeed(seed)}.
 *
 * <p>Why method handles: those methods belong to the sampling work, which lands separately; until then
 * {@code Sampling} is greedy only. Looked up at run time, this class compiles against either and uses the
 * full sampler as soon as the model jar has it. Once it has landed, these become direct calls.
 */
final class Samplers {

    private static final MethodHandle RANDOM = find(true, "random", MethodType.methodType(Sampling.class, float.class, long.class));
    private static final MethodHandle TOP_K = find(false, "withTopK", MethodType.methodType(Sampling.class, int.class));
    private static final MethodHandle TOP_P = find(false, "withTopP", MethodType.methodType(Sampling.class, float.class));
    private static final MethodHandle SEED = find(false, "withSeed", MethodType.methodType(Sampling.class, long.class));

    private Samplers() {
    }

    static Sampling of(VecGptOptions options, long seed) {
        try {
            if (options.temperature() == 0) {
                Sampling greedy = Sampling.greedy();
                return SEED == null ? greedy : (Sampling) SEED.invoke(greedy, seed); // greedy ignores it: no harm
            }
            if (RANDOM == null || TOP_K == null || TOP_P == null) {
                throw new UnsupportedOperationException("temperature " + options.temperature()
                        + " needs a vecgpt-model with Sampling.random; this one samples greedily only (temperature 0)");
            }
            Sampling s = (Sampling) RANDOM.invoke(options.temperature(), seed);
            if (options.topK() > 0) {
                s = (Sampling) TOP_K.invoke(s, options.topK());
            }
            if (options.topP() < 1) {
                s = (Sampling) TOP_P.invoke(s, options.topP());
            }
            return s;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static MethodHandle find(boolean isStatic, String name, MethodType type) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            return isStatic ? lookup.findStatic(Sampling.class, name, type) : lookup.findVirtual(Sampling.class, name, type);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
