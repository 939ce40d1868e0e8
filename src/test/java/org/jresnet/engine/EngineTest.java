package org.jresnet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jresnet.api.Network;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.RandomTensors;
import org.jresnet.train.Sgd;
import org.jresnet.train.TrainStep;
import org.junit.jupiter.api.Test;

/** Engines: settings passed in, bound per thread, several at once each with its own pool. */
class EngineTest {
    private static final EngineConfig TWO_THREADS = EngineConfig.defaults().withThreads(2);

    /** Weights and BN statistics after three training steps of a small ResNet-20 on the current engine. */
    private static Map<String, float[]> train() {
        ResNet m = Models.create(ModelConfig.of("resnet20").withSeed(3));
        m.setTraining(true);
        TrainStep step = TrainStep.builder(m, new Sgd(m.parameters(), 0.9f, 1e-4f, false)).build();
        int[] y = {1, 2, 3, 4, 5, 6};
        for (int i = 0; i < 3; i++) step.run(RandomTensors.gaussian(i, 6, 16, 16, 3), y, 0.1f);
        Map<String, float[]> s = new LinkedHashMap<>();
        m.parameters().forEach((k, p) -> s.put(k, p.value().toArray()));
        m.buffers().forEach((k, b) -> s.put(k, b.value().toArray()));
        return s;
    }

    @Test
    void twoEnginesUsedAtOnceFromTwoThreadsEachGiveTheSingleEngineResult() throws Exception {
        Map<String, float[]> alone;
        try (Engine e = Engine.create(TWO_THREADS)) {
            alone = e.call(EngineTest::train);
        }
        ExecutorService callers = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(2);
        try {
            List<Future<Map<String, float[]>>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(callers.submit(() -> {
                    try (Engine e = Engine.create(TWO_THREADS)) {
                        start.countDown();
                        start.await();  // both engines compute at the same time
                        return e.call(EngineTest::train);
                    }
                }));
            }
            for (Future<Map<String, float[]>> f : runs) {
                Map<String, float[]> got = f.get(120, TimeUnit.SECONDS);
                for (String k : alone.keySet()) assertThat(got.get(k)).as(k).isEqualTo(alone.get(k));
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void kernelsInsideAParallelLoopSeeTheEngineOfTheLoop() {
        try (Engine e = Engine.create(EngineConfig.defaults().withThreads(3).withSimd(false))) {
            Engine[] seen = new Engine[3];
            e.run(() -> Engine.current().parallel().forRange(3, (chunk, s, end) -> seen[chunk] = Engine.current()));
            assertThat(seen).containsOnly(e);
            assertThat(e.threads()).isEqualTo(3);
            assertThat(e.simd()).isFalse();
        }
    }

    @Test
    void scopesNestAndRestoreTheThreadsEngine() {
        Engine before = Engine.current();
        try (Engine a = Engine.create(TWO_THREADS); Engine b = Engine.create(TWO_THREADS.withWinograd(false))) {
            try (Engine.Scope sa = a.bind()) {
                assertThat(Engine.current()).isSameAs(a);
                try (Engine.Scope sb = b.bind()) {
                    assertThat(Engine.current()).isSameAs(b);
                    assertThat(Engine.current().winograd()).isFalse();
                    assertThat(Engine.current().winogradWeightGradient()).as("dw follows the Winograd switch").isFalse();
                }
                assertThat(Engine.current()).isSameAs(a);
            }
            assertThat(Engine.current()).isSameAs(before);
            a.close();
            assertThatThrownBy(a::bind).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> Engine.defaultEngine().close()).isInstanceOf(IllegalStateException.class);
        assertThat(Engine.current()).isSameAs(before);
    }

    @Test
    void settingsComeFromPropertiesThenEnvironmentThenTheMachine() {
        Map<String, String> props = new LinkedHashMap<>(), env = new LinkedHashMap<>();
        EngineConfig d = EngineConfig.fromSystem(props::get, env::get);
        assertThat(d).isEqualTo(EngineConfig.defaults());
        env.put("JRESNET_THREADS", "3");
        env.put("JRESNET_SIMD", "false");
        props.put("jresnet.winograd.dw", "off");
        EngineConfig c = EngineConfig.fromSystem(props::get, env::get);
        assertThat(c.threads()).isEqualTo(3);
        assertThat(c.simd()).isFalse();
        assertThat(c.winograd()).isTrue();
        assertThat(c.winogradWeightGradient()).isFalse();
        props.put("jresnet.threads", "5");
        props.put("jresnet.simd", "true");
        assertThat(EngineConfig.fromSystem(props::get, env::get).threads()).isEqualTo(5);
        assertThat(EngineConfig.fromSystem(props::get, env::get).simd()).isTrue();
        props.put("jresnet.threads", "two");
        assertThatThrownBy(() -> EngineConfig.fromSystem(props::get, env::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'two'");
        assertThatThrownBy(() -> EngineConfig.defaults().withThreads(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EngineConfig.defaults().withThreads(EngineConfig.MAX_THREADS + 1))
                .hasMessage("threads must be between 1 and 1024, got 1025");
        props.put("jresnet.threads", "2");
        props.put("jresnet.simd", "bogus");   // a switch that is neither on nor off is an error, not "on"
        assertThatThrownBy(() -> EngineConfig.fromSystem(props::get, env::get))
                .hasMessage("jresnet.simd (JRESNET_SIMD) must be true or false (on/off, 1/0), got 'bogus'");
        props.put("jresnet.simd", "ON");
        props.put("jresnet.fuse", "nope");
        assertThatThrownBy(() -> EngineConfig.fromSystem(props::get, env::get)).hasMessageStartingWith("jresnet.fuse must be");
    }

    @Test
    void aNetworkBoundToAnEngineComputesOnItFromAnyThread() throws Exception {
        float[] images = RandomTensors.gaussian(new java.util.Random(4), 2 * 3 * 16 * 16);
        Engine callers = Engine.current();
        try (Engine one = Engine.create(EngineConfig.defaults().withThreads(1))) {
            Network bound = Network.create("resnet20").engine(one);
            assertThat(bound.engine()).isSameAs(one);
            float[] want = one.call(() -> Network.create("resnet20").predict(images, 16, 16, Network.Layout.NHWC));
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                float[] got = other.submit(() -> bound.predict(images, 16, 16, Network.Layout.NHWC)).get(60, TimeUnit.SECONDS);
                assertThat(got).isEqualTo(want);
            } finally {
                other.shutdownNow();
            }
            assertThat(Engine.current()).as("the caller's engine is untouched").isSameAs(callers);
        }
    }
}
