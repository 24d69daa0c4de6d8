package io.engram.query.transport.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders answers and health reports as plain-text tables for a person. */
final class Tables {
    private Tables() {}

    /** An answer of {@code POST /v1/query}: matches, then confidence and coverage, then missing partitions. */
    static String answer(JsonNode answer) {
        StringBuilder out = new StringBuilder();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("#", "memory", "space", "confidence", "content"));
        int i = 1;
        for (JsonNode m : answer.path("matches")) {
            rows.add(List.of(
                    String.valueOf(i++),
                    m.path("memory_id").asText(),
                    m.path("space").asText(),
                    format(m.path("confidence").asDouble()),
                    abbreviate(m.path("content").asText(), 40)));
        }
        out.append(table(rows));
        JsonNode coverage = answer.path("coverage");
        out.append(String.format(
                Locale.ROOT,
                "confidence %s (base %s) | coverage %d/%d partitions, ratio %s | %s, %s | %d ms%n",
                format(answer.path("confidence").asDouble()),
                format(answer.path("base_confidence").asDouble()),
                coverage.path("responding_partitions").asInt(),
                coverage.path("expected_partitions").asInt(),
                format(coverage.path("ratio").asDouble()),
                answer.path("strategy").asText(),
                answer.path("consistency").asText(),
                answer.path("took_ms").asLong()));
        JsonNode missing = coverage.path("missing_partitions");
        if (missing.size() > 0) {
            out.append("missing partitions:\n");
            for (JsonNode m : missing) {
                out.append("  ")
                        .append(m.path("space").asText())
                        .append(" on ")
                        .append(m.path("node").asText("?"))
                        .append(": ")
                        .append(m.path("reason").asText())
                        .append('\n');
            }
        }
        return out.toString();
    }

    /** {@code GET /cluster/health} as the {@code stats} command prints it. */
    static String health(JsonNode health) {
        StringBuilder out = new StringBuilder();
        JsonNode partition = health.path("partition");
        out.append(String.format(
                Locale.ROOT,
                "node %s: %s, cluster %s (%d of %d nodes reachable), holds %s%n",
                health.path("node_id").asText(),
                health.path("status").asText(),
                partition.path("state").asText(),
                partition.path("reachable_nodes").asInt(),
                partition.path("total_nodes").asInt(),
                String.join(", ", spaces(health))));
        JsonNode query = health.path("query");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("strategy", "queries", "p50 ms", "p95 ms", "p99 ms"));
        Iterator<Map.Entry<String, JsonNode>> strategies =
                query.path("scatter_count").fields();
        while (strategies.hasNext()) {
            Map.Entry<String, JsonNode> e = strategies.next();
            JsonNode latency = query.path("latency").path(e.getKey());
            rows.add(List.of(
                    e.getKey(),
                    e.getValue().asText(),
                    format(latency.path("p50_ms").asDouble()),
                    format(latency.path("p95_ms").asDouble()),
                    format(latency.path("p99_ms").asDouble())));
        }
        out.append(table(rows));
        out.append(String.format(
                Locale.ROOT,
                "partial timeouts %d | missing partitions %d | retries %d | hedges %d sent, %d won | failovers %d%n",
                query.path("partial_timeouts").asLong(),
                query.path("missing_partitions").asLong(),
                query.path("retries").asLong(),
                query.path("hedges_sent").asLong(),
                query.path("hedges_won").asLong(),
                query.path("failovers").asLong()));
        List<List<String>> peers = new ArrayList<>();
        peers.add(List.of("peer", "reachable", "transport", "breaker", "latency score ms"));
        for (JsonNode p : health.path("peers")) {
            peers.add(List.of(
                    p.path("node").asText(),
                    p.path("reachable").asText(),
                    p.path("transport").asText("http"),
                    p.path("breaker").asText(),
                    format(p.path("latency_score_ms").asDouble())));
        }
        if (peers.size() > 1) {
            out.append(table(peers));
        }
        return out.toString();
    }

    private static List<String> spaces(JsonNode health) {
        List<String> out = new ArrayList<>();
        health.path("spaces").forEach(s -> out.add(s.asText()));
        return out;
    }

    static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int c = 0; c < columns; c++) {
                out.append(c == 0 ? "" : "  ").append(pad(row.get(c), widths[c]));
            }
            out.append('\n');
            if (r == 0) {
                for (int c = 0; c < columns; c++) {
                    out.append(c == 0 ? "" : "  ").append("-".repeat(widths[c]));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
