package io.engram.query.transport.http.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Queries a coordinator in a loop on a background thread until stopped; each outcome is kept with its start time. */
final class QueryLoop implements AutoCloseable {
    /** One query of the loop: which body, when it started (System.nanoTime), what came back. */
    record Entry(String label, long startNanos, QueryOutcome outcome) {}

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** {@code next} maps the query's number to a label and a body: {@code [label, body]}. */
    QueryLoop(ClusterHarness cluster, String coordinator, Function<Integer, String[]> next) {
        this.thread = new Thread(
                () -> {
                    int i = 0;
                    while (running) {
                        String[] query = next.apply(i++);
                        long start = System.nanoTime();
                        entries.add(new Entry(query[0], start, cluster.query(coordinator, query[1])));
                    }
                },
                "query-loop");
        thread.setDaemon(true);
        thread.start();
    }

    int size() {
        return entries.size();
    }

    List<Entry> stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
        return new ArrayList<>(entries);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
