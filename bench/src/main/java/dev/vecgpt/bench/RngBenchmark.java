package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.TorchGenerator;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What building a model costs in random numbers: PyTorch-identical {@code normal_} and {@code uniform_}
 * fills of a {@code [50257, 768]} tensor (the token-embedding table), one thread. The report gives
 * values/s. Construction of {@code DummyGptModel} draws two such tables and a small one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RngBenchmark {

    private Arena arena;
    private Tensor table;
    private TorchGenerator generator;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        table = Tensor.allocate(arena, GPT_CONFIG_124M.vocabSize(), GPT_CONFIG_124M.embDim());
        generator = new TorchGenerator(123);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Tensor normal() {
        generator.normal_(table, 0, 1);
        return table;
    }

    @Benchmark
    public Tensor uniform() {
        generator.uniform_(table, -1, 1);
        return table;
    }
}
