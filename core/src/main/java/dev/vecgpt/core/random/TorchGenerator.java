package dev.vecgpt.core.random;

import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * PyTorch 1.13's CPU generator ({@code CPUGeneratorImpl}: mt19937 plus a cached normal sample) and the
 * float32 fills built on it, reproducing {@code torch.manual_seed(s)} followed by {@code uniform_},
 * {@code normal_} / {@code randn}, {@code nn.Linear}'s default init bit for bit on x86 (AVX2 kernels).
 *
 * <p>The recipes are described in this package's documentation, verified against PyTorch on tens of
 * millions of values; "recipe §n" below refers to its sections. Every fill writes the
 * tensor in flat row-major order, which for our always-contiguous tensors is PyTorch's order too.
 *
 * <p>Not thread-safe: like PyTorch's generator (which takes a mutex), one generator serves one thread at a time.
 */
public final class TorchGenerator {

    // ---- mt19937 (matches std::mt19937 and at::mt19937: init_genrand, twist, tempering) ----
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908B0DF;
    private static final int UPPER = 0x80000000;
    private static final int LOWER = 0x7FFFFFFF;

    private final int[] mt = new int[N];
    private int mti;

    /** at::CPUGeneratorImpl::next_double_normal_sample_ (used by the n < 16 normal path only). */
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** randperm_cpu draws 32-bit values below this n (uint32 max / 20). */
    private static final int RANDPERM_LIMIT = (int) (0xFFFF_FFFFL / 20);

    /** Floats generated per chunk before one bulk copy into the tensor; a multiple of 16 (the normal block). */
    private static final int CHUNK = 4096;

    public TorchGenerator(long seed) {
        manualSeed(seed);
    }

    /** A generator in this one's state, which then draws on its own (PyTorch's {@code get_state}/{@code set_state}). */
    public TorchGenerator copy() {
        TorchGenerator copy = new TorchGenerator(0);
        System.arraycopy(mt, 0, copy.mt, 0, N);
        copy.mti = mti;
        copy.hasCachedNormal = hasCachedNormal;
        copy.cachedNormal = cachedNormal;
        return copy;
    }

    /** The bytes of {@link #state()}: 624 state words, the position, the cached-normal flag and value. */
    public static final int STATE_BYTES = (N + 2) * Integer.BYTES + Double.BYTES;

    /**
     * This generator's whole state (as {@code torch.get_rng_state()}, in a layout of its own), for a checkpoint:
     * {@link #restore} makes a generator that then draws the same values.
     */
    public byte[] state() {
        ByteBuffer b = ByteBuffer.allocate(STATE_BYTES);
        for (int word : mt) {
            b.putInt(word);
        }
        b.putInt(mti).putInt(hasCachedNormal ? 1 : 0).putDouble(cachedNormal);
        return b.array();
    }

    /** A generator in the state {@link #state()} returned. */
    public static TorchGenerator restore(byte[] state) {
        if (state.length != STATE_BYTES) {
            throw new IllegalArgumentException("a generator state has " + STATE_BYTES + " bytes, got " + state.length);
        }
        ByteBuffer b = ByteBuffer.wrap(state);
        TorchGenerator g = new TorchGenerator(0);
        for (int i = 0; i < N; i++) {
            g.mt[i] = b.getInt();
        }
        int mti = b.getInt();
        int cached = b.getInt();
        if (mti < 0 || mti > N || (cached & ~1) != 0) {
            throw new IllegalArgumentException("not a generator state: position " + mti + ", cached flag " + cached);
        }
        g.mti = mti;
        g.hasCachedNormal = cached == 1;
        g.cachedNormal = b.getDouble();
        return g;
    }

    /**
     * Like {@code torch.manual_seed(seed)}: mt19937 seeded with the low 32 bits of {@code seed}
     * (at::mt19937 keeps {@code seed & 0xffffffff}; a negative Python seed is first taken modulo 2^64, which
     * gives the same low bits), and the cached normal sample cleared ({@code CPUGeneratorImpl::set_current_seed}).
     */
    public void manualSeed(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            int prev = mt[i - 1];
            mt[i] = 1812433253 * (prev ^ (prev >>> 30)) + i;
        }
        mti = N; // twist before the first output
        hasCachedNormal = false;
        cachedNormal = 0;
    }

    /** Regenerates all 624 state words (the standard mt19937 twist, split so no index needs a modulo). */
    private void twist() {
        int[] s = mt;
        int k = 0;
        for (; k < N - M; k++) {
            int y = (s[k] & UPPER) | (s[k + 1] & LOWER);
            s[k] = s[k + M] ^ (y >>> 1) ^ ((-(y & 1)) & MATRIX_A);
        }
        for (; k < N - 1; k++) {
            int y = (s[k] & UPPER) | (s[k + 1] & LOWER);
            s[k] = s[k + (M - N)] ^ (y >>> 1) ^ ((-(y & 1)) & MATRIX_A);
        }
        int y = (s[N - 1] & UPPER) | (s[0] & LOWER);
        s[N - 1] = s[M - 1] ^ (y >>> 1) ^ ((-(y & 1)) & MATRIX_A);
        mti = 0;
    }

    /** One raw 32-bit mt19937 output (PyTorch's {@code generator->random()}); read it as unsigned. */
    public int random() {
        if (mti >= N) {
            twist();
        }
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        y ^= y >>> 18;
        return y;
    }

    /** {@code generator->random64()}: two outputs, the first one is the HIGH word (make64BitsFrom32Bits(hi, lo)). */
    public long random64() {
        long hi = random() & 0xFFFF_FFFFL;
        long lo = random() & 0xFFFF_FFFFL;
        return (hi << 32) | lo;
    }

    /**
     * {@code torch.empty((), dtype=torch.int64).random_()}: one {@link #random64()} reduced modulo 2^63
     * (uniform_int_distribution&lt;int64_t&gt; over [0, 2^63)), so never negative. The DataLoader draws its
     * iterators' base seeds and RandomSampler its generator's seed this way.
     */
    public long randomInt64() {
        return random64() & Long.MAX_VALUE;
    }

    /**
     * {@code torch.randperm(n, generator=this)} on the CPU: the identity, then for i = 0 .. n-2 a swap of
     * element i with element i + z, z = random() % (n - i) with random() read as unsigned (randperm_cpu).
     * Limited to n below 2^32 / 20, the range in which randperm_cpu takes these 32-bit draws.
     */
    public int[] randperm(int n) {
        if (n < 0 || n >= RANDPERM_LIMIT) {
            throw new IllegalArgumentException("randperm supports 0 <= n < " + RANDPERM_LIMIT + ", got " + n);
        }
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) ((random() & 0xFFFF_FFFFL) % (n - i));
            int saved = r[i];
            r[i] = r[z + i];
            r[z + i] = saved;
        }
        return r;
    }

    /** Skips {@code count} raw outputs (same state as calling {@link #random()} that many times). */
    public void skip(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("cannot skip a negative number of outputs: " + count);
        }
        while (count > 0) {
            if (mti >= N) {
                twist();
            }
            int step = (int) Math.min(count, N - mti);
            mti += step;
            count -= step;
        }
    }

    /** at::uniform_real_distribution<float>: 24 random bits times 2^-24, exact, in [0, 1). */
    private float nextFloat01() {
        return (float) (random() & 0xFFFFFF) * 0x1p-24f;
    }

    /**
     * at::uniform_real_distribution<double> (used by the n < 16 normal path and by bernoulli):
     * 53 random bits of random64() times 2^-53, exact, in [0, 1).
     */
    double nextDouble01() {
        return (random64() & ((1L << 53) - 1)) * 0x1p-53;
    }

    /** Fills {@code buf[0, n)} with uniform floats in [0, 1), one raw output each (inlined for speed). */
    private void fillFloat01(float[] buf, int n) {
        int[] s = mt;
        for (int i = 0; i < n; i++) {
            if (mti >= N) {
                twist();
            }
            int y = s[mti++];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9D2C5680;
            y ^= (y << 15) & 0xEFC60000;
            y ^= y >>> 18;
            buf[i] = (float) (y & 0xFFFFFF) * 0x1p-24f;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // uniform_  (recipe §1; ATen/native/cpu/DistributionTemplates.h uniform_kernel + transformation::uniform_real)
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code t.uniform_(from, to)}: per element in order, {@code fma(u, to - from, from)} in float with
     * {@code from}, {@code to} first cast to float; the shipped kernel fuses the multiply-add (recipe §1).
     */
    public void uniform_(Tensor t, double from, double to) {
        checkWritable(t);
        if (!(from <= to)) {
            throw new IllegalArgumentException("uniform_ expects from <= to, got from=" + from + ", to=" + to);
        }
        float f = (float) from;
        float range = (float) to - f;
        MemorySegment seg = t.segment();
        long n = t.size();
        float[] buf = new float[CHUNK];
        for (long done = 0; done < n; ) {
            int len = (int) Math.min(CHUNK, n - done);
            fillFloat01(buf, len);
            for (int i = 0; i < len; i++) {
                buf[i] = Math.fma(buf[i], range, f);
            }
            MemorySegment.copy(buf, 0, seg, Tensor.FLOAT, done * Float.BYTES, len);
            done += len;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // normal_  (ATen/native/cpu/DistributionTemplates.h normal_kernel: float, contiguous and numel >= 16 goes
    // to normal_fill_AVX2 in float; anything smaller to at::normal_distribution<double> one element at a time)
    // ---------------------------------------------------------------------------------------------

    /** {@code t.normal_(mean, std)}; with mean 0 and std 1 this is {@code torch.randn}. */
    public void normal_(Tensor t, double mean, double std) {
        checkWritable(t);
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal_ expects std >= 0.0, got std=" + std);
        }
        long n = t.size();
        if (n >= 16) {
            normalFill(t.segment(), n, (float) mean, (float) std);
        } else {
            for (long i = 0; i < n; i++) {
                t.set(i, (float) Math.fma(nextNormalDouble(), std, mean));
            }
        }
    }

    /**
     * Recipe §3, at::normal_distribution<double> without the final scaling: returns the cached sin sample
     * if there is one, else draws u1 then u2 (53-bit doubles), caches r·sin(θ) and returns cos(θ)·r.
     * StrictMath (fdlibm) gives the same floats as glibc here (recipe §3: 0 mismatches in 440,000 values).
     */
    private double nextNormalDouble() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDouble01();
        double u2 = nextDouble01();
        double r = Math.sqrt(-2.0 * StrictMath.log(1.0 - u2));
        double theta = 6.283185307179586 * u1; // 2.0 * c10::pi<double>
        cachedNormal = r * StrictMath.sin(theta);
        hasCachedNormal = true;
        return StrictMath.cos(theta) * r;
    }

    /**
     * Recipe §2 (normal_fill_AVX2): n uniforms in order, Box-Muller on each 16-value block (lanes j and
     * j+8); if n % 16 != 0 the last 16 values are recomputed from 16 fresh uniforms. Works chunk by chunk:
     * blocks never straddle a chunk because chunks start at multiples of 16.
     */
    private void normalFill(MemorySegment seg, long n, float mean, float std) {
        float[] buf = new float[CHUNK];
        long full = n - n % 16;
        for (long done = 0; done < full; ) {
            int len = (int) Math.min(CHUNK, full - done);
            fillFloat01(buf, len);
            for (int o = 0; o < len; o += 16) {
                block(buf, o, mean, std);
            }
            MemorySegment.copy(buf, 0, seg, Tensor.FLOAT, done * Float.BYTES, len);
            done += len;
        }
        int rest = (int) (n - full);
        if (rest != 0) {
            // The first pass drew these `rest` uniforms too, but the kernel then overwrites them.
            skip(rest);
            fillFloat01(buf, 16);
            block(buf, 0, mean, std);
            MemorySegment.copy(buf, 0, seg, Tensor.FLOAT, (n - 16) * Float.BYTES, 16);
        }
    }

    private static float f(int bits) {
        return Float.intBitsToFloat(bits);
    }

    // Constants of log256_ps / sincos256_ps (avx_mathfun.h) as read from libtorch's .rodata (recipe §2).
    private static final float TWO_PI = f(0x40C90FDB);
    private static final int SQRTHF_BITS = 0x3F3504F3;
    private static final int ONE_BITS = 0x3F800000;
    private static final float P0 = f(0x3D9021BB), P1 = f(0xBDEBD1B8), P2 = f(0x3DEF251A), P3 = f(0xBDFE5D4F),
            P4 = f(0x3E11E9BF), P5 = f(0xBE2AAE50), P6 = f(0x3E4CCEAC), P7 = f(0xBE7FFFFC), P8 = f(0x3EAAAAAA);
    private static final float Q1 = f(0xB95E8083), Q2 = f(0x3F318000);
    private static final float FOPI = f(0x3FA2F983);
    private static final float NEG_DP1 = f(0xBF490000), NEG_DP2 = f(0xB97DA000), NEG_DP3 = f(0xB3222169);
    private static final float SIN_P0 = f(0xB94CA1F9), SIN_P1 = f(0x3C08839E), SIN_P2 = f(0xBE2AAAA3);
    private static final float COS_P0 = f(0x37CCF5CE), COS_P1 = f(0xBAB6061A), COS_P2 = f(0x3D2AAAA5);

    /** normal_fill_16_AVX2: Box-Muller on d[o..o+16), lane j pairs d[o+j] (radius) with d[o+j+8] (angle). */
    private static void block(float[] d, int o, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1.0f - d[o + j];
            float u2 = d[o + j + 8];
            float radius = (float) Math.sqrt(-2.0f * log(u1)); // float sqrt via double: correctly rounded
            float theta = TWO_PI * u2;
            // sincos256_ps, inlined so it can return two values without allocating (recipe §2 SINCOS).
            int signS = Float.floatToRawIntBits(theta) & 0x80000000;
            float x = Math.abs(theta);
            int q = (int) (x * FOPI);
            q = (q + 1) & ~1;
            float y = (float) q;
            signS ^= (q & 4) << 29;
            int polyMask = ((q & 2) >> 1) - 1; // all ones iff (q & 2) == 0
            int signC = (~(q - 2) & 4) << 29;
            x = Math.fma(y, NEG_DP1, x);
            x = Math.fma(y, NEG_DP2, x);
            x = Math.fma(y, NEG_DP3, x);
            float z = x * x;
            float yc = Math.fma(COS_P0, z, COS_P1);
            yc = Math.fma(yc, z, COS_P2);
            yc = yc * z;
            yc = Math.fma(yc, z, -(z * 0.5f));
            yc = yc + 1.0f;
            float ys = Math.fma(SIN_P0, z, SIN_P1);
            ys = Math.fma(ys, z, SIN_P2);
            ys = ys * z;
            ys = Math.fma(ys, x, x);
            // and/andnot with the lane mask as the kernel does (branch-free: the mask is random)
            float ysin2 = f(Float.floatToRawIntBits(ys) & polyMask);
            float ysin1 = f(Float.floatToRawIntBits(yc) & ~polyMask);
            ys = ys - ysin2;
            yc = yc - ysin1;
            float sin = f(Float.floatToRawIntBits(ysin1 + ysin2) ^ signS);
            float cos = f(Float.floatToRawIntBits(yc + ys) ^ signC);
            d[o + j] = Math.fma(radius * cos, std, mean);
            d[o + j + 8] = Math.fma(radius * sin, std, mean);
        }
    }

    /**
     * log256_ps as compiled (recipe §2 LOG), for x in [2^-24, 1] only: there its first steps
     * ({@code max(x, min_norm)} and the NaN result for x <= 0) change nothing, so they are left out.
     */
    private static float log(float xin) {
        int xb = Float.floatToRawIntBits(xin);
        float e = (float) ((xb >>> 23) - 127) + 1.0f;
        float x = f((xb & 0x807FFFFF) | 0x3F000000); // mantissa in [0.5, 1)
        // mask = x < SQRTHF, computed on the bits of these positive floats so that no branch is needed
        int mask = (Float.floatToRawIntBits(x) - SQRTHF_BITS) >> 31;
        float tmp = f(Float.floatToRawIntBits(x) & mask);
        x = x - 1.0f;
        e = e - f(ONE_BITS & mask);
        x = tmp + x;
        float z = x * x;
        float y = P0;
        y = Math.fma(y, x, P1);
        y = Math.fma(y, x, P2);
        y = Math.fma(y, x, P3);
        y = Math.fma(y, x, P4);
        y = Math.fma(y, x, P5);
        y = Math.fma(y, x, P6);
        y = Math.fma(y, x, P7);
        y = Math.fma(y, x, P8);
        y = y * x;
        y = Math.fma(y, z, e * Q1);
        y = Math.fma(-z, 0.5f, y);
        x = x + y;
        return Math.fma(e, Q2, x);
    }

    // ---------------------------------------------------------------------------------------------
    // exponential_  (PyTorch 1.13 CPU without MKL, which current releases use on every CPU:
    // at::exponential_distribution<double> then a cast to the tensor's dtype, one element at a time)
    // ---------------------------------------------------------------------------------------------

    /**
     * One Exp(λ) sample as {@code exponential_} draws it: {@code -1/λ · log(1 − u)} in double, with
     * {@code -1/λ} rounded first (transformation::exponential) and {@code u} the 53-bit uniform of one
     * {@link #random64()}; {@code 1 − u} is exact. {@code Math.log} is used because it agrees with glibc's
     * {@code log} on 99.9 % of these doubles (StrictMath: 93 %); where they differ it is by one ulp,
     * which the cast to float absorbs in all but about 2^-29 of the cases.
     */
    private double nextExponential(double negInvLambda) {
        return negInvLambda * Math.log(1.0 - nextDouble01());
    }

    private static double negInvLambda(double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("exponential_ expects a finite lambda > 0, got lambda=" + lambda);
        }
        return -1.0 / lambda;
    }

    /** {@code torch.empty(n).exponential_(lambda)} (float32) into {@code out}, in order; no allocation. */
    public void exponential_(float[] out, double lambda) {
        double k = negInvLambda(lambda);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) nextExponential(k);
        }
    }

    /** {@code torch.empty(n, dtype=torch.float64).exponential_(lambda)} into {@code out}, in order. */
    public void exponential_(double[] out, double lambda) {
        double k = negInvLambda(lambda);
        for (int i = 0; i < out.length; i++) {
            out[i] = nextExponential(k);
        }
    }

    /** {@code t.exponential_(lambda)} for a float32 tensor, in flat row-major order. */
    public void exponential_(Tensor t, double lambda) {
        checkWritable(t);
        double k = negInvLambda(lambda);
        long n = t.size();
        for (long i = 0; i < n; i++) {
            t.set(i, (float) nextExponential(k));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // nn.Linear.reset_parameters (torch/nn/modules/linear.py, torch/nn/init.py)
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code init.kaiming_uniform_(weight, a=math.sqrt(5))}, nn.Linear's default weight init. As
     * {@code init._calculate_fan_in_and_fan_out}: fan_in = dim(1) × the product of dims 2.. (for a Linear
     * weight [out, in] simply {@code in}). The bound is computed in double exactly as init.py does, then
     * {@link #uniform_} casts it to float.
     */
    public void kaimingUniform_(Tensor weight) {
        checkWritable(weight);
        Shape shape = weight.shape();
        if (shape.rank() < 2) {
            throw new IllegalArgumentException(
                    "fan in can not be computed for a tensor with fewer than 2 dimensions, got shape " + shape);
        }
        long fanIn = weight.size() / shape.dim(0);
        double a = Math.sqrt(5);
        double gain = Math.sqrt(2.0 / (1 + a * a)); // calculate_gain('leaky_relu', a); a ** 2 == a * a
        double std = gain / Math.sqrt(fanIn);
        double bound = Math.sqrt(3.0) * std;
        uniform_(weight, -bound, bound);
    }

    /**
     * nn.Linear's default bias init: {@code bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0;
     * init.uniform_(bias, -bound, bound)}, bound in double.
     */
    public void linearBiasUniform_(Tensor bias, int fanIn) {
        if (fanIn < 0) {
            throw new IllegalArgumentException("fanIn must be >= 0, got " + fanIn);
        }
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        uniform_(bias, -bound, bound);
    }

    static void checkWritable(Tensor t) {
        Objects.requireNonNull(t, "tensor");
        if (!t.isAlive()) {
            throw new IllegalStateException("tensor " + t.shape() + " belongs to a closed arena; it can no longer be written");
        }
    }
}
