package org.jresnet.spark;

import static org.assertj.core.api.Assertions.assertThat;

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
 * bin/jresnet-spark ({@code bin/jresnet spark}) under LC_ALL=C with a non-ASCII folder: the
 * launcher runs the driver under C.UTF-8, as bin/jresnet does, so Hadoop's listing keeps the image
 * (under ASCII it left it out without a word). The launcher is the real one, copied beside a
 * stand-in jar and Spark home, with a stand-in "java" that runs this build's classes. The names are
 * made and passed by a shell script, as bytes.
 */
class LauncherLocaleTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    @TempDir Path tmp;

    /** The launcher copied beside an empty jar, Spark home and driver-lib; returns the stand-in JDK's home for JAVA_HOME. */
    private Path install() throws Exception {
        Path inst = tmp.resolve("inst");
        Files.createDirectories(inst.resolve("bin"));
        Files.createDirectories(inst.resolve("spark/target/spark-home/jars"));
        Files.createDirectories(inst.resolve("spark/target/driver-lib"));
        Files.copy(REPO.resolve("bin/jresnet-spark"), inst.resolve("bin/jresnet-spark"));
        Files.copy(REPO.resolve("spark/pom.xml"), inst.resolve("spark/pom.xml"));
        Files.write(inst.resolve("spark/target/jresnet-spark.jar"), new byte[0]);   // newer than the pom: no build
        Path jdk = Files.createDirectories(tmp.resolve("jdk/bin"));
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        executable(jdk.resolve("java"), """
                #!/usr/bin/env bash
                # Stands in for the JDK: the launcher's JVM options, this build's class path instead of the jar's.
                args=()
                while [[ $# -gt 0 ]]; do
                  if [[ $1 == -cp ]]; then args+=(-cp '%s'); shift 2; continue; fi
                  args+=("$1"); shift
                done
                exec '%s' "${args[@]}"
                """.formatted(System.getProperty("java.class.path"), realJava));
        return jdk.getParent();
    }

    @Test void aNonAsciiFolderIsReadUnderTheCLocale() throws Exception {
        Path java = install();
        Path cat = tmp.resolve("cat.jpg");
        try (ZipFile z = new ZipFile(REPO.resolve("data/cifar10-sample.zip").toFile())) {
            Files.write(cat, z.getInputStream(z.getEntry("test/cat/0000.jpg")).readAllBytes());
        }
        Path script = tmp.resolve("run.sh");
        executable(script, """
                #!/usr/bin/env bash
                set -e
                cd '%s'
                mkdir -p 'café'
                cp '%s' 'café/chat-é.jpg'
                export LC_ALL=C LANG=C JAVA_HOME='%s' JRESNET_HEAP=512m
                '%s' predict --master 'local[1]' --threads 1 --weights '%s' --data 'café' --out out.parquet
                """.formatted(tmp, cat, java, tmp.resolve("inst/bin/jresnet-spark"),
                REPO.resolve("models/resnet20-cifar10.safetensors")));
        Process p = new ProcessBuilder("bash", script.toString()).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        String e = new String(err.get(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(e).isZero();
        assertThat(e.replace('\r', '\n').lines().filter(l -> l.startsWith("jresnet spark:")).toList())
                .containsExactly("jresnet spark: 1 images -> out.parquet");
        out.get();
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
