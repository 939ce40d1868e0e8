import java.nio.file.Path;
import org.jresnet.api.Network;

/**
 * Randomly initialised weights for bench/serve (the timing does not depend on the values):
 * {@code java --add-modules jdk.incubator.vector -cp target/jresnet.jar bench/serve/MakeWeights.java OUT.safetensors resnet50}
 */
public class MakeWeights {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: MakeWeights OUT.safetensors MODEL");
            System.exit(2);
        }
        Network.create(args[1]).save(Path.of(args[0]));
    }
}
