package io.engram.query.benchmarks.executor;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryService;
import io.engram.query.api.Ticker;
import io.engram.query.executor.EngramQueryModule;
import io.engram.query.executor.QueryNode;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.Transport;
import java.util.List;

/**
 * A coordinator node wired the way a host wires it ({@link EngramQueryModule}), holding no space, reaching every other
 * node through the given {@link Transport}.
 */
final class Coordinator implements AutoCloseable {
    static final NodeId NODE = NodeId.of("coordinator");

    private final Injector injector;

    Coordinator(QueryConfig config, List<SpaceAssignment> assignments, Transport transport) {
        requireNonNull(config, "config is null");
        requireNonNull(assignments, "assignments is null");
        requireNonNull(transport, "transport is null");
        StaticSpaceDirectory directory = new StaticSpaceDirectory(assignments);
        EmbeddedQueryEngine empty =
                new EmbeddedQueryEngine(NODE, MemoryStore.builder(8).build(), Ticker.system());
        injector = Guice.createInjector(new EngramQueryModule(config, NODE), binder -> {
            EngramQueryModule.spaceDirectory(binder).toInstance(directory);
            EngramQueryModule.localQueryEngine(binder).toInstance(empty);
            EngramQueryModule.transport(binder).toInstance(transport);
        });
    }

    QueryService service() {
        return injector.getInstance(QueryService.class);
    }

    QueryPlanner planner() {
        return injector.getInstance(QueryPlanner.class);
    }

    QueryMetrics metrics() {
        return injector.getInstance(QueryMetrics.class);
    }

    @Override
    public void close() {
        injector.getInstance(QueryNode.class).close(); // the transport stays the caller's to close
    }
}
