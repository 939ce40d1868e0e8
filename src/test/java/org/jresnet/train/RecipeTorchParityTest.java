package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.SplittableRandom;
import org.jresnet.io.Python;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fast recipe's ingredients against PyTorch itself: {@code OneCycleLR}'s rate at every step of
 * a few runs (both annealing shapes, a run too short for its warm-up phase), and
 * {@code CrossEntropyLoss(label_smoothing=)}'s loss and gradient, computed in float64.
 */
class RecipeTorchParityTest {
    private static final int N = 6, K = 10;
    private static final double SMOOTHING = 0.1;
    /** {total, pct_start, div_factor, final_div_factor, linear (1) or cos (0)}. */
    private static final double[][] CYCLES = {{97, 0.25, 25, 1e4, 0}, {40, 0.3, 10, 100, 1}, {3, 0.3, 25, 1e4, 0},
        {1170, 0.25, 25, 1e4, 0}};

    private static final String SCRIPT = String.join("\n",
            "import json, sys, torch",
            "a = json.loads(sys.argv[1]); out = {'lrs': []}",
            "for total, pct, div, final, linear in a['cycles']:",
            "    p = torch.nn.Parameter(torch.zeros(1)); opt = torch.optim.SGD([p], lr=0.4, momentum=0.9)",
            "    s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.4, total_steps=int(total), pct_start=pct,",
            "        div_factor=div, final_div_factor=final, anneal_strategy='linear' if linear else 'cos',",
            "        cycle_momentum=False)",
            "    lrs = []",
            "    for i in range(int(total)):",
            "        lrs.append(opt.param_groups[0]['lr']); opt.step()",
            "        if i + 1 < int(total): s.step()",
            "    out['lrs'].append(lrs)",
            "z = torch.tensor(a['logits'], dtype=torch.float64).view(a['n'], a['k']).requires_grad_()",
            "loss = torch.nn.CrossEntropyLoss(label_smoothing=a['eps'])(z, torch.tensor(a['labels']))",
            "loss.backward(); out['loss'] = loss.item(); out['grad'] = z.grad.view(-1).tolist()",
            "print(json.dumps(out))");

    static float[] logits;
    static int[] labels;
    static JsonNode torch;

    @BeforeAll static void askPyTorch() throws Exception {
        Python.requireTorch();
        SplittableRandom rng = new SplittableRandom(21);
        logits = new float[N * K];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (3 * rng.nextGaussian());
        labels = new int[N];
        for (int i = 0; i < N; i++) labels[i] = rng.nextInt(K);
        var args = new java.util.LinkedHashMap<String, Object>();
        args.put("cycles", CYCLES);
        args.put("logits", logits);
        args.put("labels", labels);
        args.put("n", N);
        args.put("k", K);
        args.put("eps", SMOOTHING);
        torch = Python.json(SCRIPT, args);
    }

    @Test void oneCycleGivesPyTorchsRateAtEveryStep() {
        for (int c = 0; c < CYCLES.length; c++) {
            double[] p = CYCLES[c];
            int total = (int) p[0];
            LrSchedule s = new LrSchedule(new TrainConfig.Schedule(LrSchedule.Kind.ONECYCLE, 0.4, null, 0.1, 0, 0, 0,
                    new TrainConfig.OneCycle(p[1], p[2], p[3], p[4] == 1)), total, 10);
            JsonNode want = torch.get("lrs").get(c);
            assertThat(want.size()).isEqualTo(total);
            for (int it = 0; it < total; it++) {
                double w = want.get(it).asDouble();
                assertThat(s.at(it, true)).as("run %d, step %d", c, it).isCloseTo(w, within(1e-12 + 1e-12 * w));
            }
        }
    }

    @Test void labelSmoothingGivesPyTorchsLossAndGradient() {
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(SMOOTHING);
        float loss = ce.forward(Tensor.of(logits.clone(), N, K), labels);
        double want = torch.get("loss").asDouble();
        assertThat((double) loss).isCloseTo(want, within(1e-6 * Math.abs(want)));
        float[] g = ce.backward().toArray();
        JsonNode wg = torch.get("grad");
        for (int i = 0; i < g.length; i++) {
            assertThat((double) g[i]).as("dL/dz[%d]", i).isCloseTo(wg.get(i).asDouble(), within(1e-7));
        }
        // The plain loss is a different function: the comparison above would catch smoothing left out.
        assertThat((double) new SoftmaxCrossEntropy().forward(Tensor.of(logits.clone(), N, K), labels))
                .isNotCloseTo(want, within(1e-3));
    }
}
