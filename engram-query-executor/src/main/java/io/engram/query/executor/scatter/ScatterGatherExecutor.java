package io.engram.query.executor.scatter;

import static java.util.Objects.requireNonNull;

import io.engram.query.aggregation.Aggregator;
import io.engram.query.aggregation.consistency.ConsistencyPolicyRegistry;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.QueryResult;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.hedging.HedgeBudget;
import io.engram.query.executor.hedging.HedgeDelay;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.BlameRule;
import io.engram.query.executor.resilience.InlineFirstAttemptScheduler;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scatters a plan's partition requests and gathers the answers under the query's one deadline: at most
 * {@code maxInFlight} calls at once, Failsafe retries and a breaker per node, failover along each target's replica
 * list, hedging to the next replica when the first is slow, incremental merging, fail-fast when the consistency
 * policy can no longer be met, and at the deadline an answer from whatever arrived. No thread waits on a partition:
 * everything is driven by completions and by timers on one small shared scheduler.
 */
public final class ScatterGatherExecutor {
    private final NodeId localNode;
    private final LocalPartitionRunner local;
    private final Optional<Transport> transport;
    private final ScheduledExecutorService scheduler;
    private final NodeCallPolicy callPolicy;
    private final HedgeDelay hedgeDelay;
    private final HedgeBudget hedgeBudget;
    private final ReplicaSelector replicaSelector;
    private final PartitionDetector detector;
    private final QueryMetrics metrics;
    private final MergePolicyRegistry mergePolicies;
    private final ConsistencyPolicyRegistry consistencyPolicies;
    private final QueryConfig config;
    private final Ticker ticker;
    private final AtomicLong queryIds = new AtomicLong();
    private final InlineFirstAttemptScheduler failsafeScheduler;
    private final BlameRule blameRule;

    public ScatterGatherExecutor(
            NodeId localNode,
            LocalPartitionRunner local,
            Optional<Transport> transport,
            ScheduledExecutorService scheduler,
            NodeCallPolicy callPolicy,
            HedgeDelay hedgeDelay,
            HedgeBudget hedgeBudget,
            ReplicaSelector replicaSelector,
            PartitionDetector detector,
            QueryMetrics metrics,
            MergePolicyRegistry mergePolicies,
            ConsistencyPolicyRegistry consistencyPolicies,
            QueryConfig config,
            Ticker ticker) {
        this.localNode = requireNonNull(localNode, "local node is null");
        this.local = requireNonNull(local, "local is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.callPolicy = requireNonNull(callPolicy, "call policy is null");
        this.hedgeDelay = requireNonNull(hedgeDelay, "hedge delay is null");
        this.hedgeBudget = requireNonNull(hedgeBudget, "hedge budget is null");
        this.replicaSelector = requireNonNull(replicaSelector, "replica selector is null");
        this.detector = requireNonNull(detector, "detector is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.mergePolicies = requireNonNull(mergePolicies, "merge policies is null");
        this.consistencyPolicies = requireNonNull(consistencyPolicies, "consistency policies is null");
        this.config = requireNonNull(config, "config is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.failsafeScheduler = new InlineFirstAttemptScheduler(scheduler);
        this.blameRule = new BlameRule(config.detector(), metrics, ticker);
    }

    /**
     * Executes {@code plan} for {@code query}. The future completes by the plan's deadline (plus scheduling jitter)
     * with a possibly partial {@link QueryResult}, or exceptionally with a
     * {@link io.engram.query.api.ConsistencyException} naming the missing partitions. An unknown merge or
     * consistency policy name fails the future at once with the list of known names.
     */
    public CompletableFuture<QueryResult> execute(QueryPlan plan, Query query) {
        return execute(plan, query, ScatterRound.none());
    }

    /**
     * Executes {@code plan} for {@code query} as one round of a multi-round query: like {@link #execute(QueryPlan,
     * Query)}, with the round's spread starts in the partition requests and its listener told of every accepted
     * partial result.
     */
    public CompletableFuture<QueryResult> execute(QueryPlan plan, Query query, ScatterRound round) {
        requireNonNull(plan, "plan is null");
        requireNonNull(query, "query is null");
        requireNonNull(round, "round is null");
        MergePolicy merge;
        ConsistencyPolicy consistency;
        try {
            merge = mergePolicies.get(query.options().mergePolicy().orElse(config.defaultMergePolicy()));
            consistency = consistencyPolicies.get(query.options().consistency().orElse(config.defaultConsistency()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            requireResultMatchesWithin(query.limit(), plan.expectedPartitions());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<MemorySpaceId> expected = new ArrayList<>(plan.expectedPartitions());
        plan.targets().forEach(t -> expected.add(t.space()));
        plan.unreachable().forEach(m -> expected.add(m.space()));
        Aggregator aggregator =
                new Aggregator(expected, query.limit(), merge, consistency, config.partialConfidencePenalty());
        QueryExecution execution = new QueryExecution(
                this,
                "q" + queryIds.incrementAndGet() + "@" + localNode,
                plan,
                query,
                aggregator,
                consistency.name(),
                round);
        execution.start();
        return execution.result();
    }

    /** The merge policy {@code query} names, else the configured default; unknown names fail listing the known. */
    /**
     * Refuses a query that could gather more than {@code query.max_result_matches}: {@code limit} over
     * {@code partitions} partitions.
     *
     * @throws IllegalArgumentException saying what to lower
     */
    public void requireResultMatchesWithin(int limit, int partitions) {
        long matches = (long) limit * partitions;
        if (matches > config.maxResultMatches()) {
            throw new IllegalArgumentException("limit " + limit + " over " + partitions + " partitions could gather "
                    + matches + " matches, more than this node allows for one query (query.max_result_matches "
                    + config.maxResultMatches() + "); lower the limit or name fewer spaces");
        }
    }

    public MergePolicy mergePolicy(Query query) {
        return mergePolicies.get(query.options().mergePolicy().orElse(config.defaultMergePolicy()));
    }

    /** The consistency policy {@code query} names, else the configured default. */
    public ConsistencyPolicy consistencyPolicy(Query query) {
        return consistencyPolicies.get(query.options().consistency().orElse(config.defaultConsistency()));
    }

    /** λ of the coverage penalty ({@code query.partial_confidence_penalty}). */
    public double partialConfidencePenalty() {
        return config.partialConfidencePenalty();
    }

    NodeId localNode() {
        return localNode;
    }

    LocalPartitionRunner local() {
        return local;
    }

    Optional<Transport> transport() {
        return transport;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    InlineFirstAttemptScheduler failsafeScheduler() {
        return failsafeScheduler;
    }

    NodeCallPolicy callPolicy() {
        return callPolicy;
    }

    HedgeDelay hedgeDelay() {
        return hedgeDelay;
    }

    HedgeBudget hedgeBudget() {
        return hedgeBudget;
    }

    ReplicaSelector replicaSelector() {
        return replicaSelector;
    }

    BlameRule blameRule() {
        return blameRule;
    }

    PartitionDetector detector() {
        return detector;
    }

    public QueryMetrics metrics() {
        return metrics;
    }

    Ticker ticker() {
        return ticker;
    }
}
