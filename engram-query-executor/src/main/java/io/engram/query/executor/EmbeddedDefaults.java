package io.engram.query.executor;

import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.planner.CircuitBreakerView;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What {@link EngramQueryModule} binds where the host binds nothing. */
final class EmbeddedDefaults {
    /** Engram's embedding width, used by the empty default engine. */
    static final int DEFAULT_DIMENSIONS = 768;

    private EmbeddedDefaults() {}

    /** The embedded in-memory engine, empty: a host that wants data binds a loaded one. */
    static final class Engine implements Provider<LocalQueryEngine> {
        private final NodeId localNode;
        private final Ticker ticker;

        @Inject
        Engine(@LocalNode NodeId localNode, Ticker ticker) {
            this.localNode = localNode;
            this.ticker = ticker;
        }

        @Override
        public LocalQueryEngine get() {
            return new EmbeddedQueryEngine(
                    localNode, MemoryStore.builder(DEFAULT_DIMENSIONS).build(), ticker);
        }
    }

    /** Every space of the local engine, held by this node alone. */
    static final class Directory implements Provider<SpaceDirectory> {
        private final NodeId localNode;
        private final LocalQueryEngine engine;

        @Inject
        Directory(@LocalNode NodeId localNode, LocalQueryEngine engine) {
            this.localNode = localNode;
            this.engine = engine;
        }

        @Override
        public SpaceDirectory get() {
            List<SpaceAssignment> assignments = new ArrayList<>();
            engine.localSpaces().stream()
                    .sorted()
                    .forEach(space -> assignments.add(new SpaceAssignment(space, localNode, List.of())));
            return new StaticSpaceDirectory(assignments);
        }
    }

    /** A detector fed by call outcomes, over the nodes of the directory. */
    static final class Detector implements Provider<PartitionDetector> {
        private final NodeId localNode;
        private final SpaceDirectory directory;
        private final CircuitBreakerView breakers;
        private final Ticker ticker;
        private final QueryConfig config;

        @Inject
        Detector(
                @LocalNode NodeId localNode,
                SpaceDirectory directory,
                CircuitBreakerView breakers,
                Ticker ticker,
                QueryConfig config) {
            this.localNode = localNode;
            this.directory = directory;
            this.breakers = breakers;
            this.ticker = ticker;
            this.config = config;
        }

        @Override
        public PartitionDetector get() {
            Set<NodeId> nodes = new LinkedHashSet<>();
            nodes.add(localNode);
            for (SpaceAssignment a : directory.assignments()) {
                nodes.addAll(a.copies());
            }
            return new ObservedPartitionDetector(
                    List.copyOf(nodes),
                    localNode,
                    config.detector().failureThreshold(),
                    breakers,
                    ticker,
                    ObservedPartitionDetector.DEFAULT_HEALING_WINDOW,
                    config.detector().trialBackoff(),
                    config.detector().maxTrialBackoff());
        }
    }
}
