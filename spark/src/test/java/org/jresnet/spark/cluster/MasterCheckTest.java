package org.jresnet.spark.cluster;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** An unreachable standalone master is one line at once, not a minute of retries (127.0.0.1 only). */
class MasterCheckTest {
    @Test void aMasterNobodyAnswersAtIsNamed() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String url = "spark://127.0.0.1:" + closed;
        assertThatThrownBy(() -> MasterCheck.requireReachable(url))
                .hasMessageStartingWith("cannot reach the Spark master " + url + " (127.0.0.1:" + closed + ": ");
        assertThatThrownBy(() -> MasterCheck.requireReachable("spark://127.0.0.1:x")).hasMessageContaining("bad port");
    }

    @Test void aListeningMasterAndOtherUrlsPass() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // the first of two (high availability) refuses, the second answers
            int closed;
            try (ServerSocket t = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closed = t.getLocalPort();
            }
            assertThatCode(() -> MasterCheck.requireReachable("spark://127.0.0.1:" + closed + ",127.0.0.1:" + s.getLocalPort()))
                    .doesNotThrowAnyException();
        }
        assertThatCode(() -> MasterCheck.requireReachable("local-cluster[2,1,1024]")).doesNotThrowAnyException();
        assertThatCode(() -> MasterCheck.requireReachable("local[*]")).doesNotThrowAnyException();
    }
}
