package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.model.internal.DropoutState;
import dev.vecgpt.model.internal.TokenBatch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * One caller's state on a shared {@link GptModel}: the KV cache for a full context, the activations of
 * one decode step and the last logits, allocated once when the session opens and freed by
 * {@link #close()}. Not thread-safe: a session serves one thread at a time (a second thread calling in
 * meanwhile gets an {@link IllegalStateException} naming the first), and any number of sessions run at
 * once on one model, each on its own thread. (Not ONNX Runtime's {@code OrtSession}, which is the
 * loaded model shared by every caller: that is {@link GptModel} here.)
 *
 * <p>A session starts in eval mode. {@link #train()} turns on PyTorch's dropout, drawn from the
 * generator as building the model left it (so a seeded model's first training-mode pass draws the very
 * masks PyTorch draws after {@code torch.manual_seed(seed); GPTModel(config)}).
 *
 * <p>Close every session (try-with-resources). One dropped without {@code close()} is freed when the
 * garbage collector finds it unreachable, and the first such leak is logged; until then its memory
 * stays allocated and its model refuses to close.
 */
public final class GptSession implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GptSession.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();
    /** Whether a dropped session was logged in this JVM: one line is enough to find the leak. */
    static final AtomicBoolean LEAK_LOGGED = new AtomicBoolean();
    private static final VarHandle USER;

    static {
        try {
            USER = MethodHandles.lookup().findVarHandle(GptSession.class, "user", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GptModel model;
    private final GptConfig config;
    private final Memory memory;
    private final Cleaner.Cleanable cleanable;
    private final KvCache cache;
    private final Workspace step;
    private final Tensor stepLogits;
    /** The token at each position the cache holds, so a prompt that starts alike reuses those positions. */
    private final int[] cachedIds;
    private final float[] lastLogits;
    private final DropoutState dropout;
    private final long nativeBytes;
    /** The thread inside a call now, or null: set and cleared once per call, never per token. */
    @SuppressWarnings("unused") // through USER
    private volatile Thread user;

    /**
     * What a session frees, apart from the session itself, so that the cleaner can free it once the
     * session is unreachable: its memory, and its place in the model's count of open sessions.
     */
    private static final class Memory implements Runnable {
        final Arena arena = Arena.ofShared(); // shared: the kernels may hand work to their threads
        final GptModel model;
        volatile boolean closed;

        Memory(GptModel model) {
            this.model = model;
        }

        /** Runs once: from {@link GptSession#close()}, or from the cleaner for a session dropped open. */
        @Override
        public void run() {
            if (!closed && LEAK_LOGGED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "a GptSession was dropped without close(): the garbage "
                        + "collector freed its " + GptSession.bytes(model.config()) + " bytes late; close every "
                        + "session (try-with-resources). Logged once per JVM.");
            }
            closed = true;
            arena.close();
            model.sessionClosed();
        }
    }

    GptSession(GptModel model) {
        this.model = model;
        this.config = model.config();
        memory = new Memory(model);
        Arena arena = memory.arena;
        try {
            cache = new KvCache(config, arena);
            step = new Workspace(config, 1, 1, config.contextLength(), arena);
            stepLogits = Tensor.allocate(arena, 1, config.vocabSize());
            cachedIds = new int[config.contextLength()];
            lastLogits = new float[config.vocabSize()];
            dropout = new DropoutState(config.dropRate(), model.generatorAfterInit());
            dropout.training(false);
            nativeBytes = bytes(config);
        } catch (RuntimeException | Error e) { // e.g. OutOfMemoryError: the model's count is the caller's to undo
            arena.close();
            throw e;
        }
        cleanable = CLEANER.register(this, memory);
    }

    /**
     * Native bytes a session of {@code config} holds while open: keys and values of every layer for a
     * full context, plus one decode step's activations and logits. A prompt's first pass also takes
     * {@link #prefillBytes} for as long as it runs.
     */
    public static long bytes(GptConfig config) {
        return KvCache.bytes(config) + Workspace.bytes(config, 1, 1)
                + (long) config.vocabSize() * Float.BYTES;
    }

    /** Scratch bytes of one pass over {@code batch × length} new tokens (freed when the pass ends). */
    public static long prefillBytes(GptConfig config, int batch, int length) {
        return Workspace.bytes(config, batch, length);
    }

    /** What this session holds, {@link #bytes(GptConfig)} of its model's configuration. */
    public long nativeBytes() {
        return nativeBytes;
    }

    public GptModel model() {
        return model;
    }

    /** Dropout on, as a PyTorch module in training mode. */
    public GptSession train() {
        dropout.training(true);
        return this;
    }

    /** Dropout off (the default): passes draw no random numbers and are a pure function of the ids. */
    public GptSession eval() {
        dropout.training(false);
        return this;
    }

    public boolean isTraining() {
        return dropout.training();
    }

    /** How training-mode dropout draws its masks; {@link Dropout.Mode#X86_MKL} by default, as PyTorch on x86. */
    public GptSession dropoutMode(Dropout.Mode mode) {
        dropout.mode(mode);
        return this;
    }

    /**
     * Logits {@code [B, T, vocab]} for token ids {@code [B][T]}, allocated from {@code arena} (the
     * caller's; a shared one lets the kernels use their threads). Invalid ids throw before anything is
     * computed or drawn.
     */
    public Tensor forward(int[][] ids, Arena arena) {
        enter();
        try {
            TokenBatch batch = TokenBatch.of(ids, config);
            Tensor logits = Tensor.allocate(arena, Shape.of(batch.batch(), batch.length(), config.vocabSize()));
            try (Arena scratch = Arena.ofShared()) {
                Workspace ws = new Workspace(config, batch.batch(), batch.length(), batch.length(), scratch);
                model.hidden(batch.flat(), 0, ws, null, dropout);
                model.logits(ws.x, ws.normed, logits);
            }
            return logits;
        } finally {
            exit();
        }
    }

    /**
     * The cross-entropy and perplexity of the text {@code ids} under the model, in eval mode, over the
     * windows of {@code windows} (the book's {@code calc_loss_loader}: the mean over every target of
     * every window).
     *
     * @throws IllegalArgumentException if an id is outside the vocabulary or the text is too short for one
     *                                  window (the message says how many tokens it has and needs)
     */
    public Score score(int[] ids, ScoreWindows windows) {
        try (Scorer scorer = scorer(windows)) {
            scorer.accept(ids);
            return scorer.finish();
        }
    }

    /**
     * A scorer for a text fed in pieces (a file of gigabytes, tokenized as it is read), in bounded memory;
     * it scores in eval mode whatever this session's mode. Close it when done.
     */
    public Scorer scorer(ScoreWindows windows) {
        requireOpen(); // the scorer has memory of its own: any thread may use it
        windows.window(config.contextLength()); // a window longer than the context fails here
        DropoutState eval = new DropoutState(config.dropRate(), null);
        eval.training(false);
        return new Scorer(model, eval, windows);
    }

    /**
     * Generates after {@code prompt} as the book's {@code generate} does, in eval mode: each new token is
     * chosen by {@code generation}'s sampler from the last position's logits over the last
     * {@code context_length} tokens. Past keys and values are cached, so each new token costs one
     * position's work; they stay cached after the call, so a prompt that starts with this session's last
     * tokens (a conversation's next turn) reads only the rest, with the same results
     * ({@link #clearCache()} forgets them).
     *
     * @return the prompt followed by the new tokens (without a stop token)
     */
    public int[] generate(int[] prompt, Generation generation) {
        return generateWhile(prompt, generation, token -> true);
    }

    /** {@link #generate(int[], Generation)}, handing each new token to {@code onToken} as soon as it exists. */
    public int[] generate(int[] prompt, Generation generation, IntConsumer onToken) {
        return generateWhile(prompt, generation, token -> {
            onToken.accept(token);
            return true;
        });
    }

    /**
     * {@link #generate(int[], Generation)}, handing each new token to {@code onToken} as soon as it exists;
     * generation stops after a token for which it returns false.
     */
    public int[] generateWhile(int[] prompt, Generation generation, IntPredicate onToken) {
        return generate(prompt, generation, onToken, true);
    }

    /** With or without the KV cache (the same tokens either way): the uncached path re-reads the window each step. */
    int[] generate(int[] prompt, Generation generation, IntPredicate onToken, boolean useCache) {
        enter();
        try {
            check(prompt, generation);
            return generateChecked(prompt, generation, onToken, useCache);
        } finally {
            exit();
        }
    }

    private int[] generateChecked(int[] prompt, Generation generation, IntPredicate onToken, boolean useCache) {
        Sampler sampler = generation.sampling().start(config.vocabSize());
        boolean wasTraining = dropout.training();
        dropout.training(false);
        int end = prompt.length + generation.maxNewTokens(); // check() keeps it within an array's reach
        // Grown as tokens come: a caller may ask for many and stop after a few.
        int[] tokens = Arrays.copyOf(prompt, prompt.length + Math.min(generation.maxNewTokens(), config.contextLength()));
        int length = prompt.length;
        try {
            cache.truncate(useCache ? reusable(crop(tokens, length)) : 0);
            while (length < end) {
                int window = Math.min(length, config.contextLength());
                if (useCache && cache.length() == window - 1 && cache.length() > 0) {
                    step(tokens[length - 1]);
                } else {
                    // A new or changed prompt, no cache, or a full context: read the last context_length
                    // tokens, from the first one the cache does not hold.
                    if (!useCache || cache.length() >= window) {
                        cache.reset();
                    }
                    prefill(crop(tokens, length), useCache ? cache : null);
                }
                MemorySegment.copy(stepLogits.segment(), Tensor.FLOAT, 0, lastLogits, 0, lastLogits.length);
                int next = sampler.next(lastLogits);
                if (generation.stopsAt(next)) {
                    break;
                }
                if (length == tokens.length) {
                    tokens = Arrays.copyOf(tokens, (int) Math.min(end, 2L * tokens.length));
                }
                tokens[length++] = next;
                if (!onToken.test(next)) {
                    break;
                }
            }
        } finally {
            dropout.training(wasTraining);
        }
        return length == tokens.length ? tokens : Arrays.copyOf(tokens, length);
    }

    private void check(int[] prompt, Generation generation) {
        TokenBatch.of(new int[][] {crop(prompt, prompt.length)}, config); // ids in range, not empty
        if (prompt.length > Generation.MAX_TOKENS - generation.maxNewTokens()) {
            throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens and " + generation.maxNewTokens()
                    + " new ones are more than the " + Generation.MAX_TOKENS + " tokens one result holds");
        }
        for (int id : generation.stopIds()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("stop id " + id + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
    }

    /** The last {@code context_length} of the first {@code length} tokens. */
    private int[] crop(int[] tokens, int length) {
        return Arrays.copyOfRange(tokens, Math.max(0, length - config.contextLength()), length);
    }

    /**
     * How many of {@code window}'s first tokens the cache holds already, at the same positions: all
     * but at least the last, whose logits the next token needs.
     */
    private int reusable(int[] window) {
        int most = Math.min(cache.length(), window.length - 1);
        int same = 0;
        while (same < most && cachedIds[same] == window[same]) {
            same++;
        }
        return same;
    }

    /**
     * Runs the tokens of {@code window} that {@code kv} does not hold yet (all of them without a cache)
     * and leaves the last position's logits in {@code stepLogits}.
     */
    private void prefill(int[] window, KvCache kv) {
        int from = kv == null ? 0 : kv.length();
        int[] fresh = from == 0 ? window : Arrays.copyOfRange(window, from, window.length);
        try (Arena scratch = Arena.ofShared()) {
            Workspace ws = new Workspace(config, 1, fresh.length, window.length, scratch);
            model.lastHidden(fresh, from, ws, step, kv, dropout);
            lastLogits(step);
        }
        if (kv != null) {
            System.arraycopy(fresh, 0, cachedIds, from, fresh.length);
        }
    }

    private final int[] oneToken = new int[1];

    /** One new token at the cache's next position: the decode step. */
    private void step(int token) {
        int position = cache.length();
        oneToken[0] = token;
        model.hidden(oneToken, position, step, cache, dropout);
        cachedIds[position] = token;
        lastLogits(step);
    }

    /**
     * Forgets the cached positions, so that the next {@link #generate} reads its whole prompt (as a
     * benchmark of the prompt's pass needs); generation gives the same tokens either way.
     */
    public void clearCache() {
        enter();
        try {
            cache.reset();
        } finally {
            exit();
        }
    }

    private void lastLogits(Workspace ws) {
        model.logits(ws.lastX, ws.lastNormed, stepLogits);
    }

    /** A copy of the logits the last new token was chosen from. */
    float[] lastLogits() {
        return lastLogits.clone();
    }

    private void requireOpen() {
        if (memory.closed) {
            throw new IllegalStateException("this session is closed");
        }
    }

    /**
     * Marks the session as in use by this thread for one call, after checking that it is open: one
     * compare-and-set per call (a whole generation), none per token.
     *
     * @throws IllegalStateException if another call is inside it, naming that call's thread
     */
    private void enter() {
        Thread me = Thread.currentThread();
        if (!USER.compareAndSet(this, null, me)) {
            Thread other = (Thread) USER.getVolatile(this);
            throw new IllegalStateException("this session is in use by thread " + (other == null ? "another thread"
                    : "\"" + other.getName() + "\" (id " + other.threadId() + ")") + (other == me
                    ? ", this one: a callback of a call cannot call its session" : "")
                    + "; a session serves one thread at a time: open a session per thread (model.newSession())");
        }
        try {
            requireOpen();
        } catch (RuntimeException e) {
            exit();
            throw e;
        }
    }

    private void exit() {
        USER.setRelease(this, null);
    }

    /**
     * Frees the session's memory; closing twice does nothing.
     *
     * @throws IllegalStateException if another thread is inside a call of this session
     */
    @Override
    public void close() {
        if (memory.closed) {
            return;
        }
        enter();
        try {
            memory.closed = true;
            cleanable.clean();
        } finally {
            exit();
        }
    }
}
