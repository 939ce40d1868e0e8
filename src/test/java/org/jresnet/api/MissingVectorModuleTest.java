package org.jresnet.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.models.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain {@code java -cp} without {@code --add-modules jdk.incubator.vector} (an embedder's JVM,
 * not bin/jresnet): every entry point says what to add, instead of a NoClassDefFoundError of
 * jdk/incubator/vector/Vector from deep inside the first kernel or the optimizer.
 */
class MissingVectorModuleTest {
    @TempDir Path tmp;

    /** Runs in the child JVM: each entry point, one line each of what it threw. */
    public static final class Child {
        public static void main(String[] args) {
            Path file = Path.of(args[0]);
            List<Runnable> calls = List.of(
                    () -> Network.create("resnet20"),
                    () -> Network.create(ModelConfig.of("resnet20")),
                    () -> { try { Network.load(file); } catch (java.io.IOException e) { throw new RuntimeException(e); } },
                    () -> { try { Network.load(file, ModelConfig.of("resnet20")); } catch (java.io.IOException e) { throw new RuntimeException(e); } },
                    () -> Engine.create(EngineConfig.defaults().withThreads(1)),
                    Engine::defaultEngine);
            for (Runnable r : calls) {
                try {
                    r.run();
                    System.out.println("no exception");
                } catch (Throwable t) {
                    System.out.println(t.getClass().getName() + ": " + t.getMessage());
                }
            }
        }
    }

    private static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        return out + "exit " + p.exitValue();
    }

    @Test
    void everyEntryPointNamesTheMissingFlag() throws Exception {
        Path file = tmp.resolve("r20.safetensors");
        Network.create("resnet20").save(file);   // this JVM has the module (Surefire's argLine)

        String out = run(Child.class.getName(), file.toString());
        // one line per entry point; anything else the JVM prints (warnings) is not counted
        List<String> lines = out.lines().filter(l -> l.startsWith("java.") || l.equals("no exception")).toList();
        assertThat(lines).as(out).hasSize(6);
        for (String l : lines) {
            assertThat(l).as(out).startsWith("java.lang.IllegalStateException: jresnet needs the JDK module jdk.incubator.vector")
                    .contains("--add-modules jdk.incubator.vector");
        }
    }

    @Test
    void theCliSaysItInOneLine() throws Exception {
        Path file = tmp.resolve("r20.safetensors");
        Network.create("resnet20").save(file);
        Path image = tmp.resolve("x.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        assertThat(Files.exists(image)).isTrue();

        String out = run("org.jresnet.cli.Main", "predict", "--weights", file.toString(), image.toString());
        assertThat(out).as(out).doesNotContain("NoClassDefFoundError").doesNotContain("\tat ")
                .contains("jresnet: jresnet needs the JDK module jdk.incubator.vector").endsWith("exit 1");
    }
}
