package io.engram.query.benchmarks.processes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A closed-loop load generator: {@code clients} concurrent clients, each sending its next query as soon as its last
 * one is answered, over one asynchronous Jetty {@link HttpClient} with pooled keep-alive HTTP/1.1 connections (a
 * connection per query would make the client the bottleneck). Every answer is checked: status 200 and full coverage,
 * else it counts as a failure of its kind. It owns its client; {@link #close()} stops it.
 */
final class ClosedLoopLoad implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ANSWER_BYTES = 4 << 20;
    private static final long QUERY_TIMEOUT_MS = 10_000;

    private final HttpClient http;

    ClosedLoopLoad(int maxClients) {
        QueuedThreadPool threads = new QueuedThreadPool(Math.max(16, 2 * maxClients), 4);
        threads.setName("load");
        threads.setDaemon(true);
        http = new HttpClient();
        http.setExecutor(threads);
        http.setMaxConnectionsPerDestination(Math.max(64, maxClients));
        http.setMaxRequestsQueuedPerDestination(Math.max(1024, 4 * maxClients));
        http.setConnectTimeout(2_000);
        http.setIdleTimeout(60_000);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("can not start the load generator's HTTP client", e);
        }
    }

    HttpClient http() {
        return http;
    }

    /**
     * Sends {@code bodies} (in turn, from {@code next}, wrapping) to {@code entry}'s {@code /v1/query} from
     * {@code clients} clients for {@code nanos}; no query starts after that, and the slice ends when the last one in
     * flight is answered.
     */
    Slice run(URI entry, List<String> bodies, AtomicLong next, int clients, long nanos) {
        requireNonNull(entry, "entry is null");
        if (bodies.isEmpty() || clients < 1) {
            throw new IllegalArgumentException("need at least one query and one client, got " + bodies.size()
                    + " queries and " + clients + " clients");
        }
        URI uri = entry.resolve("/v1/query");
        List<byte[]> encoded = bodies.stream().map(b -> b.getBytes(UTF_8)).toList();
        Recorder recorder = new Recorder();
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        long stopAt = start + nanos;
        for (int c = 0; c < clients; c++) {
            send(uri, encoded, next, stopAt, recorder, done);
        }
        try {
            if (!done.await(nanos + TimeUnit.MILLISECONDS.toNanos(QUERY_TIMEOUT_MS * 2), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("queries still in flight " + QUERY_TIMEOUT_MS * 2
                        + " ms after the slice ended; the client timeout should have ended them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a slice", e);
        }
        return recorder.slice(System.nanoTime() - start);
    }

    private void send(
            URI uri, List<byte[]> bodies, AtomicLong next, long stopAt, Recorder recorder, CountDownLatch done) {
        byte[] body = bodies.get((int) Math.floorMod(next.getAndIncrement(), (long) bodies.size()));
        long sent = System.nanoTime();
        http.newRequest(uri)
                .method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", body))
                .timeout(QUERY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .send(new BufferingResponseListener(MAX_ANSWER_BYTES) {
                    @Override
                    public void onComplete(Result result) {
                        long answered = System.nanoTime();
                        if (result.isFailed()) {
                            recorder.failure("transport: "
                                    + result.getFailure().getClass().getSimpleName());
                        } else {
                            recorder.answer(
                                    answered - sent, result.getResponse().getStatus(), getContent());
                        }
                        if (answered < stopAt) {
                            send(uri, bodies, next, stopAt, recorder, done);
                        } else {
                            done.countDown();
                        }
                    }
                });
    }

    /** Sends one query and waits for its answer: for checks outside the measured slices. */
    JsonNode query(URI entry, String body) {
        try {
            var response = http.newRequest(entry.resolve("/v1/query"))
                    .method(HttpMethod.POST)
                    .body(new StringRequestContent("application/json", body))
                    .timeout(QUERY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .send();
            if (response.getStatus() != 200) {
                throw new IllegalStateException(
                        "status " + response.getStatus() + " from " + entry + ": " + response.getContentAsString());
            }
            return JSON.readTree(response.getContentAsString());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable answer from " + entry + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("no answer from " + entry + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("can not stop the load generator's HTTP client", e);
        }
    }

    /** What one slice measured: latencies of answered queries (failures included), failures by kind, elapsed time. */
    record Slice(long[] latencyNanos, Map<String, Integer> failures, long elapsedNanos, long partitions) {
        Slice {
            latencyNanos = latencyNanos.clone();
            failures = Map.copyOf(failures);
        }

        int queries() {
            return latencyNanos.length;
        }

        int failureCount() {
            return failures.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Collects one slice's outcomes from the client's threads. */
    private static final class Recorder {
        private long[] latencies = new long[4096];
        private int size;
        private long partitions;
        private final Map<String, Integer> failures = new TreeMap<>();

        synchronized void failure(String kind) {
            failures.merge(kind, 1, Integer::sum);
        }

        void answer(long nanos, int status, byte[] body) {
            String failure = null;
            int partitionCount = 0;
            if (status != 200) {
                failure = "status " + status;
            } else {
                AnswerCheck check = AnswerCheck.of(body);
                failure = check.failure().orElse(null);
                partitionCount = check.partitions();
            }
            synchronized (this) {
                if (size == latencies.length) {
                    latencies = Arrays.copyOf(latencies, size * 2);
                }
                latencies[size++] = nanos;
                partitions += partitionCount;
                if (failure != null) {
                    failures.merge(failure, 1, Integer::sum);
                }
            }
        }

        synchronized Slice slice(long elapsedNanos) {
            return new Slice(Arrays.copyOf(latencies, size), failures, elapsedNanos, partitions);
        }
    }

    /** Latencies of many slices together. */
    static final class Latencies {
        private final List<long[]> parts = new ArrayList<>();

        void add(long[] nanos) {
            parts.add(nanos);
        }

        long[] sorted() {
            long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
            Arrays.sort(all);
            return all;
        }

        /** The nearest-rank percentile {@code p} (in (0, 100]) of {@code sorted}, in ms; NaN when it is empty. */
        static double percentileMs(long[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)] / 1e6;
        }
    }
}
