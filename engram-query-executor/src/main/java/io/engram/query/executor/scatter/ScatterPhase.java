package io.engram.query.executor.scatter;

import java.util.Locale;

/** What a scatter-gather execution is to its client query; {@code engram_query_scatters_total} counts by it. */
public enum ScatterPhase {
    /** The one execution of a recall: the client query itself. */
    QUERY,
    /** One round of a distributed spread. */
    SPREAD_ROUND,
    /** A distributed imagine's first phase: fetching the seeds' embeddings. */
    IMAGINE_SEEDS,
    /** A distributed imagine's second phase: recalling with the blended cue. */
    IMAGINE_RECALL;

    /** The {@code phase} label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
