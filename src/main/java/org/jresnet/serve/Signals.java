package org.jresnet.serve;

import sun.misc.Signal;

/**
 * SIGTERM (and Ctrl-C's SIGINT) start a drain instead of the JVM's default, which runs the
 * shutdown hooks and exits with 143: a server stopped by its supervisor should finish the
 * requests it accepted and report success.
 */
public final class Signals {
    private Signals() {}

    /** Runs {@code action} on its own thread at the first SIGTERM or SIGINT. */
    public static void onTerminate(Runnable action) {
        Runnable once = new Runnable() {
            private boolean started;

            @Override public synchronized void run() {
                if (started) return;
                started = true;
                Thread t = new Thread(action, "jresnet-drain");
                t.setDaemon(false);
                t.start();
            }
        };
        for (String name : new String[] {"TERM", "INT"}) Signal.handle(new Signal(name), s -> once.run());
    }
}
