package org.jresnet.spark.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone master and workers on 127.0.0.1, started as separate JVMs from the jars in
 * SPARK_HOME (the module's copy of Spark), on ports the OS picks (read back from the master's log).
 * {@link #close} stops them and the executors their workers launched, also when the test failed;
 * a JVM shutdown hook does the same if the test JVM is stopped first.
 */
public final class StandaloneCluster implements AutoCloseable {
    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)");
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::stop, "standalone-cluster-stop");
    private String masterUrl;

    private StandaloneCluster() {}

    public String masterUrl() { return masterUrl; }

    /** A master and {@code workers} workers of {@code cores} cores and {@code memory} (e.g. "1g") each; logs in {@code dir}. */
    public static StandaloneCluster start(int workers, int cores, String memory, Path dir) throws Exception {
        StandaloneCluster c = new StandaloneCluster();
        Runtime.getRuntime().addShutdownHook(c.hook);
        try {
            Path masterLog = dir.resolve("master.log");
            c.launch(masterLog, "org.apache.spark.deploy.master.Master", "--host", Loopback.HOST, "--port", "0",
                    "--webui-port", "0");
            Matcher m = c.await(masterLog, MASTER_URL, 0);
            c.masterUrl = m.group(1);
            for (int i = 0; i < workers; i++) {
                Path log = dir.resolve("worker-" + i + ".log");
                c.launch(log, "org.apache.spark.deploy.worker.Worker", "--host", Loopback.HOST, "--port", "0",
                        "--webui-port", "0", "--cores", Integer.toString(cores), "--memory", memory,
                        "--work-dir", Files.createDirectories(dir.resolve("work-" + i)).toString(), c.masterUrl);
                c.await(log, Pattern.compile("Successfully registered with master"), i + 1);
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private void launch(Path log, String mainClass, String... args) throws IOException {
        String sparkHome = System.getenv("SPARK_HOME");
        if (sparkHome == null) throw new IllegalStateException("SPARK_HOME is not set (the module's build sets it)");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC"));
        String opens = System.getProperty("jresnet.spark.opens", "");
        for (String o : opens.trim().split("\\s+")) if (!o.isEmpty()) cmd.add(o);
        cmd.addAll(List.of("-cp", Path.of(sparkHome, "jars", "*").toString(), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // the executors a worker launches inherit this environment
        pb.environment().put("SPARK_LOCAL_IP", Loopback.HOST);
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        synchronized (processes) {
            processes.add(pb.start());
        }
    }

    /** Waits for {@code line} in the log of process {@code index}; fails with the log's tail if it died or took too long. */
    private Matcher await(Path log, Pattern line, int index) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = line.matcher(text);
            if (m.find()) return m;
            if (!processes.get(index).isAlive()) throw new IllegalStateException(log.getFileName() + " ended:\n" + tail(text));
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + line + "' in " + log + " after 120 s:\n"
                + tail(Files.readString(log, StandardCharsets.UTF_8)));
    }

    private static String tail(String text) {
        return text.length() <= 3000 ? text : text.substring(text.length() - 3000);
    }

    /** Workers first (SIGTERM lets them stop their executors), then the master; whatever survives is killed. */
    private void stop() {
        List<Process> ps;
        synchronized (processes) {
            ps = new ArrayList<>(processes);
            processes.clear();
        }
        List<ProcessHandle> all = new ArrayList<>();
        for (int i = ps.size() - 1; i >= 0; i--) {
            Process p = ps.get(i);
            all.addAll(p.descendants().toList());
            all.add(p.toHandle());
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        for (ProcessHandle h : all) if (h.isAlive()) h.destroyForcibly();
    }

    @Override public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
    }
}
