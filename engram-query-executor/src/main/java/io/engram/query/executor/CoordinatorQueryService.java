package io.engram.query.executor;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Deadline;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.imagine.ImagineCoordinator;
import io.engram.query.executor.scatter.ScatterGatherExecutor;
import io.engram.query.executor.spread.SpreadCoordinator;
import io.engram.query.planner.QueryPlanner;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * This node as coordinator: fixes the query's one deadline when it arrives (its own timeout, else
 * {@code query.scatter_timeout_ms}), plans it, and executes the plan. A spread runs in rounds through a
 * {@link SpreadCoordinator}, so that activation crosses from one space into another; an imagine runs in two phases
 * through an {@link ImagineCoordinator}, so that its cue blends every seed of the cluster.
 *
 * <p>A {@code timeout} longer than {@code query.max_timeout_ms} is rejected. When the caller cancels the returned
 * future, the query's deadline is cancelled: every call in flight is aborted, the engines serving them stop at their
 * next check, and {@code engram_query_cancelled_total} counts it.
 */
public final class CoordinatorQueryService implements QueryService {
    private final QueryPlanner planner;
    private final ScatterGatherExecutor executor;
    private final QueryConfig config;
    private final Ticker ticker;
    private final SpreadCoordinator spreads;
    private final ImagineCoordinator imaginations;

    @Inject
    public CoordinatorQueryService(
            QueryPlanner planner, ScatterGatherExecutor executor, QueryConfig config, Ticker ticker) {
        this.planner = requireNonNull(planner, "planner is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.config = requireNonNull(config, "config is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.spreads = new SpreadCoordinator(planner, executor, ticker);
        this.imaginations = new ImagineCoordinator(planner, executor, ticker);
    }

    @Override
    public CompletableFuture<QueryResult> execute(Query query) {
        return execute(query, Duration.ZERO);
    }

    @Override
    public CompletableFuture<QueryResult> execute(Query query, Duration waited) {
        requireNonNull(query, "query is null");
        requireNonNull(waited, "waited is null");
        Duration timeout = query.options().timeout().orElse(config.scatterTimeout());
        if (timeout.compareTo(config.maxTimeout()) > 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("timeout_ms must be at most "
                    + config.maxTimeout().toMillis() + " on this node (query.max_timeout_ms), got "
                    + timeout.toMillis()));
        }
        Duration left = waited.isNegative() ? timeout : timeout.minus(waited);
        Deadline deadline = Deadline.after(left.isNegative() ? Duration.ZERO : left, ticker);
        CompletableFuture<QueryResult> answer = start(query, deadline);
        answer.whenComplete((result, failure) -> {
            if (failure instanceof CancellationException && !deadline.isCancelled()) {
                executor.metrics().queryCancelled();
                deadline.cancel();
            }
        });
        return answer;
    }

    private CompletableFuture<QueryResult> start(Query query, Deadline deadline) {
        if (query instanceof SpreadQuery spread) {
            return spreads.execute(spread, deadline);
        }
        if (query instanceof ImagineQuery imagine) {
            return imaginations.execute(imagine, deadline);
        }
        QueryPlan plan;
        try {
            plan = planner.plan(query, deadline);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return executor.execute(plan, query);
    }
}
