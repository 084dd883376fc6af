package dev.vecgpt.spark;

import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.io.Safetensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a random GPT-2 with GPT-2's vocabulary (so the real tokenizer applies) as Hugging Face lays it
 * out ({@code model.safetensors} and a {@code config.json} with {@code n_head}): for tests, the benchmark
 * and trying the job without downloading weights. Its scores are those of noise, not of English.
 */
public final class RandomCheckpoint {

    public static final int VOCAB = 50257;

    private RandomCheckpoint() {
    }

    /** {@code java ... RandomCheckpoint FILE [WIDTH LAYERS HEADS CONTEXT]} (default 64 2 4 64). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1 && args.length != 5) {
            System.err.println("usage: RandomCheckpoint FILE [WIDTH LAYERS HEADS CONTEXT]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        if (args.length == 1) {
            write(file, 64, 2, 4, 64, 7);
        } else {
            write(file, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), 7);
        }
        System.out.println("wrote " + file + " and " + file.resolveSibling("config.json"));
    }

    /** Layer-norm scales 1, everything else N(0, 0.2²) from {@code seed}. */
    public static void write(Path file, int width, int layers, int heads, int context, long seed) throws IOException {
        int d = width;
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("wte.weight", Tensor.allocate(arena, VOCAB, d));
            t.put("wpe.weight", Tensor.allocate(arena, context, d));
            for (int i = 0; i < layers; i++) {
                String h = "h." + i + ".";
                t.put(h + "ln_1.weight", Tensor.allocate(arena, d));
                t.put(h + "ln_1.bias", Tensor.allocate(arena, d));
                t.put(h + "attn.c_attn.weight", Tensor.allocate(arena, d, 3 * d));
                t.put(h + "attn.c_attn.bias", Tensor.allocate(arena, 3 * d));
                t.put(h + "attn.c_proj.weight", Tensor.allocate(arena, d, d));
                t.put(h + "attn.c_proj.bias", Tensor.allocate(arena, d));
                t.put(h + "ln_2.weight", Tensor.allocate(arena, d));
                t.put(h + "ln_2.bias", Tensor.allocate(arena, d));
                t.put(h + "mlp.c_fc.weight", Tensor.allocate(arena, d, 4 * d));
                t.put(h + "mlp.c_fc.bias", Tensor.allocate(arena, 4 * d));
                t.put(h + "mlp.c_proj.weight", Tensor.allocate(arena, 4 * d, d));
                t.put(h + "mlp.c_proj.bias", Tensor.allocate(arena, d));
            }
            t.put("ln_f.weight", Tensor.allocate(arena, d));
            t.put("ln_f.bias", Tensor.allocate(arena, d));
            for (Map.Entry<String, Tensor> e : t.entrySet()) {
                boolean scale = e.getKey().matches("(h\\.\\d+\\.ln_[12]|ln_f)\\.weight");
                Tensor tensor = e.getValue();
                for (long i = 0; i < tensor.size(); i++) {
                    tensor.set(i, scale ? 1f : (float) random.nextGaussian() * 0.2f);
                }
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Safetensors.write(file, t, Map.of("format", "pt"));
        }
        Files.writeString(file.resolveSibling("config.json"), "{\"n_head\": " + heads + "}");
    }
}
