package org.jresnet.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jresnet.kernel.Simd;
import org.jresnet.engine.Engine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the JDK in use, the SIMD path and the thread count.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object.") boolean json;
    @Mixin EngineOptions engine;

    @Override public Integer call() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        m.put("java_home", System.getProperty("java.home"));
        m.put("simd", Simd.enabled());
        m.put("vector_bits", Simd.enabled() ? Simd.F.vectorBitSize() : 0);
        m.put("float_lanes", Simd.lanes());
        m.put("threads", Engine.current().threads());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1 << 20));
        if (json) {
            Json.print(m);
        } else {
            System.out.println("JDK:      " + m.get("jdk") + " (" + m.get("java_home") + ")");
            System.out.println("SIMD:     " + Simd.describe());
            System.out.println("Threads:  " + m.get("threads") + " of " + m.get("cores") + " cores");
            System.out.println("Max heap: " + m.get("max_heap_mb") + " MB");
        }
        return 0;
    }
}
