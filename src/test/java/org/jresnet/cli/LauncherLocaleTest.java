package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/jresnet under LC_ALL=C with a non-ASCII path: the launcher runs the JVM under C.UTF-8, so
 * the path is found and printed as it is. The launcher is the real one, copied beside a stand-in
 * jar, with a stand-in "java" that runs this build's classes (no jar needs to be built). The
 * non-ASCII names are made and passed by a shell script, as bytes: a JVM under an ASCII locale
 * (this one may be) could not even spell them.
 */
class LauncherLocaleTest {
    @TempDir Path tmp;

    /** The launcher copied beside an empty jar; returns the stand-in JDK's home for JAVA_HOME. */
    private Path install() throws Exception {
        Path inst = tmp.resolve("inst");
        Files.createDirectories(inst.resolve("bin"));
        Files.createDirectories(inst.resolve("target"));
        Files.copy(Path.of("bin", "jresnet"), inst.resolve("bin/jresnet"));
        Files.write(inst.resolve("target/jresnet.jar"), new byte[0]);
        Path jdk = Files.createDirectories(tmp.resolve("jdk/bin"));
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        executable(jdk.resolve("java"), """
                #!/usr/bin/env bash
                # Stands in for the JDK: the launcher's JVM options, then this build's classes instead of the jar.
                opts=()
                while [[ $# -gt 0 ]]; do
                  if [[ $1 == -jar ]]; then shift 2; break; fi
                  opts+=("$1"); shift
                done
                exec '%s' "${opts[@]}" -cp '%s' org.jresnet.cli.Main "$@"
                """.formatted(realJava, System.getProperty("java.class.path")));
        return jdk.getParent();
    }

    /** Runs {@code script} with bash; its exit code, stdout and stderr. */
    private static String[] run(Path script) throws Exception {
        Process p = new ProcessBuilder("bash", script.toString()).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        return new String[] {String.valueOf(p.exitValue()), new String(out.get(), StandardCharsets.UTF_8),
                new String(err.get(), StandardCharsets.UTF_8)};
    }

    @Test void aNonAsciiPathWorksUnderTheCLocale() throws Exception {
        Path java = install();
        Path inst = tmp.resolve("inst");
        Path cat = tmp.resolve("cat.jpg");
        try (ZipFile z = new ZipFile(Home.bundled(Home.SAMPLE_DATA).toFile())) {
            Files.write(cat, z.getInputStream(z.getEntry("test/cat/0000.jpg")).readAllBytes());
        }
        Path weights = Home.bundled(Home.SHIPPED_MODEL).toAbsolutePath();
        Path script = tmp.resolve("run.sh");
        executable(script, """
                #!/usr/bin/env bash
                set -e
                cd '%s'
                mkdir -p 'café'
                cp '%s' 'café/chat-é.jpg'
                export LC_ALL=C LANG=C JAVA_HOME='%s' JRESNET_HEAP=512m
                '%s' predict --weights '%s' --json 'café' 'café/chat-é.jpg'
                """.formatted(tmp, cat, java, inst.resolve("bin/jresnet"), weights));

        String[] r = run(script);
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        JsonNode json = new ObjectMapper().readTree(r[1]);
        assertThat(json.size()).isEqualTo(2);
        assertThat(json.get(0).get("file").asText()).isEqualTo("café" + File.separator + "chat-é.jpg");
        assertThat(json.get(1).get("file").asText()).isEqualTo("café/chat-é.jpg");
        assertThat(json.get(0).get("top").get(0).get("class").asText()).isEqualTo(json.get(1).get("top").get(0).get("class").asText());
    }

    /**
     * A file whose name is not valid UTF-8 (byte 0xFF) reaches the JVM as U+FFFD and cannot be
     * opened: the one line says so, instead of denying a file that ls shows.
     */
    @Test void aNameThatIsNotUtf8IsSaidToBeOne() throws Exception {
        Path java = install();
        Path script = tmp.resolve("bad.sh");
        executable(script, """
                #!/usr/bin/env bash
                cd '%s'
                f="$(printf 'x\\377.jpg')"
                printf 'not read' > "$f"
                export JAVA_HOME='%s' JRESNET_HEAP=512m
                '%s' predict "$f"
                """.formatted(tmp, java, tmp.resolve("inst/bin/jresnet")));
        String[] r = run(script);
        assertThat(r[0]).as(r[2]).isEqualTo("1");
        assertThat(r[2].strip()).startsWith("jresnet: no such file: x\uFFFD.jpg").contains("not valid UTF-8")
                .contains("rename it").doesNotContain("\n").doesNotContain("Exception");
    }

    private static void executable(Path p, String text) throws Exception {
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
