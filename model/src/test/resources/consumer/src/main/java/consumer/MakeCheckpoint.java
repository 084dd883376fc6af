package consumer;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.io.Safetensors;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Writes a small random GPT-2 (GPT-2's vocabulary, 2 layers of width 64) as Hugging Face lays it out. */
public class MakeCheckpoint {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int vocab = GptConfig.GPT2_124M.vocabSize();
        int d = 64;
        int context = 64;
        SplittableRandom random = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("wte.weight", Tensor.allocate(arena, vocab, d));
            tensors.put("wpe.weight", Tensor.allocate(arena, context, d));
            for (int i = 0; i < 2; i++) {
                String h = "h." + i + ".";
                tensors.put(h + "ln_1.weight", Tensor.allocate(arena, d));
                tensors.put(h + "ln_1.bias", Tensor.allocate(arena, d));
                tensors.put(h + "attn.c_attn.weight", Tensor.allocate(arena, d, 3 * d));
                tensors.put(h + "attn.c_attn.bias", Tensor.allocate(arena, 3 * d));
                tensors.put(h + "attn.c_proj.weight", Tensor.allocate(arena, d, d));
                tensors.put(h + "attn.c_proj.bias", Tensor.allocate(arena, d));
                tensors.put(h + "ln_2.weight", Tensor.allocate(arena, d));
                tensors.put(h + "ln_2.bias", Tensor.allocate(arena, d));
                tensors.put(h + "mlp.c_fc.weight", Tensor.allocate(arena, d, 4 * d));
                tensors.put(h + "mlp.c_fc.bias", Tensor.allocate(arena, 4 * d));
                tensors.put(h + "mlp.c_proj.weight", Tensor.allocate(arena, 4 * d, d));
                tensors.put(h + "mlp.c_proj.bias", Tensor.allocate(arena, d));
            }
            tensors.put("ln_f.weight", Tensor.allocate(arena, d));
            tensors.put("ln_f.bias", Tensor.allocate(arena, d));
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                boolean scale = e.getKey().endsWith("ln_1.weight") || e.getKey().endsWith("ln_2.weight")
                        || e.getKey().equals("ln_f.weight");
                for (long i = 0; i < t.size(); i++) {
                    t.set(i, scale ? 1f : (float) random.nextGaussian() * 0.2f);
                }
            }
            Safetensors.write(file, tensors, Map.of("format", "pt"));
        }
        Files.writeString(file.resolveSibling("config.json"), "{\"n_head\": 4}");
    }
}
