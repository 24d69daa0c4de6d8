package io.engram.query.transport.http.reliability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Figures over a run of queries under one deadline: counts, coverage, and how late the worst one was. */
final class QueryStats {
    private final long timeoutMs;
    private int queries;
    private int failures;
    private int full;
    private long worstLatenessMs;
    private long worstTookLatenessMs;
    private long maxWallMs;
    private long totalWallMs;
    private final Map<String, Integer> missingReasons = new TreeMap<>();
    private String firstFailure = "";

    QueryStats(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    synchronized void add(QueryOutcome outcome) {
        queries++;
        if (!outcome.ok()) {
            failures++;
            if (firstFailure.isEmpty()) {
                firstFailure = outcome.status() + " " + outcome.body();
            }
        }
        if (outcome.fullCoverage()) {
            full++;
        }
        outcome.missing().forEach((space, reason) -> missingReasons.merge(reason, 1, Integer::sum));
        worstLatenessMs = Math.max(worstLatenessMs, outcome.latenessMs(timeoutMs));
        if (outcome.tookMs() >= 0) {
            worstTookLatenessMs = Math.max(worstTookLatenessMs, outcome.tookMs() - timeoutMs);
        }
        maxWallMs = Math.max(maxWallMs, outcome.wallMs());
        totalWallMs += outcome.wallMs();
    }

    synchronized void addAll(List<QueryOutcome> outcomes) {
        outcomes.forEach(this::add);
    }

    synchronized int queries() {
        return queries;
    }

    synchronized int failures() {
        return failures;
    }

    synchronized int fullCoverage() {
        return full;
    }

    synchronized long worstLatenessMs() {
        return worstLatenessMs;
    }

    /** The coordinator's own measure ({@code took_ms}) past the deadline, without the client's HTTP time. */
    synchronized long worstTookLatenessMs() {
        return Math.max(0, worstTookLatenessMs);
    }

    synchronized long maxWallMs() {
        return maxWallMs;
    }

    synchronized String firstFailure() {
        return firstFailure;
    }

    synchronized Map<String, Integer> missingReasons() {
        return Map.copyOf(missingReasons);
    }

    synchronized Map<String, Object> figures() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("queries", queries);
        f.put("failures", failures);
        f.put("full_coverage", full);
        f.put("missing_by_reason", new TreeMap<>(missingReasons));
        f.put("deadline_ms", timeoutMs);
        f.put("worst_wall_past_deadline_ms", worstLatenessMs);
        f.put("worst_took_past_deadline_ms", Math.max(0, worstTookLatenessMs));
        f.put("max_wall_ms", maxWallMs);
        f.put("mean_wall_ms", queries == 0 ? 0 : Math.round(totalWallMs * 10.0 / queries) / 10.0);
        return f;
    }
}
