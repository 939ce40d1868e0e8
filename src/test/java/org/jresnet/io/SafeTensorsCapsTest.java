package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jresnet.io.SafeTensorsException.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A header is refused before it is parsed when it is longer than 16 MiB or lists more than 65,536
 * tensors (a 99 MB header of 1.4M tensors took 25 s and 2 GB before), and a folder given as a
 * weights file is named as such.
 */
class SafeTensorsCapsTest {
    @TempDir Path tmp;

    private Path file(String header) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        Path p = tmp.resolve("w" + System.nanoTime() + ".safetensors");
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test void aHeaderOverSixteenMiBIsRefusedUnparsed() throws Exception {
        String pad = "x".repeat((16 << 20) + 1);
        Path p = file("{\"__metadata__\":{\"pad\":\"" + pad + "\"}}");
        assertThatThrownBy(() -> SafeTensors.read(p)).isInstanceOf(SafeTensorsException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("limit 16777216 bytes")
                .satisfies(e -> assertThat(((SafeTensorsException) e).fault()).isEqualTo(Fault.ABSURD_HEADER_LENGTH));
    }

    @Test void moreThan65536TensorsAreRefused() throws Exception {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i <= SafeTensors.MAX_TENSORS; i++) {
            if (i > 0) h.append(',');
            h.append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        Path p = file(h.append('}').toString());
        assertThat(Files.size(p)).isLessThan(16 << 20);
        assertThatThrownBy(() -> SafeTensors.read(p)).isInstanceOf(SafeTensorsException.class)
                .hasMessageContaining("more than 65536 tensors")
                .satisfies(e -> assertThat(((SafeTensorsException) e).fault()).isEqualTo(Fault.TOO_MANY_TENSORS));
        assertThat(SafeTensors.MAX_TENSORS).isEqualTo(65_536);
    }

    @Test void aFolderIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("somedir"));
        assertThatThrownBy(() -> SafeTensors.read(dir)).isInstanceOf(SafeTensorsException.class)
                .hasMessage(dir + ": is a folder, not a safetensors file");
    }
}
