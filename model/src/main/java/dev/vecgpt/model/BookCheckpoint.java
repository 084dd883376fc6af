package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.io.SafetensorsFile;
import dev.vecgpt.model.Gpt2Parameters.Parameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parameters from a checkpoint in the book's own layout, as {@code torch.save(model.state_dict())} names them
 * ({@code tok_emb.weight}, {@code trf_blocks.0.att.W_query.weight}, …, {@code out_head.weight}, linear weights
 * {@code [out, in]}): what {@code vecgpt train --save} writes. Without {@code out_head.weight} the head is tied
 * to the token embedding (a fine-tuned GPT-2). Tensors under {@link #OPTIMIZER_PREFIX} (the
 * optimizer's state) are not parameters and are skipped. The metadata may give {@link #HEADS} and
 * {@link #DROP_RATE}. Every tensor is copied out of the mapped file, so a training pass may update it in place.
 */
final class BookCheckpoint implements WeightSource {

    static final String OPTIMIZER_PREFIX = "optimizer.";
    static final String HEADS = "n_heads";
    static final String DROP_RATE = "drop_rate";

    private final SafetensorsFile file;
    private final Arena arena;
    private final Arena scratch;
    /** The token embedding once loaded (it comes first): a checkpoint without out_head ties the head to it. */
    private Tensor tokEmb;

    BookCheckpoint(SafetensorsFile file, GptConfig config, Arena arena, Arena scratch) {
        this.file = file;
        this.arena = arena;
        this.scratch = scratch;
        check(config);
    }

    /** True if {@code file} is in this layout (it has the book's token embedding). */
    static boolean holds(SafetensorsFile file) {
        return file.names().contains(Gpt2Parameters.TOKEN_EMBEDDING);
    }

    /** The configuration: sizes from the tensors, heads and dropout rate from the metadata (else GPT-2's). */
    static GptConfig config(SafetensorsFile file) throws IOException {
        Shape tok = file.shape(Gpt2Parameters.TOKEN_EMBEDDING);
        if (!file.names().contains(Gpt2Parameters.POSITION_EMBEDDING) || tok.rank() != 2) {
            throw new IllegalArgumentException(file.file() + " is not a checkpoint of the book's GPTModel: it needs "
                    + Gpt2Parameters.TOKEN_EMBEDDING + " [vocab, width] and " + Gpt2Parameters.POSITION_EMBEDDING);
        }
        int layers = 0;
        while (file.names().contains("trf_blocks." + layers + ".norm1.scale")) {
            layers++;
        }
        int width = tok.dim(1);
        String heads = file.metadata().get(HEADS);
        int nHeads;
        try {
            nHeads = heads != null ? Integer.parseInt(heads) : width / 64; // GPT-2's head width
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file.file() + ": metadata " + HEADS + " is not a number: " + heads);
        }
        String drop = file.metadata().getOrDefault(DROP_RATE, "0.1");
        double dropRate;
        try {
            dropRate = Double.parseDouble(drop);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file.file() + ": metadata " + DROP_RATE + " is not a number: " + drop);
        }
        boolean qkvBias = file.names().contains("trf_blocks.0.att.W_query.bias");
        return new GptConfig(tok.dim(0), file.shape(Gpt2Parameters.POSITION_EMBEDDING).dim(0), width, nHeads, layers,
                dropRate, qkvBias);
    }

    private void check(GptConfig config) {
        List<String> problems = new ArrayList<>();
        Set<String> unexpected = new TreeSet<>(file.names());
        unexpected.removeIf(name -> name.startsWith(OPTIMIZER_PREFIX));
        for (Parameter p : Gpt2Parameters.of(config)) {
            unexpected.remove(p.name());
            if (p.name().equals(Gpt2Parameters.OUT_HEAD) && !file.names().contains(p.name())) {
                continue; // tied to the token embedding
            }
            if (!file.names().contains(p.name())) {
                problems.add("missing " + p.name());
            } else if (!shape(p.name()).equals(p.shape())) {
                problems.add(p.name() + " is " + shape(p.name()) + ", expected " + p.shape());
            }
        }
        unexpected.forEach(name -> problems.add("unexpected " + name));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(file.file() + " is not a checkpoint of the book's GPTModel (" + config
                    + "): " + String.join("; ", problems));
        }
    }

    @Override
    public Tensor load(Parameter p) {
        if (p.name().equals(Gpt2Parameters.OUT_HEAD) && !file.names().contains(p.name())) {
            return tokEmb; // the same tensor: the model sees the head as tied
        }
        try {
            Tensor stored = file.tensor(p.name());
            Tensor copy = Tensor.allocate(p.kind() == Gpt2Parameters.Kind.LINEAR_WEIGHT ? scratch : arena, p.shape());
            MemorySegment.copy(stored.segment(), 0, copy.segment(), 0, copy.segment().byteSize());
            if (p.name().equals(Gpt2Parameters.TOKEN_EMBEDDING)) {
                tokEmb = copy;
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Shape shape(String name) {
        try {
            return file.shape(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
