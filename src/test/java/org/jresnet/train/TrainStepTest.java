package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.BatchStatsHook;
import org.jresnet.nn.RandomTensors;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The one training step: what it computes, and that its seams carry what plugs into them. */
class TrainStepTest {
    /** CIFAR ResNet-20 on 8x8 images: every kind of layer, small enough to be quick. */
    private static final int BATCH = 8, SIZE = 8, CLASSES = 10;
    private static final float LR = 0.1f, MOMENTUM = 0.9f, WEIGHT_DECAY = 1e-4f;

    private static ResNet model() {
        ResNet m = Models.create(ModelConfig.of("resnet20").withSeed(5));
        m.setTraining(true);
        return m;
    }

    private static Sgd sgd(ResNet m) { return new Sgd(m.parameters(), MOMENTUM, WEIGHT_DECAY, false); }

    private static Tensor images(long seed, int n) { return RandomTensors.gaussian(seed, n, SIZE, SIZE, 3); }

    private static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (i * 7 + 3) % CLASSES;
        return y;
    }

    /** Every parameter and buffer by key. */
    private static Map<String, float[]> state(ResNet m) {
        Map<String, float[]> s = new LinkedHashMap<>();
        m.parameters().forEach((k, p) -> s.put(k, p.value().toArray()));
        m.buffers().forEach((k, b) -> s.put(k, b.value().toArray()));
        return s;
    }

    private static void assertSameState(Map<String, float[]> got, Map<String, float[]> want) {
        assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
        for (String k : want.keySet()) assertThat(got.get(k)).as(k).isEqualTo(want.get(k));
    }

    @Test
    void computesExactlyTheStepWrittenOut() {
        ResNet a = model(), b = model();
        TrainStep step = TrainStep.builder(a, sgd(a)).build();
        Sgd opt = sgd(b);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        for (int i = 0; i < 2; i++) {
            Tensor x = images(i, BATCH);
            TrainStep.Result r = step.run(x, labels(BATCH), LR);
            b.zeroGrad();
            float loss = ce.forward(b.forward(x), labels(BATCH));
            b.backward(ce.backward());
            opt.step(LR);
            assertThat(r.loss()).isEqualTo(loss);
            assertThat(r.correct()).isEqualTo(ce.correct());
            assertThat(r.batch()).isEqualTo(BATCH);
        }
        assertThat(step.steps()).isEqualTo(2);
        assertSameState(state(a), state(b));
    }

    @Test
    void labelSmoothingTrainsOnTheSmoothedLoss() {
        ResNet a = model(), b = model(), plain = model();
        TrainStep step = TrainStep.builder(a, sgd(a)).labelSmoothing(0.1).build();
        TrainStep plainStep = TrainStep.builder(plain, sgd(plain)).build();
        Sgd opt = sgd(b);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(0.1);
        for (int i = 0; i < 2; i++) {
            Tensor x = images(i, BATCH);
            TrainStep.Result r = step.run(x, labels(BATCH), LR);
            plainStep.run(x, labels(BATCH), LR);
            b.zeroGrad();
            float loss = ce.forward(b.forward(x), labels(BATCH));
            b.backward(ce.backward());
            opt.step(LR);
            assertThat(r.loss()).isEqualTo(loss);
        }
        assertThat(step.labelSmoothing()).isEqualTo(0.1);
        assertSameState(state(a), state(b));
        assertThat(state(a).get("fc.weight")).as("the plain loss leads elsewhere").isNotEqualTo(state(plain).get("fc.weight"));
        assertThatThrownBy(() -> TrainStep.builder(a, sgd(a)).labelSmoothing(1.5)).hasMessageContaining("[0, 1)");
    }

    @Test
    void theFlatGradientBufferHoldsEveryGradientAndChangesNoResult() {
        ResNet flat = model(), plain = model();
        List<String> checked = new ArrayList<>();
        TrainStep f = TrainStep.builder(flat, sgd(flat)).flatGradients(true).hook(seam -> {
            Tensor g = seam.flatGradients();
            int off = 0;
            for (var e : seam.parameters().entrySet()) {
                Tensor pg = e.getValue().grad();
                assertThat(pg.data()).as("a view of the flat buffer").isSameAs(g.data());
                assertThat(pg.offset()).isEqualTo(g.offset() + off);
                off += pg.size();
            }
            assertThat(off).isEqualTo(g.size()).isEqualTo((int) flat.parameterCount());
            checked.add("seam " + seam.step());
        }).build();
        TrainStep p = TrainStep.builder(plain, sgd(plain)).build();
        for (int i = 0; i < 2; i++) {
            f.run(images(10 + i, BATCH), labels(BATCH), LR);
            p.run(images(10 + i, BATCH), labels(BATCH), LR);
        }
        assertThat(checked).containsExactly("seam 0", "seam 1");
        assertSameState(state(flat), state(plain));
        assertThatThrownBy(() -> TrainStep.builder(plain, sgd(plain)).hook(s -> s.flatGradients()).build()
                .run(images(1, BATCH), labels(BATCH), LR)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void microBatchesAccumulateTheGradientOfTheWholeBatch() {
        // Eval mode: BN normalises with fixed statistics, so two halves must give the full batch's gradient.
        ResNet whole = model(), halves = model();
        whole.setTraining(false);
        halves.setTraining(false);
        Map<String, float[]> g1 = new LinkedHashMap<>(), g2 = new LinkedHashMap<>();
        float[] losses = new float[2];
        TrainStep one = TrainStep.builder(whole, sgd(whole)).hook(s -> {
            s.parameters().forEach((k, p) -> g1.put(k, p.grad().toArray()));
            losses[0] = s.loss();
        }).build();
        TrainStep two = TrainStep.builder(halves, sgd(halves)).microBatches(2).hook(s -> {
            s.parameters().forEach((k, p) -> g2.put(k, p.grad().toArray()));
            losses[1] = s.loss();
        }).build();
        Tensor x = images(20, BATCH);
        TrainStep.Result r1 = one.run(x, labels(BATCH), LR), r2 = two.run(x, labels(BATCH), LR);
        assertThat(r2.batch()).isEqualTo(BATCH);
        assertThat(r2.correct()).isEqualTo(r1.correct());
        assertThat(losses[1]).isCloseTo(losses[0], org.assertj.core.data.Offset.offset(1e-5f * Math.abs(losses[0])));
        for (String k : g1.keySet()) assertClose(k, g2.get(k), g1.get(k), 1e-4);
        assertThatThrownBy(() -> two.run(images(1, 6 - 1), labels(5), LR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("micro-batches");
    }

    @Test
    void finitenessChecksStopTheStepBeforeAnyWeightChanges() {
        ResNet m = model();
        TrainStep step = TrainStep.builder(m, sgd(m)).requireFiniteLoss().build();
        Map<String, float[]> before = state(m);
        Tensor x = images(30, BATCH);
        x.set(5, Float.NaN);
        assertThatThrownBy(() -> step.run(x, labels(BATCH), LR)).isInstanceOf(TrainStep.NonFiniteException.class)
                .hasMessage("the loss became NaN");
        for (var e : m.parameters().entrySet()) assertThat(e.getValue().value().toArray()).isEqualTo(before.get(e.getKey()));

        TrainStep grads = TrainStep.builder(m, sgd(m)).hook(s -> s.parameters().get("layer2.0.conv1.weight").grad()
                .set(3, Float.POSITIVE_INFINITY)).requireFiniteGradients().build();
        assertThatThrownBy(() -> grads.run(images(31, BATCH), labels(BATCH), LR))
                .isInstanceOf(TrainStep.NonFiniteException.class)
                .hasMessage("the gradient of layer2.0.conv1.weight became Infinity at 3");
        for (var e : m.parameters().entrySet()) assertThat(e.getValue().value().toArray()).isEqualTo(before.get(e.getKey()));
    }

    /**
     * Data parallelism as Spark will run it, in one process: two workers (threads, each with its own
     * engine) take half a batch each, synchronise BN statistics through the BN seam and average
     * the flat gradient buffer at the step's seam. They end with identical weights, equal (to
     * rounding) to one worker's step on the whole batch.
     */
    @Test
    void twoWorkersWithSyncBnAndAllReduceMatchOneWorkerOnTheWholeBatch() throws Exception {
        Tensor x = images(40, BATCH);
        int[] y = labels(BATCH);
        ResNet single = model();
        TrainStep.builder(single, sgd(single)).build().run(x, y, LR);

        Exchange ex = new Exchange();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Map<String, float[]>>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    try (Engine e = Engine.create(EngineConfig.defaults().withThreads(1)); Engine.Scope s = e.bind()) {
                        ResNet m = model();
                        int half = BATCH / 2;
                        Tensor mine = new Tensor(x.data(), worker * half * SIZE * SIZE * 3, half, SIZE, SIZE, 3);
                        int[] my = java.util.Arrays.copyOfRange(y, worker * half, (worker + 1) * half);
                        TrainStep.builder(m, sgd(m)).batchStats(new SyncBn(ex, worker)).flatGradients(true)
                                .hook(seam -> ex.average(worker, seam.flatGradients())).build().run(mine, my, LR);
                        return state(m);
                    }
                }));
            }
            Map<String, float[]> w0 = workers.get(0).get(60, TimeUnit.SECONDS), w1 = workers.get(1).get(60, TimeUnit.SECONDS);
            assertSameState(w1, w0);
            Map<String, float[]> one = state(single);
            for (String k : one.keySet()) assertClose(k, w0.get(k), one.get(k), 1e-4);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Pairs two workers' arrays; both compute every reduction in the same order, so they agree bit for bit. */
    private static final class Exchange {
        private final CyclicBarrier barrier = new CyclicBarrier(2);
        private final double[][] slots = new double[2][];
        private final float[][] floatSlots = new float[2][];

        /** Both workers' arrays, worker 0's first. */
        double[][] gather(int worker, double[] mine) {
            slots[worker] = mine.clone();
            await();
            double[][] both = {slots[0].clone(), slots[1].clone()};
            await();
            return both;
        }

        /** The flat gradients averaged over the two workers, in place. */
        void average(int worker, Tensor g) {
            floatSlots[worker] = g.toArray();
            await();
            float[] d = g.data();
            for (int i = 0; i < g.size(); i++) d[g.offset() + i] = (floatSlots[0][i] + floatSlots[1][i]) * 0.5f;
            await();
        }

        private void await() {
            try {
                barrier.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Sync-BN over the exchange: statistics of the union of both workers' batches. */
    private record SyncBn(Exchange ex, int worker) implements BatchStatsHook {
        @Override public long forward(BatchNorm2d bn, double[] mean, double[] m2, long count) {
            int c = mean.length;
            double[] mine = new double[2 * c + 1];
            System.arraycopy(mean, 0, mine, 0, c);
            System.arraycopy(m2, 0, mine, c, c);
            mine[2 * c] = count;
            double[][] both = ex.gather(worker, mine);
            double n0 = both[0][2 * c], n1 = both[1][2 * c], n = n0 + n1;
            for (int ch = 0; ch < c; ch++) {
                double m0 = both[0][ch], m1 = both[1][ch], delta = m1 - m0;
                mean[ch] = m0 + delta * n1 / n;                                  // Chan et al.'s merge
                m2[ch] = both[0][c + ch] + both[1][c + ch] + delta * delta * n0 * n1 / n;
            }
            return (long) n;
        }

        @Override public long backward(BatchNorm2d bn, double[] sumDy, double[] sumDyXc, long count) {
            int c = sumDy.length;
            double[] mine = new double[2 * c + 1];
            System.arraycopy(sumDy, 0, mine, 0, c);
            System.arraycopy(sumDyXc, 0, mine, c, c);
            mine[2 * c] = count;
            double[][] both = ex.gather(worker, mine);
            for (int ch = 0; ch < c; ch++) {
                sumDy[ch] = both[0][ch] + both[1][ch];
                sumDyXc[ch] = both[0][c + ch] + both[1][c + ch];
            }
            return (long) (both[0][2 * c] + both[1][2 * c]);
        }
    }

    private static void assertClose(String what, float[] got, float[] want, double tol) {
        double max = 0, diff = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs((double) got[i] - want[i]));
        }
        assertThat(diff).as(what + ": max |diff| against max |value| " + max).isLessThanOrEqualTo(tol * max + 1e-7);
    }
}
