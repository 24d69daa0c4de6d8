package io.engram.query.executor.imagine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineBlend;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.Ticker;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.executor.scatter.RoundTally;
import io.engram.query.executor.scatter.ScatterGatherExecutor;
import io.engram.query.executor.scatter.ScatterRound;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.strategy.BroadcastStrategy;
import io.engram.query.planner.strategy.MultiPartitionStrategy;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpaceDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs an imagine across partitions in two phases, so that the cue blends every seed of the cluster, wherever it
 * lives, and the answer equals a single node's imagine holding every space.
 *
 * <p>Phase 1 (seed fetch) asks the partitions of the spaces holding the seeds for their embeddings: the spaces the
 * directory names ({@link SpaceDirectory#spaceOf}), or every space of the cluster when it can not tell for some seed
 * (a seed may live outside the spaces the query recalls). The coordinator then blends the seeds found, in the
 * query's seed order, with {@link ImagineBlend#blend} (its noise derives from the query's full seed list, as on one
 * node). Phase 2 sends the query's ordinary plan with that cue; each partition recalls it, seeds excluded, with the
 * usual confidence.
 *
 * <p>Both phases are ordinary scatters through the {@link ScatterGatherExecutor} under the query's one deadline, with
 * its failover, retries, hedging and metrics. The coverage adds up both phases' partitions: a seed partition lost in
 * phase 1 counts as missing (its detail says "seed fetch") and lowers the confidence, while the seeds found are
 * still blended. When no seed is found the answer is empty, with the coverage of phase 1 saying why. The consistency
 * policy applies to each phase and to the whole.
 */
public final class ImagineCoordinator {
    private static final String SEED_FETCH = "seed fetch";

    private final QueryPlanner planner;
    private final ScatterGatherExecutor executor;
    private final Ticker ticker;

    public ImagineCoordinator(QueryPlanner planner, ScatterGatherExecutor executor, Ticker ticker) {
        this.planner = requireNonNull(planner, "planner is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    /**
     * Imagines {@code query} under {@code deadline}. The future completes with a possibly partial result, or
     * exceptionally with an {@link IllegalArgumentException} (a query that can not be planned, an unknown policy) or
     * a {@link ConsistencyException} naming the missing partitions.
     */
    public CompletableFuture<QueryResult> execute(ImagineQuery query, Deadline deadline) {
        requireNonNull(query, "query is null");
        requireNonNull(deadline, "deadline is null");
        long startNanos = ticker.nanoTime();
        MergePolicy merge;
        ConsistencyPolicy consistency;
        QueryPlan asked;
        QueryPlan fetch;
        try {
            merge = executor.mergePolicy(query);
            consistency = executor.consistencyPolicy(query);
            asked = planner.plan(query, deadline); // refuses a query that can not be planned before any call is made
            fetch = planSeedFetch(query, deadline);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<QueryResult> result = new CompletableFuture<>();
        executor.metrics().clientQuery(asked.strategy(), asked.expectedPartitions(), ticker, startNanos, result);
        Map<MemoryId, Embedding> found = new ConcurrentHashMap<>();
        ScatterRound round = ScatterRound.seedFetch(new PartitionTask.SeedFetch(query), partial -> {
            for (SeedEmbedding seed : partial.seeds()) {
                found.putIfAbsent(seed.memory(), seed.embedding());
            }
        });
        executor.execute(fetch, query, round).whenComplete((seeds, failure) -> {
            if (failure != null) {
                result.completeExceptionally(NodeCallPolicy.unwrap(failure));
                return;
            }
            try {
                List<Embedding> embeddings = new ArrayList<>(found.size());
                for (MemoryId seed : query.seeds()) {
                    Embedding embedding = found.get(seed);
                    if (embedding != null) {
                        embeddings.add(embedding);
                    }
                }
                if (embeddings.isEmpty()) {
                    complete(query, merge, consistency, startNanos, seeds, Optional.empty(), result);
                    return;
                }
                Embedding cue = ImagineBlend.blend(embeddings, query.seeds(), query.novelty());
                QueryPlan recall = planner.plan(query, deadline);
                executor.execute(recall, query, ScatterRound.imagineRecall(new PartitionTask.CueRecall(query, cue)))
                        .whenComplete((answer, recallFailure) -> {
                            if (recallFailure != null) {
                                result.completeExceptionally(NodeCallPolicy.unwrap(recallFailure));
                                return;
                            }
                            try {
                                complete(query, merge, consistency, startNanos, seeds, Optional.of(answer), result);
                            } catch (RuntimeException e) {
                                result.completeExceptionally(e);
                            }
                        });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private QueryPlan planSeedFetch(ImagineQuery query, Deadline deadline) {
        ImagineQuery fetch = seedFetch(query);
        try {
            return planner.plan(fetch, deadline);
        } catch (IllegalArgumentException e) {
            if (fetch.spaces().isEmpty()) {
                throw e;
            }
            // The seeds span more spaces than query.max_spaces lets one query name: ask every space instead.
            return planner.plan(withSpaces(query, List.of(), BroadcastStrategy.NAME), deadline);
        }
    }

    /** The seed fetch: the spaces the directory says hold the seeds, else every space (a broadcast). */
    private ImagineQuery seedFetch(ImagineQuery query) {
        SpaceDirectory directory = planner.directory();
        TreeSet<MemorySpaceId> spaces = new TreeSet<>();
        for (MemoryId seed : query.seeds()) {
            Optional<MemorySpaceId> space = directory.spaceOf(seed);
            if (space.isEmpty()) {
                return withSpaces(query, List.of(), BroadcastStrategy.NAME);
            }
            if (directory.assignment(space.get()).isPresent()) {
                spaces.add(space.get());
            }
        }
        if (spaces.isEmpty()) {
            return withSpaces(query, List.of(), BroadcastStrategy.NAME);
        }
        return withSpaces(query, List.copyOf(spaces), MultiPartitionStrategy.NAME);
    }

    private static ImagineQuery withSpaces(ImagineQuery query, List<MemorySpaceId> spaces, String strategy) {
        QueryOptions options = query.options().withPlanningStrategy(strategy);
        return new ImagineQuery(query.seeds(), spaces, query.novelty(), options);
    }

    private void complete(
            ImagineQuery query,
            MergePolicy merge,
            ConsistencyPolicy consistency,
            long startNanos,
            QueryResult seeds,
            Optional<QueryResult> recall,
            CompletableFuture<QueryResult> result) {
        RoundTally tally = new RoundTally(executor, ticker, startNanos).add(seeds, SEED_FETCH);
        recall.ifPresent(answer -> tally.add(answer, ""));
        List<Match> matches = recall.map(QueryResult::matches).orElse(List.of());
        tally.complete(result, matches, merge, consistency, recall.orElse(seeds), Optional.empty());
    }
}
