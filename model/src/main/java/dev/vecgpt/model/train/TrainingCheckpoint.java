package dev.vecgpt.model.train;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.io.Safetensors;
import dev.vecgpt.core.io.SafetensorsFile;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.TrainingPass;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint: one safetensors file with the parameters under the book's names (which
 * {@link GptModel#load} reads, so {@code generate --weights} and {@code score --weights} run it), AdamW's moments
 * under {@code optimizer.exp_avg.NAME} and {@code optimizer.exp_avg_sq.NAME}, and in the metadata the step count,
 * the progress (epochs, step, tokens seen, evaluations), the generator's state and a key of the run's settings,
 * so that a resumed run continues exactly where this one stopped. Written to a temporary file beside the target
 * and renamed over it, so an interrupted write never leaves a half-written checkpoint.
 */
public final class TrainingCheckpoint {

    static final String RUN = "vecgpt_run";
    static final String STEPS = "optimizer_steps";
    static final String EPOCHS_DONE = "epochs_done";
    static final String GLOBAL_STEP = "global_step";
    static final String TOKENS_SEEN = "tokens_seen";
    static final String EVALUATIONS = "evaluations";
    static final String GENERATOR = "generator_state";

    private TrainingCheckpoint() {}

    /**
     * Writes {@code trainer}'s model, optimizer and progress to {@code file}; {@code run} is a key of the settings a
     * resumed run must share (see {@link #runKey}).
     */
    public static void save(Path file, Trainer trainer, String run) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<TrainingPass.Parameter> params = trainer.pass().parameters();
        for (TrainingPass.Parameter p : params) {
            tensors.put(p.name(), p.value());
        }
        for (int i = 0; i < params.size(); i++) {
            tensors.put("optimizer.exp_avg." + params.get(i).name(), trainer.optimizer().expAvg().get(i));
            tensors.put("optimizer.exp_avg_sq." + params.get(i).name(), trainer.optimizer().expAvgSq().get(i));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("n_heads", Integer.toString(trainer.model().config().nHeads()));
        meta.put("drop_rate", Double.toString(trainer.model().config().dropRate()));
        meta.put(RUN, run);
        meta.put(STEPS, Long.toString(trainer.optimizer().steps()));
        meta.put(EPOCHS_DONE, Integer.toString(trainer.epochsDone()));
        meta.put(GLOBAL_STEP, Integer.toString(trainer.globalStep()));
        meta.put(TOKENS_SEEN, Long.toString(trainer.tokensSeen()));
        meta.put(EVALUATIONS, evaluations(trainer.evaluations()));
        meta.put(GENERATOR, Base64.getEncoder().encodeToString(trainer.generator().state()));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Safetensors.write(temp, tensors, meta);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The settings a checkpoint's run is keyed by: the model's configuration and everything but the epochs. */
    public static String runKey(GptConfig config, TrainingOptions o, DataLoader train, DataLoader val) {
        return config + " batch=" + o.batch() + " context=" + o.contextLength() + " stride=" + o.stride()
                + " lr=" + o.lr() + " weight_decay=" + o.weightDecay() + " max_grad_norm=" + o.maxGradNorm()
                + " eval_freq=" + o.evalFreq() + " eval_iter=" + o.evalIter() + " dropout=" + o.dropoutMode()
                + " data=" + fingerprint(train) + "/" + fingerprint(val);
    }

    private static String fingerprint(DataLoader loader) {
        return loader.windows().tokenCount() + ":" + Integer.toHexString(loader.windows().idsHash());
    }

    /** The metadata of a checkpoint, or an exception naming what is wrong with it; reads only the header. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, String> meta = Safetensors.open(file, arena).metadata();
            if (!meta.containsKey(RUN) || !meta.containsKey(GENERATOR)) {
                throw new IllegalArgumentException(file + " is not a training checkpoint of vecgpt train --save "
                        + "(no optimizer state)");
            }
            return meta;
        }
    }

    /**
     * Null if {@code file}'s run has the key {@code run}, else the one line saying how they differ.
     */
    public static String mismatch(Path file, String run) throws IOException {
        String saved = metadata(file).get(RUN);
        return saved.equals(run) ? null : file + " is from another configuration: it was saved by a run of ["
                + saved + "], this run is [" + run + "]";
    }

    /** The generator state saved in {@code file}, for the trainer of a resumed run. */
    public static TorchGenerator generator(Path file) throws IOException {
        return TorchGenerator.restore(Base64.getDecoder().decode(metadata(file).get(GENERATOR)));
    }

    /**
     * Restores the optimizer's moments and step count and the progress from {@code file} into {@code trainer},
     * whose model was loaded from the same file and whose generator came from {@link #generator}.
     */
    public static void restore(Path file, Trainer trainer, String run) throws IOException {
        String problem = mismatch(file, run);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsFile f = Safetensors.open(file, arena);
            List<TrainingPass.Parameter> params = trainer.pass().parameters();
            for (int i = 0; i < params.size(); i++) {
                copy(f, "optimizer.exp_avg." + params.get(i).name(), trainer.optimizer().expAvg().get(i));
                copy(f, "optimizer.exp_avg_sq." + params.get(i).name(), trainer.optimizer().expAvgSq().get(i));
            }
            Map<String, String> meta = f.metadata();
            trainer.optimizer().restoreSteps(Long.parseLong(meta.get(STEPS)));
            trainer.restore(Integer.parseInt(meta.get(EPOCHS_DONE)), Integer.parseInt(meta.get(GLOBAL_STEP)),
                    Long.parseLong(meta.get(TOKENS_SEEN)), evaluations(meta.get(EVALUATIONS)));
        }
    }

    private static void copy(SafetensorsFile f, String name, Tensor into) throws IOException {
        Tensor stored = f.tensor(name);
        if (!stored.shape().equals(into.shape())) {
            throw new IllegalArgumentException(f.file() + ": " + name + " is " + stored.shape() + ", expected "
                    + into.shape());
        }
        MemorySegment.copy(stored.segment(), 0, into.segment(), 0, into.segment().byteSize());
    }

    /** Evaluations as text: one {@code epoch,step,train,val,tokens} per evaluation, separated by {@code ;}. */
    static String evaluations(List<Trainer.Evaluation> list) {
        StringBuilder s = new StringBuilder();
        for (Trainer.Evaluation e : list) {
            s.append(s.isEmpty() ? "" : ";").append(e.epoch()).append(',').append(e.step()).append(',')
                    .append(e.trainLoss()).append(',').append(e.valLoss()).append(',').append(e.tokensSeen());
        }
        return s.toString();
    }

    static List<Trainer.Evaluation> evaluations(String text) {
        List<Trainer.Evaluation> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String item : text.split(";")) {
            String[] f = item.split(",");
            out.add(new Trainer.Evaluation(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Long.parseLong(f[4])));
        }
        return out;
    }
}
