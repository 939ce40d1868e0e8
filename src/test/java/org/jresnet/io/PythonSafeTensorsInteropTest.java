package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our Java format code and the stdlib Python one (used by every script) read each other's files. */
class PythonSafeTensorsInteropTest {
    @TempDir Path dir;

    @Test
    void pythonUnitTestsPass() {
        String out = Python.check(300, "test_safetensors_io.py");
        assertThat(out).contains("OK");
    }

    @Test
    void pythonReadsWhatJavaWrites() throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("w", TensorData.f32(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, 7f}, 2, 3));
        t.put("n", TensorData.i64(new long[] {123456789012L}));
        Path p = dir.resolve("j.safetensors");
        SafeTensors.write(p, t, Map.of("model", "resnet20"));
        String out = Python.check(60, "-c", "import json, struct, sys, safetensors_io as st\n"
                + "m, t = st.read(sys.argv[1])\n"
                + "w = t['w']; n = t['n']\n"
                + "print(json.dumps({'meta': m, 'w': [w[0], w[1], list(struct.unpack('<6f', w[2]))],"
                + " 'n': [n[0], n[1], struct.unpack('<q', n[2])[0]], 'order': list(t)}))", p.toString());
        JsonNode j = new ObjectMapper().readTree(out);
        assertThat(j.get("meta").get("model").asText()).isEqualTo("resnet20");
        assertThat(j.get("order").toString()).isEqualTo("[\"w\",\"n\"]");
        assertThat(j.get("w").toString()).isEqualTo("[\"F32\",[2,3],[1.5,-2.0,3.25,0.0,0.0010000000474974513,7.0]]");
        assertThat(j.get("n").toString()).isEqualTo("[\"I64\",[],123456789012]");
    }

    @Test
    void javaReadsWhatPythonWrites() throws IOException {
        Path p = dir.resolve("p.safetensors");
        Python.check(60, "-c", "import struct, sys, safetensors_io as st\n"
                + "st.write(sys.argv[1], {'a.b': ('F32', [3], struct.pack('<3f', 1, 2, -0.5)),"
                + " 'c': ('I64', [2], struct.pack('<2q', -1, 9)), 'd': ('F64', [1], struct.pack('<d', 0.25))},"
                + " {'format': 'x'})", p.toString());
        SafeTensorsFile f = SafeTensors.read(p);
        assertThat(f.metadata()).containsExactly(Map.entry("format", "x"));
        assertThat(f.get("a.b").floats()).containsExactly(1f, 2f, -0.5f);
        assertThat(f.get("c").longs()).containsExactly(-1L, 9L);
        assertThat(f.get("d").floats()).containsExactly(0.25f);
    }
}
