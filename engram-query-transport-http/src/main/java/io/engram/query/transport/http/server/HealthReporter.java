package io.engram.query.transport.http.server;

import java.util.Map;

/**
 * Summarises this node's view of the cluster for {@code GET /cluster/health}: any tree of maps, lists, strings,
 * numbers and booleans (for example {@code {"node": "n1", "state": "connected", "nodes": {...}}}). Called on a server
 * thread; must be quick and thread-safe.
 */
@FunctionalInterface
public interface HealthReporter {
    Map<String, Object> health();
}
