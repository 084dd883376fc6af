package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.internal.DropoutState;
import dev.vecgpt.model.internal.TokenBatch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Many generations on one {@link GptModel} at once, as a server runs them: {@link #step()} advances every
 * active sequence by one token, reading each weight once for all of them (one matmul over as many rows
 * as there are sequences, for every linear layer and the output head; attention per sequence over its
 * own KV cache). A sequence {@link #join joins} between steps (its prompt's pass runs then and chooses
 * its first token) and leaves when it draws a stop id, reaches its {@code maxNewTokens} or is
 * {@link Sequence#cancel() cancelled}.
 *
 * <p>Every sequence gets, bit for bit, the tokens and logits that {@link GptSession#generate} gives the
 * same prompt and {@link Generation} alone: the kernels compute each row of a product on its own, so
 * its neighbours change nothing.
 *
 * <p>A batch serves one thread at a time (the one that joins and steps); only {@link Sequence#cancel()}
 * may be called from any thread. Each sequence holds a KV cache for a full context, made on first need
 * and reused by the sequences after it; {@link #close()} frees them.
 */
public final class GptBatch implements AutoCloseable {

    /** Why a sequence left the batch. */
    public enum Finish {
        /** It generated {@code maxNewTokens} tokens. */
        LENGTH,
        /** It drew one of its stop ids (not delivered). */
        STOP,
        /** {@link Sequence#cancel()} was called, or its listener threw. */
        CANCELLED
    }

    /** What a sequence tells its owner; called on the stepping thread. */
    public interface Listener {

        /**
         * A new token, and the logits {@code [vocab]} it was chosen from (as the model gave them: before
         * top-k, temperature and top-p). The array is the batch's and valid during this call only.
         */
        void onToken(Sequence sequence, int token, float[] logits);

        /** The sequence has left the batch; called once, last. */
        void onFinish(Sequence sequence, Finish finish);
    }

    private final GptModel model;
    private final GptConfig config;
    private final Kernels kernels;
    private final int capacity;
    private final Arena arena = Arena.ofShared(); // shared: the kernels may hand work to their threads
    private final DropoutState eval;
    private final List<Sequence> active = new ArrayList<>();
    private final ArrayDeque<Slot> freeSlots = new ArrayDeque<>();
    /** Scratch of a step over m rows, at index m - 1, made on first need. */
    private final Rows[] rows;
    private boolean closed;

    GptBatch(GptModel model, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity is " + capacity + ", must be >= 1");
        }
        this.model = model;
        this.config = model.config();
        this.kernels = model.kernels();
        this.capacity = capacity;
        this.rows = new Rows[capacity];
        eval = new DropoutState(config.dropRate(), null);
        eval.training(false);
    }

    public GptModel model() {
        return model;
    }

    /** The most sequences this batch holds at once. */
    public int capacity() {
        return capacity;
    }

    /** Sequences in the batch now. */
    public int active() {
        return active.size();
    }

    /**
     * Adds a sequence: runs its prompt's pass and chooses its first token (handed to {@code listener}
     * before this returns, as every later one is during a {@link #step()}). A generation of zero tokens,
     * or one whose first token is a stop id, finishes here and takes no place.
     *
     * @throws IllegalArgumentException if the prompt is empty, an id (of the prompt or a stop id) is outside
     *                                  the vocabulary, or the sampling's top-k exceeds it; nothing is run then
     * @throws IllegalStateException    if the batch is full or closed
     */
    public Sequence join(int[] prompt, Generation generation, Listener listener) {
        requireOpen();
        TokenBatch.of(new int[][] {crop(prompt, prompt.length)}, config); // ids in range, not empty
        for (int id : generation.stopIds()) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("stop id " + id + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        Sampler sampler = generation.sampling().start(config.vocabSize());
        if (active.size() == capacity) {
            throw new IllegalStateException("the batch is full: " + capacity + " sequences");
        }
        Sequence sequence = new Sequence(prompt, generation, sampler, listener);
        if (generation.maxNewTokens() == 0) {
            sequence.finish(Finish.LENGTH);
            return sequence;
        }
        sequence.slot = freeSlots.isEmpty() ? new Slot() : freeSlots.pop();
        active.add(sequence);
        prefill(sequence);
        choose(sequence);
        leave(s -> s.done);
        return sequence;
    }

    /**
     * One new token for every sequence in the batch (a cancelled one leaves first, without one), then
     * those that are done leave. Does nothing on an empty batch.
     */
    public void step() {
        requireOpen();
        leave(s -> s.cancelled ? Finish.CANCELLED : null);
        List<Sequence> decoding = new ArrayList<>(active.size());
        for (Sequence s : active) {
            if (s.slot.cache.length() == s.length - 1) {
                decoding.add(s);
            } else {
                prefill(s); // its context is full: the last context_length tokens again, as GptSession does
            }
        }
        if (!decoding.isEmpty()) {
            decode(decoding);
        }
        for (Sequence s : active) {
            choose(s);
        }
        leave(s -> s.done);
    }

    /** The positions of every sequence's last token, one row each, through the model together. */
    private void decode(List<Sequence> sequences) {
        int m = sequences.size();
        Rows r = rows(m);
        for (int i = 0; i < m; i++) {
            Sequence s = sequences.get(i);
            r.ids[i] = s.tokens[s.length - 1];
        }
        Workspace ws = r.ws;
        kernels.gather(model.tokenEmbedding(), r.ids, ws.x);
        for (int i = 0; i < m; i++) {
            kernels.add(r.x[i], model.positionRow(sequences.get(i).slot.cache.length()), r.x[i]);
        }
        List<TransformerBlock> blocks = model.blocks();
        for (int layer = 0; layer < blocks.size(); layer++) {
            TransformerBlock block = blocks.get(layer);
            MultiHeadAttention att = block.att();
            block.norm1().forward(ws.x, ws.normed);
            att.query().forward(ws.normed, ws.q);
            att.key().forward(ws.normed, ws.k);
            att.value().forward(ws.normed, ws.v);
            for (int i = 0; i < m; i++) {
                KvCache cache = sequences.get(i).slot.cache;
                cache.append(kernels, layer, r.k[i], r.v[i]);
                kernels.attention(r.q[i], cache.keys(layer), cache.values(layer), cache.length() + 1, att.heads(),
                        r.context[i]);
            }
            att.outProj().forward(ws.context, ws.out);
            kernels.add(ws.x, ws.out, ws.x);
            block.norm2().forward(ws.x, ws.normed);
            block.ff().forward(ws.normed, ws);
            kernels.add(ws.x, ws.out, ws.x);
        }
        model.logits(ws.x, ws.normed, r.logits);
        for (int i = 0; i < m; i++) {
            Slot slot = sequences.get(i).slot;
            slot.cache.advance(1);
            MemorySegment.copy(r.logits.segment(), Tensor.FLOAT, (long) i * config.vocabSize() * Float.BYTES,
                    slot.logits, 0, slot.logits.length);
        }
    }

    /** The sequence's last {@code context_length} tokens from an empty cache, as {@link GptSession} reads a prompt. */
    private void prefill(Sequence s) {
        int[] window = crop(s.tokens, s.length);
        KvCache cache = s.slot.cache;
        cache.reset();
        Rows one = rows(1);
        try (Arena scratch = Arena.ofShared()) {
            Workspace ws = new Workspace(config, 1, window.length, window.length, scratch);
            model.lastHidden(window, 0, ws, one.ws, cache, eval);
        }
        model.logits(one.ws.lastX, one.ws.lastNormed, one.logits.reshape(Shape.of(1, config.vocabSize())));
        MemorySegment.copy(one.logits.segment(), Tensor.FLOAT, 0, s.slot.logits, 0, s.slot.logits.length);
    }

    /** Chooses the sequence's next token from its slot's logits and hands it over, or finishes it. */
    private void choose(Sequence s) {
        Slot slot = s.slot;
        System.arraycopy(slot.logits, 0, slot.scratch, 0, slot.logits.length);
        int next = s.sampler.next(slot.scratch);
        if (s.generation.stopsAt(next)) {
            s.done = Finish.STOP;
            return;
        }
        s.tokens[s.length++] = next;
        try {
            s.listener.onToken(s, next, slot.logits);
        } catch (RuntimeException e) {
            s.failure = e;
            s.cancelled = true;
        }
        if (s.length == s.tokens.length) {
            s.done = Finish.LENGTH;
        } else if (s.cancelled) {
            s.done = Finish.CANCELLED;
        }
    }

    /** Removes the sequences for which {@code done} names a finish, in order, freeing their slots. */
    private void leave(Function<Sequence, Finish> done) {
        for (int i = 0; i < active.size(); ) {
            Sequence s = active.get(i);
            Finish finish = done.apply(s);
            if (finish == null) {
                i++;
                continue;
            }
            active.remove(i);
            freeSlots.push(s.slot);
            s.slot = null;
            s.finish(finish);
        }
    }

    private int[] crop(int[] tokens, int length) {
        return Arrays.copyOfRange(tokens, Math.max(0, length - config.contextLength()), length);
    }

    private Rows rows(int m) {
        if (rows[m - 1] == null) {
            rows[m - 1] = new Rows(m);
        }
        return rows[m - 1];
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this batch is closed");
        }
    }

    /**
     * Cancels every sequence still in the batch (each listener hears {@link Finish#CANCELLED}) and frees
     * the batch's memory; closing twice does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            leave(s -> Finish.CANCELLED);
        } finally {
            arena.close();
            model.sessionClosed();
        }
    }

    /** One generation in a batch. */
    public final class Sequence {

        private final int[] tokens;
        private final int promptLength;
        private final Generation generation;
        private final Sampler sampler;
        private final Listener listener;
        private int length;
        private Slot slot;
        private volatile boolean cancelled;
        /** Set when it is done, until it leaves. */
        private Finish done;
        private volatile Finish finish;
        private RuntimeException failure;

        private Sequence(int[] prompt, Generation generation, Sampler sampler, Listener listener) {
            this.tokens = Arrays.copyOf(prompt, prompt.length + generation.maxNewTokens());
            this.promptLength = prompt.length;
            this.length = prompt.length;
            this.generation = generation;
            this.sampler = sampler;
            this.listener = listener;
        }

        /** Asks the batch to drop this sequence at its next step; any thread may call it. */
        public void cancel() {
            cancelled = true;
        }

        /** Why it left, or null while it is in the batch. */
        public Finish finish() {
            return finish;
        }

        public Generation generation() {
            return generation;
        }

        public int promptLength() {
            return promptLength;
        }

        /** The prompt and the tokens generated so far (read it on the stepping thread or after the finish). */
        public int[] tokens() {
            return Arrays.copyOf(tokens, length);
        }

        /** What the listener threw, which cancelled the sequence; null otherwise. */
        public RuntimeException failure() {
            return failure;
        }

        private void finish(Finish why) {
            finish = why;
            try {
                listener.onFinish(this, why);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
    }

    /** A sequence's place: its KV cache and logits, kept for the next sequence when it leaves. */
    private final class Slot {
        final KvCache cache = new KvCache(config, arena);
        final float[] logits = new float[config.vocabSize()];
        final float[] scratch = new float[config.vocabSize()];

    }

    /** A step over m rows: a workspace of m positions and views of its rows, made once. */
    private final class Rows {
        final Workspace ws;
        final int[] ids;
        final Tensor[] x;
        final Tensor[] q;
        final Tensor[] k;
        final Tensor[] v;
        final Tensor[] context;
        final Tensor logits;

        Rows(int m) {
            ws = new Workspace(config, 1, m, 1, arena);
            ids = new int[m];
            x = rowsOf(ws.x, m);
            q = rowsOf(ws.q, m);
            k = rowsOf(ws.k, m);
            v = rowsOf(ws.v, m);
            context = rowsOf(ws.context, m);
            logits = Tensor.allocate(arena, 1, m, config.vocabSize());
        }

        /** Views {@code [1, 1, D]} of the rows of {@code t [1, m, D]}. */
        private static Tensor[] rowsOf(Tensor t, int m) {
            int d = t.shape().dim(2);
            Tensor flat = t.reshape(Shape.of(m, d));
            Tensor[] views = new Tensor[m];
            for (int i = 0; i < m; i++) {
                views[i] = flat.slice(i, i + 1).reshape(Shape.of(1, 1, d));
            }
            return views;
        }
    }
}
