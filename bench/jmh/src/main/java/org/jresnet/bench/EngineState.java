package org.jresnet.bench;

import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A benchmark state whose kernels run on an engine of its own: kernels use the engine bound to
 * the calling thread, so the state binds one on JMH's thread (Scope.Thread) and frees it after.
 */
abstract class EngineState {
    private Engine engine;
    private Engine.Scope bound;

    /** Call from the subclass's {@code @Setup}. */
    protected void bindEngine(int threads) {
        engine = Engine.create(EngineConfig.defaults().withThreads(threads));
        bound = engine.bind();
    }

    @TearDown
    public void unbindEngine() {
        bound.close();
        engine.close();
    }
}
