package org.jresnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The layers of docs/architecture.md, bottom to top: no package imports one above it. */
class LayeringTest {
    static final List<String> LAYERS = List.of("engine", "tensor", "kernel", "nn", "models", "io", "export", "plot", "data", "explain",
            "train", "experiments", "api", "serve", "web", "cli");
    private static final Pattern REF = Pattern.compile("\\borg\\.jresnet\\.(\\w+)\\.");

    @Test
    void noPackageReachesUp() throws IOException {
        Path root = Path.of("src/main/java/org/jresnet");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f).getName(0).toString();
                assertThat(LAYERS).as("package of " + f).contains(pkg);
                Matcher m = REF.matcher(Files.readString(f));
                while (m.find()) {
                    String used = m.group(1);
                    if (LAYERS.contains(used) && LAYERS.indexOf(used) > LAYERS.indexOf(pkg)) {
                        violations.add(f + " uses org.jresnet." + used);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
