package io.engram.query.benchmarks.scatter;

import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.transport.http.node.NodeConfig;

/**
 * The data sets of {@link BenchmarkScatterGather}: four spaces of {@code memoriesPerSpace} memories with 768-float
 * embeddings, 50 clusters, 4 edges per memory of which 10% lead to another space. {@code tiny} is for smoke runs.
 */
enum Dataset {
    TINY(200, 4, 4, 2, 1),
    LIGHT(2_000, 4, 3, 2),
    HEAVY(25_000, 4, 4);

    static final int SPACES = 4;
    static final int DIMENSIONS = 768;
    static final int CLUSTERS = 50;
    static final int EDGES_PER_MEMORY = 4;
    static final double CROSS_SPACE_EDGE_FRACTION = 0.1;
    static final long SEED = 7;

    private final int memoriesPerSpace;
    private final int[] spreadCallsPerRound;

    Dataset(int memoriesPerSpace, int... spreadCallsPerRound) {
        this.memoriesPerSpace = memoriesPerSpace;
        this.spreadCallsPerRound = spreadCallsPerRound;
    }

    static Dataset parse(String name) {
        for (Dataset d : values()) {
            if (d.name().equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("dataset must be tiny, light or heavy, got '" + name + "'");
    }

    int memoriesPerSpace() {
        return memoriesPerSpace;
    }

    /**
     * The partition calls per round of {@link Deployment#spread()} on the distributed deployment (tiny: 4, 4, 2 and 1; light: 4 in round 1,
     * 3 in round 2, 2 in round 3; heavy: 4 and 4), the shape {@link LoopbackExchanges} replays. Fixed by the seeded
     * data; {@code SpreadShapeTest} checks each against a real spread.
     */
    int[] spreadCallsPerRound() {
        return spreadCallsPerRound.clone();
    }

    SyntheticSpec spec() {
        return new SyntheticSpec(
                SPACES,
                memoriesPerSpace,
                DIMENSIONS,
                Math.min(CLUSTERS, memoriesPerSpace),
                EDGES_PER_MEMORY,
                CROSS_SPACE_EDGE_FRACTION,
                SEED);
    }

    /** The {@code [engine]} section generating this data set. */
    String engineToml() {
        return NodeConfig.engineToml(spec());
    }
}
