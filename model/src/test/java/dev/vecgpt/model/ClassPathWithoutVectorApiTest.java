package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library on the class path with ops-simd but without {@code --add-modules jdk.incubator.vector}:
 * the scalar kernels, and the one log line says why (the factory loads there, and only its first use of
 * the Vector API fails).
 */
class ClassPathWithoutVectorApiTest {

    @Test
    void runsOnTheScalarKernelsAndSaysWhy(@TempDir Path dir) throws Exception {
        ChildJvm run = ChildJvm.run(dir, List.of(), Child.class);
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().startsWith("vecgpt kernels: scalar (simd: Vector API kernels cannot load ("), run.toString());
        assertTrue(run.out().contains("run with --add-modules jdk.incubator.vector)"), run.toString());
        assertTrue(run.out().contains("generated [5, 17, 3, "), run.toString());
        long logged = run.err().lines().filter(l -> l.contains("vecgpt kernels: scalar")).count();
        assertEquals(1, logged, "one log line: " + run);
    }

    static final class Child {
        public static void main(String[] args) {
            System.out.println(KernelProvider.description());
            try (GptModel model = new GptModel(new GptConfig(97, 16, 32, 4, 2, 0.1, true), 7);
                 GptSession session = model.newSession()) {
                System.out.println("generated " + Arrays.toString(session.generate(new int[] {5, 17, 3},
                        Generation.greedy(3))));
            }
        }
    }
}
