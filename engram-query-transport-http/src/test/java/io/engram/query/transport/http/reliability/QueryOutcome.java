package io.engram.query.transport.http.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One query as the test client saw it: the status, the wall time, and from a 200 answer the coverage, the missing
 * partitions (space to reason) and the confidences.
 *
 * @param status the HTTP status, or -1 when the request failed at the transport
 * @param wallMs measured by the client, from sending to the full answer
 * @param tookMs the coordinator's own {@code took_ms}, or -1
 * @param expected expected partitions
 * @param responding responding partitions
 * @param missing missing space to its reason
 * @param confidence the final confidence
 * @param baseConfidence the confidence before the coverage penalty
 * @param body the raw body, for messages
 */
record QueryOutcome(
        int status,
        long wallMs,
        long tookMs,
        int expected,
        int responding,
        Map<String, String> missing,
        double confidence,
        double baseConfidence,
        String body) {
    QueryOutcome {
        missing = Map.copyOf(missing);
    }

    static QueryOutcome of(int status, String body, long wallMs) {
        if (status != 200) {
            return new QueryOutcome(status, wallMs, -1, 0, 0, Map.of(), 0, 0, body);
        }
        try {
            JsonNode tree = ClusterHarness.JSON.readTree(body);
            JsonNode coverage = tree.path("coverage");
            Map<String, String> missing = new LinkedHashMap<>();
            for (JsonNode m : coverage.path("missing_partitions")) {
                missing.put(m.path("space").asText(), m.path("reason").asText());
            }
            return new QueryOutcome(
                    status,
                    wallMs,
                    tree.path("took_ms").asLong(-1),
                    coverage.path("expected_partitions").asInt(),
                    coverage.path("responding_partitions").asInt(),
                    missing,
                    tree.path("confidence").asDouble(),
                    tree.path("base_confidence").asDouble(),
                    body);
        } catch (IOException e) {
            return new QueryOutcome(-2, wallMs, -1, 0, 0, Map.of(), 0, 0, body);
        }
    }

    static QueryOutcome transportFailure(String message, long wallMs) {
        return new QueryOutcome(-1, wallMs, -1, 0, 0, Map.of(), 0, 0, message);
    }

    boolean ok() {
        return status == 200;
    }

    boolean fullCoverage() {
        return ok() && expected > 0 && responding == expected && missing.isEmpty();
    }

    /** How far the client's wall time ran past {@code timeoutMs} (0 when it finished in time). */
    long latenessMs(long timeoutMs) {
        return Math.max(0, wallMs - timeoutMs);
    }
}
