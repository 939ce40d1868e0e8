package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.SplittableRandom;
import org.jresnet.io.Python;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch side of the fast recipe (bench/recipe/torch_fast.py's {@code test_views}) averages
 * the same test views, in the same order, as {@link TestViews}: every combination of flipping and
 * translating, on images that are not square (rows and columns must not be swapped).
 */
class TestViewsTorchParityTest {
    private static final int N = 2, H = 5, W = 6, C = 3;

    private static final String SCRIPT = String.join("\n",
            "import json, sys, torch",
            "sys.path.insert(0, '../bench/recipe')",
            "import torch_fast",
            "a = json.loads(sys.argv[1])",
            "x = torch.tensor(a['x']).view(a['n'], a['h'], a['w'], a['c']).permute(0, 3, 1, 2)",
            "out = {}",
            "for flip in (False, True):",
            "    for translate in (False, True):",
            "        vs = torch_fast.test_views(x, flip, translate)",
            "        out['%d%d' % (flip, translate)] = [v.permute(0, 2, 3, 1).reshape(-1).tolist() for v in vs]",
            "print(json.dumps(out))");

    @Test void torchFastScoresTheSameViewsInTheSameOrder() throws Exception {
        Python.requireTorch();
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[N * H * W * C];
        for (int i = 0; i < x.length; i++) x[i] = 1 + rng.nextInt(1000);   // never 0: the zero fill shows
        var args = new java.util.LinkedHashMap<String, Object>();
        args.put("x", x);
        args.put("n", N);
        args.put("h", H);
        args.put("w", W);
        args.put("c", C);
        JsonNode torch = Python.json(SCRIPT, args);
        Tensor in = Tensor.of(x, N, H, W, C), out = Tensor.zeros(N, H, W, C);
        for (boolean flip : new boolean[] {false, true}) {
            for (boolean translate : new boolean[] {false, true}) {
                TestViews views = new TestViews(flip, translate);
                JsonNode want = torch.get((flip ? "1" : "0") + (translate ? "1" : "0"));
                assertThat(want.size()).as(views.toString()).isEqualTo(views.count());
                for (int v = 0; v < views.count(); v++) {
                    TestViews.view(in, out, views.mirrored(v), views.shift(v));
                    for (int i = 0; i < x.length; i++) {
                        assertThat(out.get(i)).as("%s view %d at %d", views, v, i).isEqualTo((float) want.get(v).get(i).asDouble());
                    }
                }
            }
        }
    }
}
