package io.engram.query.api;

import java.util.concurrent.CompletableFuture;

/**
 * Runs a query across the cluster, this node acting as coordinator. The host application gets one from the Guice
 * injector built with {@code EngramQueryModule}, through {@code QueryNode}, which the host closes when it stops. The
 * service itself is not closeable: it is shared by every caller, and none of them owns the node.
 */
public interface QueryService {
    /**
     * Plans and executes {@code query}. The future completes by the query's deadline: with a {@link QueryResult}
     * (possibly partial, with lowered confidence), or exceptionally with a {@link ConsistencyException} when the
     * query's consistency policy is not met, or an {@link IllegalArgumentException} when the query names an unknown
     * policy or strategy.
     */
    CompletableFuture<QueryResult> execute(Query query);

    /**
     * As {@link #execute(Query)}, for a request that already waited {@code waited} before it got here (in a server's
     * queue, reading its body): that time counts inside the query's deadline. Cancelling the returned future stops
     * the query's work on every node it reached.
     */
    default CompletableFuture<QueryResult> execute(Query query, java.time.Duration waited) {
        return execute(query);
    }
}
