package io.engram.query.executor.local;

import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.executor.spread.SentStarts;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Continues, on the node, a spread round's crossings into the other spaces of the same node request, so that a crossing
 * between two spaces one node holds costs no network round (execution model v2). Only for {@link
 * PartitionTask.SpreadRun}, the maximum as combiner: there running a start earlier, from the node, is what the
 * coordinator would have sent in the next round, and activations merge by maximum, so the answer is unchanged.
 *
 * <p>A crossing is continued when its space is named and is one of the request's spaces that answered, and no start
 * of that memory already run in this request dominates it (fewer or equal hops and at least the activation; the
 * request's own starts and the seeds count as run). The target space's partition runs again from those starts; its
 * matches merge into its reply by memory (the best kept, then its top {@code limit}), its new frontier joins the
 * reply's, and the continued crossings leave the frontier the coordinator sees. Every continuation uses a hop, so it
 * stops after at most {@code maxHops} passes.
 */
final class LocalCrossings {
    private final LocalPartitionRunner runner;
    private final NodeRequest request;
    private final Map<MemorySpaceId, PartitionRequest> bySpace = new LinkedHashMap<>();
    /** The starts already run in this request (its own starts and the seeds count as run). */
    private final SentStarts run = new SentStarts();

    private LocalCrossings(LocalPartitionRunner runner, NodeRequest request) {
        this.runner = runner;
        this.request = request;
        for (PartitionRequest partition : request.partitions()) {
            bySpace.put(partition.space(), partition);
            PartitionTask.SpreadRun task = (PartitionTask.SpreadRun) partition.task();
            if (task.starts().isEmpty()) {
                task.query().seeds().forEach(seed -> run.improves(seed, 0, 1.0));
            } else {
                task.starts().forEach(start -> run.improves(start.memory(), start.hopsUsed(), start.activation()));
            }
        }
    }

    /** Whether {@code request} is a spread round with more than one space, whose crossings may be continued here. */
    static boolean applies(NodeRequest request) {
        return request.partitions().size() > 1
                && request.partitions().stream().allMatch(p -> p.task() instanceof PartitionTask.SpreadRun);
    }

    /** {@code replies} with every crossing into the request's own spaces continued here. */
    static CompletableFuture<List<PartitionReply>> continueLocally(
            LocalPartitionRunner runner, NodeRequest request, List<PartitionReply> replies) {
        return new LocalCrossings(runner, request).pass(replies);
    }

    private CompletableFuture<List<PartitionReply>> pass(List<PartitionReply> replies) {
        if (request.partitions().get(0).deadline().isExpired()) {
            return CompletableFuture.completedFuture(replies); // what is left goes to the coordinator as it is
        }
        Map<MemorySpaceId, Integer> answered = new HashMap<>();
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i).result().isPresent()) {
                answered.put(replies.get(i).space(), i);
            }
        }
        Map<MemorySpaceId, List<SpreadStart>> starts = new LinkedHashMap<>();
        List<PartitionReply> kept = new ArrayList<>(replies.size());
        for (PartitionReply reply : replies) {
            if (reply.result().isEmpty()) {
                kept.add(reply);
                continue;
            }
            PartialResult result = reply.result().get();
            List<SpreadCrossing> remote = new ArrayList<>(result.frontier().size());
            for (SpreadCrossing crossing : result.frontier()) {
                MemorySpaceId target = crossing.space().orElse(null);
                if (target == null || !answered.containsKey(target)) {
                    remote.add(crossing);
                    continue;
                }
                if (run.improves(crossing.memory(), crossing.hopsUsed(), crossing.activation())) {
                    starts.computeIfAbsent(target, t -> new ArrayList<>())
                            .add(new SpreadStart(crossing.memory(), crossing.activation(), crossing.hopsUsed()));
                }
            }
            kept.add(PartitionReply.answered(withFrontier(result, remote)));
        }
        if (starts.isEmpty()) {
            return CompletableFuture.completedFuture(kept);
        }
        Map<MemorySpaceId, CompletableFuture<PartialResult>> runs = new LinkedHashMap<>();
        starts.forEach((space, from) -> {
            PartitionRequest original = bySpace.get(space);
            PartitionTask.SpreadRun task = (PartitionTask.SpreadRun) original.task();
            runs.put(
                    space,
                    runner.run(new PartitionRequest(
                            original.queryId(),
                            space,
                            original.deadline(),
                            new PartitionTask.SpreadRun(task.query(), from))));
        });
        return CompletableFuture.allOf(runs.values().toArray(CompletableFuture[]::new))
                .handle((done, failure) -> {
                    List<PartitionReply> merged = new ArrayList<>(kept);
                    runs.forEach((space, future) -> {
                        int i = answered.get(space);
                        PartialResult before = merged.get(i).result().orElseThrow();
                        if (future.isCompletedExceptionally()) {
                            // the continuation failed: its crossings go back to the coordinator, as if never taken
                            merged.set(
                                    i,
                                    PartitionReply.answered(withFrontier(before, restore(before, starts.get(space)))));
                        } else {
                            int limit = bySpace.get(space).query().limit();
                            merged.set(i, PartitionReply.answered(merge(before, future.join(), limit)));
                        }
                    });
                    return merged;
                })
                .thenCompose(this::pass);
    }

    private static List<SpreadCrossing> restore(PartialResult result, List<SpreadStart> starts) {
        List<SpreadCrossing> frontier = new ArrayList<>(result.frontier());
        for (SpreadStart start : starts) {
            frontier.add(new SpreadCrossing(
                    start.memory(), java.util.Optional.of(result.space()), start.activation(), start.hopsUsed()));
        }
        return frontier;
    }

    private static PartialResult withFrontier(PartialResult result, List<SpreadCrossing> frontier) {
        return new PartialResult(
                result.space(),
                result.node(),
                result.matches(),
                result.confidenceAdjustment(),
                result.latency(),
                frontier,
                result.seeds());
    }

    /** One space's answer and its continuation's: the best match per memory, the top {@code limit}, both frontiers. */
    private static PartialResult merge(PartialResult first, PartialResult more, int limit) {
        Map<MemoryId, Match> best = new HashMap<>();
        for (Match match : first.matches()) {
            best.put(match.memoryId(), match);
        }
        for (Match match : more.matches()) {
            best.merge(match.memoryId(), match, (a, b) -> MatchOrder.BEST_FIRST.compare(a, b) <= 0 ? a : b);
        }
        List<Match> matches = new ArrayList<>(best.values());
        matches.sort(MatchOrder.BEST_FIRST);
        if (matches.size() > limit) {
            matches = matches.subList(0, limit);
        }
        List<SpreadCrossing> frontier = new ArrayList<>(first.frontier());
        frontier.addAll(more.frontier());
        return new PartialResult(
                first.space(),
                first.node(),
                matches,
                Math.min(first.confidenceAdjustment(), more.confidenceAdjustment()),
                first.latency().plus(more.latency()),
                frontier,
                first.seeds());
    }
}
