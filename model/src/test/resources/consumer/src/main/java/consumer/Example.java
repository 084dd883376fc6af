package consumer;

import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.Sampling;
import dev.vecgpt.model.Tokenizer;
import java.nio.file.Path;

/** The README's "Using it as a library" example, as a user would write it. */
public class Example {

    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args[0]);
        // --- the README's example, line for line ---
        try (GptModel model = GptModel.load(checkpoint);                     // read once, shared by threads
             GptSession session = model.newSession()) {                      // one per thread
            Tokenizer tokenizer = new Tokenizer();
            int[] prompt = tokenizer.encode("Every effort moves you");
            Sampling sampling = Sampling.random(0.8f, 42).withTopK(40);       // seeded: same text every run
            session.generate(prompt, Generation.of(20, sampling), tokenizer.textTo(System.out::print));
        }
        // --- end of the example ---
        System.out.println();
    }
}
