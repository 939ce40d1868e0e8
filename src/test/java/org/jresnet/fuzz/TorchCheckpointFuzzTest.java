package org.jresnet.fuzz;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * PyTorch checkpoints from strangers: files torch.save wrote (zip container: a bare state dict, a
 * training checkpoint with the state dict under "state_dict", tensors that are views of a larger
 * storage, float16 and int64; legacy container), mutated byte-wise and field-wise in the zip
 * records. Property: a {@code TorchCheckpointException} with a one-line message, or tensors whose
 * value counts match their shapes.
 */
@Tag("fuzz")
class TorchCheckpointFuzzTest {
    private static FuzzWorkers worker;
    private static List<byte[]> seeds;

    @BeforeContainer
    static void start() {
        worker = new FuzzWorkers("torch");
        seeds = FuzzSeeds.CHECKPOINTS.stream().map(FuzzSeeds::resource).toList();
    }

    @AfterContainer
    static void stop() {
        worker.close();
    }

    @Property
    void mutatedCheckpointsAreReadOrRefusedInOneLine(@ForAll @IntRange(min = 0, max = 3) int seedIndex, @ForAll long seed,
                                                     @ForAll @IntRange(min = 1, max = 8) int mutations) {
        worker.runFile("case.pth", new Mutator(seed, true, true).mutate(seeds.get(seedIndex), mutations));
    }
}
