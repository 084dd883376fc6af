package dev.vecgpt.bench;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.TrainingPass;
import dev.vecgpt.model.train.AdamW;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of the book's chapter-5 model (GPTModel 124M, context 256, seed 123) at batch 2 × 256 tokens,
 * as {@code train_model_simple} takes it and as the peers' training anchors time llm.c and PyTorch:
 * {@code step} = zero_grad, forward and backward in train mode (portable dropout), AdamW's update; and its parts
 * {@code forwardBackward} and {@code adamW} alone, for the split of a step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class TrainStepBenchmark {

    static final int BATCH = 2;
    static final int CONTEXT = 256;

    @Param({"1", "2"})
    public int threads;

    private Kernels kernels;
    private GptModel model;
    private TrainingPass pass;
    private AdamW adamW;
    private TorchGenerator rng;
    private int[] inputs;
    private int[] targets;

    @Setup(Level.Trial)
    public void setUp() {
        GptConfig book = new GptConfig(50257, CONTEXT, 768, 12, 12, 0.1, false);
        kernels = KernelProvider.byName("simd").withThreads(threads);
        model = new GptModel(book, 123, ModelOptions.DEFAULT.withKernels(kernels));
        pass = model.newTrainingPass(BATCH, CONTEXT);
        List<Tensor> values = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        for (TrainingPass.Parameter p : pass.parameters()) {
            values.add(p.value());
            grads.add(p.grad());
        }
        adamW = new AdamW(values, grads, AdamW.Settings.of(4e-4, 0.1));
        rng = model.generatorAfterInit();
        SplittableRandom random = new SplittableRandom(5);
        int[] text = random.ints(BATCH * CONTEXT + 1, 0, book.vocabSize()).toArray();
        inputs = Arrays.copyOfRange(text, 0, BATCH * CONTEXT);
        targets = Arrays.copyOfRange(text, 1, BATCH * CONTEXT + 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        adamW.close();
        pass.close();
        model.close();
        kernels.close();
    }

    @Benchmark
    public float step() {
        pass.zeroGrad();
        float loss = pass.forwardBackward(inputs, targets, rng, Dropout.Mode.PORTABLE);
        adamW.step();
        return loss;
    }

    @Benchmark
    public float forwardBackward() {
        pass.zeroGrad();
        return pass.forwardBackward(inputs, targets, rng, Dropout.Mode.PORTABLE);
    }

    @Benchmark
    public long adamW() {
        adamW.step();
        return adamW.steps();
    }
}
