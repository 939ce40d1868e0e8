package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import org.jresnet.io.Normalization;
import org.jresnet.io.Python;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch side of the fast recipe (bench/recipe/torch_fast.py's {@code crops}) cuts the same
 * training crops as {@link PadCropFlip#cropFlip}: full-size and smaller windows of the padded
 * image at the same offsets, mirrored the same way.
 */
class CropsTorchParityTest {
    private static final int S = 6, PAD = 2;

    private static final String SCRIPT = String.join("\n",
            "import json, sys, torch, torch.nn.functional as F",
            "sys.path.insert(0, '../bench/recipe')",
            "import torch_fast",
            "a = json.loads(sys.argv[1])",
            "x = torch.tensor(a['x'], dtype=torch.float32).view(1, a['s'], a['s'], 3).permute(0, 3, 1, 2)",
            "x = F.pad(x, (a['pad'],) * 4)",
            "out = []",
            "for c, ox, oy, fl in a['cases']:",
            "    y = torch_fast.crops(x.clone(), torch.tensor([ox]), torch.tensor([oy]), torch.tensor([bool(fl)]), c)",
            "    out.append(y.permute(0, 2, 3, 1).reshape(-1).tolist())",
            "print(json.dumps(out))");

    @Test void torchFastCutsTheSameCrops() throws Exception {
        Python.requireTorch();
        SplittableRandom rng = new SplittableRandom(3);
        byte[] px = new byte[S * S * 3];
        float[] values = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (1 + rng.nextInt(250));   // never 0: the padding shows
            values[i] = px[i] & 0xFF;
        }
        int[][] cases = {{6, 2, 2, 0}, {6, 0, 4, 1}, {4, 0, 0, 0}, {4, 6, 3, 1}, {3, 7, 1, 1}, {3, 2, 5, 0}};
        var args = new LinkedHashMap<String, Object>();
        args.put("x", values);
        args.put("s", S);
        args.put("pad", PAD);
        args.put("cases", cases);
        JsonNode torch = Python.json(SCRIPT, args);
        float[] identity = new Normalization(new double[] {0, 0, 0}, new double[] {1 / 255.0, 1 / 255.0, 1 / 255.0}).table();
        for (int k = 0; k < cases.length; k++) {
            int c = cases[k][0];
            float[] out = new float[c * c * 3];
            PadCropFlip.cropFlip(px, 0, S, S, PAD, cases[k][1], cases[k][2], cases[k][3] == 1, identity, out, 0, c, c);
            JsonNode want = torch.get(k);
            assertThat(want.size()).isEqualTo(out.length);
            for (int i = 0; i < out.length; i++) {
                assertThat(Math.round(out[i])).as("case %d at %d", k, i).isEqualTo(Math.round(want.get(i).asDouble()));
            }
        }
    }
}
