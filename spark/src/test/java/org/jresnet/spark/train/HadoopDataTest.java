package org.jresnet.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --data through Hadoop's FileSystem (file:// here; hdfs:// and s3a:// take the same path): staged once, reused, renewed. */
class HadoopDataTest {
    @Test
    void aFileIsCopiedOnceAndAChangedOneAgain(@TempDir Path tmp) throws Exception {
        Path src = Files.writeString(tmp.resolve("data.zip"), "zip bytes");
        Path root = tmp.resolve("cache");
        String uri = src.toUri().toString();   // file:///...
        assertThat(HadoopData.isUri(uri)).isTrue();
        Path first = HadoopData.stage(uri, new Configuration(), root);
        assertThat(first.getFileName().toString()).isEqualTo("data.zip");
        assertThat(Files.readString(first)).isEqualTo("zip bytes");
        FileTime staged = Files.getLastModifiedTime(first);
        Thread.sleep(20);
        assertThat(HadoopData.stage(uri, new Configuration(), root)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first)).as("reused, not copied again").isEqualTo(staged);
        // no temporary folder is left behind
        try (var s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".staging-"));
        }

        Files.writeString(src, "new zip bytes, longer");
        Path second = HadoopData.stage(uri, new Configuration(), root);
        assertThat(second).isNotEqualTo(first);
        assertThat(Files.readString(second)).isEqualTo("new zip bytes, longer");
    }

    @Test
    void aFolderIsCopiedWholeAndTheArgumentsPointAtTheCopy(@TempDir Path tmp) throws Exception {
        Path src = tmp.resolve("images");
        Files.createDirectories(src.resolve("train/cat"));
        Files.writeString(src.resolve("train/cat/1.png"), "png");
        String uri = src.toUri().toString();
        String[] args = {"--model", "resnet20", "--data", uri, "--cache-dir", tmp.resolve("c").toString(), "--data", uri};
        HadoopData.Localized l = HadoopData.localize(args, new Configuration());
        assertThat(l.local()).startsWith(tmp.resolve("c").resolve("remote"));
        assertThat(Files.readString(l.local().resolve("train/cat/1.png"))).isEqualTo("png");
        assertThat(l.args()).containsExactly("--model", "resnet20", "--data", l.local().toString(), "--cache-dir",
                tmp.resolve("c").toString(), "--data", l.local().toString());

        String[] local = {"--data", src.toString()};
        assertThat(HadoopData.localize(local, new Configuration()).args()).isSameAs(local);
        assertThat(HadoopData.lastValue(List.of("--data=a", "--data", "b"), "--data")).isEqualTo("b");
    }

    @Test
    void aMissingSourceOrAnUnknownSchemeIsOneClearMessage(@TempDir Path tmp) {
        assertThatThrownBy(() -> HadoopData.stage(tmp.resolve("none.zip").toUri().toString(), new Configuration(), tmp))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dataset not found: file:");
        assertThatThrownBy(() -> HadoopData.stage("nosuchfs://host/data.zip", new Configuration(), tmp))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no Hadoop FileSystem for its scheme");
    }
}
