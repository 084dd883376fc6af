package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.WeightFormat;
import org.junit.jupiter.api.Test;

/** {@code --threads} within the processors, and {@code --format} in any case (as Spark's {@code ScoreJob} takes it). */
class ThreadsAndFormatTest {

    @Test
    void moreThreadsThanProcessorsAreRefusedBeforeAnyModelIsBuilt() {
        int processors = Runtime.getRuntime().availableProcessors();
        int builds = Generate.BUILDS.get();
        for (String command : new String[] {"generate", "score"}) {
            Cli cli = Cli.run(command, "--threads", "1000", "x.txt");
            assertEquals(2, cli.status(), cli.err());
            assertEquals("vecgpt: --threads 1000: must be 1 to " + processors + ", the processors this JVM may use (see"
                    + " 'vecgpt " + command + " --help')", cli.err().strip());
        }
        assertEquals(builds, Generate.BUILDS.get());
    }

    @Test
    void formatsAreTakenInAnyCase() {
        for (String name : new String[] {"bf16", "BF16", "Bf16"}) {
            GenerateCommand generate = Cli.parse("generate", "--format", name);
            ScoreCommand score = Cli.parse("score", "--format", name, "x.txt");
            assertEquals(WeightFormat.BF16, generate.format);
            assertEquals(WeightFormat.BF16, score.format);
        }
    }
}
