package io.engram.query.executor.spread;

import static java.util.Objects.requireNonNull;

import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.api.Confidence;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Deadline;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.PlanTarget;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.SpreadStats;
import io.engram.query.api.Ticker;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.executor.scatter.RoundTally;
import io.engram.query.executor.scatter.ScatterGatherExecutor;
import io.engram.query.executor.scatter.ScatterRound;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.strategy.MultiPartitionStrategy;
import io.engram.query.planner.strategy.SpreadSeedsStrategy;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import io.engram.query.spi.SpreadStart;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Runs a spread across partitions in rounds, so that activation follows edges from one space into another and the
 * answer equals a single node's spread over the whole graph.
 *
 * <p>Round 1 scatters the query to the spaces holding the seeds ({@link SpreadSeedsStrategy}, unless the query names
 * a strategy); every partition spreads inside its space for all {@code maxHops} hops and returns its activated
 * memories and its frontier: the activation that crossed an edge into another space, with the hops it used. Round
 * {@code r + 1} sends the frontier gathered in round {@code r}, grouped by target space, as {@link SpreadStart}s to
 * the nodes holding those spaces, which spread from them for the hops left. A memory's activation is the best over
 * all rounds. A crossing travels on only when it is at least the round's floor and no activation already sent to the
 * same memory used fewer or equal hops with at least its activation (the seeds count as sent, with activation 1 and no
 * hop). The floor is the query's threshold until {@code limit} memories are activated, then the {@code limit}-th best
 * activation so far; later rounds spread with it as their threshold, which prunes work and often whole rounds without
 * changing the answer. The spread stops when no frontier is left (at most {@code maxHops + 1} rounds, since every crossing uses a
 * hop) or when the query's one deadline passes; the engram-query-executor README explains why the answer is exact.
 *
 * <p>Each partition request carries the query with only the seeds of its own space (as the {@link SpaceDirectory}
 * places them), plus any seed the directory can not place: a partition spreads from and leaves out of its answer only
 * the seeds it holds, so the others are dead weight on the wire. A space holding none of the seeds gets the first
 * one, since a spread query needs a seed, and ignores it.
 *
 * <p>Each round is one ordinary scatter through the {@link ScatterGatherExecutor} under the query's deadline, with
 * its failover, retries, hedging and metrics. The coverage adds up every round's partitions: a partition lost in any
 * round counts as missing (its detail says the round) and lowers the confidence; spaces still to be reached when the
 * deadline passes count as timed out. The consistency policy applies to each round and to the whole.
 */
public final class SpreadCoordinator {
    private final QueryPlanner planner;
    private final ScatterGatherExecutor executor;
    private final Ticker ticker;

    public SpreadCoordinator(QueryPlanner planner, ScatterGatherExecutor executor, Ticker ticker) {
        this.planner = requireNonNull(planner, "planner is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    /**
     * Spreads {@code query} under {@code deadline}. The future completes with a possibly partial result carrying
     * {@link SpreadStats}, or exceptionally with an {@link IllegalArgumentException} (a query that can not be planned,
     * an unknown policy) or a {@link ConsistencyException} naming the missing partitions.
     */
    public CompletableFuture<QueryResult> execute(SpreadQuery query, Deadline deadline) {
        requireNonNull(query, "query is null");
        requireNonNull(deadline, "deadline is null");
        Run run;
        QueryPlan first;
        try {
            run = new Run(query, deadline, executor.mergePolicy(query), executor.consistencyPolicy(query));
            // Checked once over every space the spread may reach, not round by round: a later round must not fail a
            // query halfway for a limit the client could have been told about at once.
            executor.requireResultMatchesWithin(query.limit(), run.scope().size());
            SpreadQuery firstRound = query.options().planningStrategy().isPresent()
                    ? query
                    : withOptions(
                            query, query.spaces(), query.options().withPlanningStrategy(SpreadSeedsStrategy.NAME));
            first = planner.plan(firstRound, deadline);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        executor.metrics()
                .clientQuery(first.strategy(), first.expectedPartitions(), ticker, run.startNanos, run.result);
        run.round(1, first, query, Map.of());
        return run.result;
    }

    private static SpreadQuery withOptions(
            SpreadQuery query, List<MemorySpaceId> spaces, io.engram.query.api.QueryOptions options) {
        return new SpreadQuery(query.seeds(), spaces, query.maxHops(), query.decay(), query.threshold(), options);
    }

    /** One spread in flight. Rounds run one after another, so its state is touched by one thread at a time. */
    private final class Run {
        private final SpreadQuery query;
        private final Deadline deadline;
        private final MergePolicy merge;
        private final ConsistencyPolicy consistency;
        private final SpaceDirectory directory = planner.directory();
        private final long startNanos = ticker.nanoTime();
        private final CompletableFuture<QueryResult> result = new CompletableFuture<>();
        /** Whether partitions run ahead through their space (the maximum as combiner) or run one superstep a round. */
        private final boolean runAhead;
        /** Running ahead: the best match of every memory activated so far. */
        private final Map<MemoryId, Match> best = new HashMap<>();
        /** Supersteps: per memory reached, its layers combined so far. */
        private final Map<MemoryId, Double> activations = new HashMap<>();
        /** Supersteps: the first match returned for each memory reached, for its content. */
        private final Map<MemoryId, Match> reached = new HashMap<>();
        /** The starts already sent (the seeds count as sent, with activation 1 and no hop). */
        private final SentStarts sent = new SentStarts();

        private final List<QueryResult> rounds = new ArrayList<>();
        /** The seeds by the space the directory places them in, and those it can not place (sent to every space). */
        private final Map<MemorySpaceId, List<MemoryId>> seedsBySpace = new HashMap<>();

        private final List<MemoryId> unplacedSeeds = new ArrayList<>();

        Run(SpreadQuery query, Deadline deadline, MergePolicy merge, ConsistencyPolicy consistency) {
            this.query = query;
            this.deadline = deadline;
            this.merge = merge;
            this.consistency = consistency;
            this.runAhead = merge.selectsMaximum();
            for (MemoryId seed : query.seeds()) {
                sent.improves(seed, 0, 1.0);
                Optional<MemorySpaceId> space = directory.spaceOf(seed);
                if (space.isPresent()) {
                    seedsBySpace
                            .computeIfAbsent(space.get(), s -> new ArrayList<>())
                            .add(seed);
                } else {
                    unplacedSeeds.add(seed);
                }
            }
        }

        void round(int number, QueryPlan plan, SpreadQuery roundQuery, Map<MemorySpaceId, List<SpreadStart>> starts) {
            ConcurrentLinkedQueue<PartialResult> answers = new ConcurrentLinkedQueue<>();
            Map<MemorySpaceId, PartitionTask> tasks = new HashMap<>();
            for (PlanTarget target : plan.targets()) {
                SpreadQuery own = queryFor(target.space(), roundQuery);
                List<SpreadStart> from = starts.getOrDefault(target.space(), List.of());
                tasks.put(
                        target.space(),
                        runAhead
                                ? new PartitionTask.SpreadRun(own, from)
                                : new PartitionTask.SpreadStep(own, number == 1 ? seedStarts(own) : from));
            }
            executor.execute(plan, roundQuery, ScatterRound.spread(tasks, answers::add))
                    .whenComplete((answer, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(NodeCallPolicy.unwrap(failure));
                            return;
                        }
                        try {
                            if (runAhead) {
                                afterRound(number, answer, answers);
                            } else {
                                afterStep(number, answer, answers);
                            }
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                        }
                    });
        }

        /** The first superstep's activations: layer 0, the seeds a space's request carries, at 1 with no hop. */
        private static List<SpreadStart> seedStarts(SpreadQuery own) {
            return own.seeds().stream().map(SpreadStart::seed).toList();
        }

        /**
         * After superstep {@code number}: the matches give the content of layer {@code number − 1}; the contributions,
         * combined per memory with the policy, make layer {@code number}, which the next superstep spreads from.
         */
        private void afterStep(int number, QueryResult answer, ConcurrentLinkedQueue<PartialResult> answers) {
            rounds.add(answer);
            Map<MemoryId, List<Double>> contributions = new HashMap<>();
            Map<MemoryId, Optional<MemorySpaceId>> spaces = new HashMap<>();
            for (PartialResult partial : answers) {
                for (Match match : partial.matches()) {
                    reached.putIfAbsent(match.memoryId(), match);
                }
                for (SpreadCrossing crossing : partial.frontier()) {
                    if (crossing.hopsUsed() != number || number > query.maxHops()) {
                        continue; // not a contribution to layer `number` (an engine outside its contract)
                    }
                    contributions
                            .computeIfAbsent(crossing.memory(), m -> new ArrayList<>())
                            .add(crossing.activation());
                    spaces.merge(crossing.memory(), crossing.space(), (a, b) -> a.isPresent() ? a : b);
                }
            }
            Map<MemorySpaceId, List<SpreadStart>> next = new TreeMap<>();
            List<SpreadStart> anywhere = new ArrayList<>();
            int frontier = 0;
            for (Map.Entry<MemoryId, List<Double>> entry : contributions.entrySet()) {
                double layer = combined(entry.getValue());
                if (layer < query.threshold()) {
                    continue;
                }
                MemoryId memory = entry.getKey();
                Optional<MemorySpaceId> space = spaces.get(memory).or(() -> directory.spaceOf(memory));
                if (space.isPresent() && !inScope(space.get())) {
                    continue;
                }
                activations.merge(memory, layer, merge::combine);
                SpreadStart start = new SpreadStart(memory, layer, number);
                frontier++;
                if (space.isPresent()) {
                    next.computeIfAbsent(space.get(), s -> new ArrayList<>()).add(start);
                } else {
                    anywhere.add(start);
                }
            }
            offerEverywhere(next, anywhere);
            executor.metrics().spreadFrontier(frontier);
            if (next.isEmpty()) {
                complete(number, deadline.isExpired() && cutByDeadline(answer), List.of(), stepMatches());
                return;
            }
            if (deadline.isExpired()) {
                complete(number, true, notStarted(number + 1, next), stepMatches());
                return;
            }
            SpreadQuery roundQuery = new SpreadQuery(
                    query.seeds(),
                    List.copyOf(next.keySet()),
                    query.maxHops(),
                    query.decay(),
                    query.threshold(),
                    query.options().withPlanningStrategy(MultiPartitionStrategy.NAME));
            round(number + 1, planner.plan(roundQuery, deadline), roundQuery, next);
        }

        /**
         * The contributions to one memory combined with the policy, folded in ascending order so that the value does
         * not depend on the order the partitions answered in (floating-point combination is associative only up to
         * rounding).
         */
        private double combined(List<Double> values) {
            double[] sorted =
                    values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double value = sorted[0];
            for (int i = 1; i < sorted.length; i++) {
                value = merge.combine(value, sorted[i]);
            }
            return value;
        }

        /** The superstep answer: every memory reached whose content arrived, at its combined activation. */
        private List<Match> stepMatches() {
            List<Match> matches = new ArrayList<>(activations.size());
            activations.forEach((memory, activation) -> {
                Match content = reached.get(memory);
                if (content != null && !query.seeds().contains(memory)) {
                    matches.add(new Match(
                            memory,
                            content.space(),
                            Confidence.clipped(activation),
                            content.content(),
                            OptionalDouble.of(activation),
                            OptionalDouble.empty(),
                            content.fields(),
                            content.embedding()));
                }
            });
            return matches;
        }

        private void afterRound(int number, QueryResult answer, ConcurrentLinkedQueue<PartialResult> answers) {
            rounds.add(answer);
            for (Match match : answer.matches()) {
                best.merge(match.memoryId(), match, merge::merge);
            }
            double floor = floor();
            Map<MemorySpaceId, List<SpreadStart>> next = nextStarts(answers, floor);
            executor.metrics()
                    .spreadFrontier(next.values().stream().mapToInt(List::size).sum());
            if (next.isEmpty()) {
                complete(number, deadline.isExpired() && cutByDeadline(answer), List.of(), List.copyOf(best.values()));
                return;
            }
            if (deadline.isExpired()) {
                complete(number, true, notStarted(number + 1, next), List.copyOf(best.values()));
                return;
            }
            SpreadQuery roundQuery = new SpreadQuery(
                    query.seeds(),
                    List.copyOf(next.keySet()),
                    query.maxHops(),
                    query.decay(),
                    floor,
                    query.options().withPlanningStrategy(MultiPartitionStrategy.NAME));
            round(number + 1, planner.plan(roundQuery, deadline), roundQuery, next);
        }

        /** {@code roundQuery} with only the seeds {@code space} may hold (see the class comment). */
        private SpreadQuery queryFor(MemorySpaceId space, SpreadQuery roundQuery) {
            List<MemoryId> own = seedsBySpace.getOrDefault(space, List.of());
            if (own.size() + unplacedSeeds.size() == roundQuery.seeds().size()) {
                return roundQuery;
            }
            List<MemoryId> seeds = new ArrayList<>(own.size() + unplacedSeeds.size());
            seeds.addAll(own);
            seeds.addAll(unplacedSeeds);
            if (seeds.isEmpty()) {
                seeds.add(roundQuery.seeds().get(0));
            }
            return new SpreadQuery(
                    seeds,
                    roundQuery.spaces(),
                    roundQuery.maxHops(),
                    roundQuery.decay(),
                    roundQuery.threshold(),
                    roundQuery.options());
        }

        /**
         * The least activation that can still change the answer: the query's threshold, or, once {@code limit}
         * memories are activated, the activation of the {@code limit}-th best. Activation never grows along a path,
         * so whatever flows from an activation below it reaches only memories that stay out of the answer or already
         * hold a better activation in it; later rounds use it as their threshold and the answer stays exact.
         */
        private double floor() {
            int limit = query.limit();
            if (best.size() < limit) {
                return query.threshold();
            }
            double[] activations = new double[best.size()];
            int i = 0;
            for (Match match : best.values()) {
                activations[i++] = activationOf(match);
            }
            Arrays.sort(activations);
            return Math.max(query.threshold(), activations[activations.length - limit]);
        }

        private static double activationOf(Match match) {
            return match.activation().orElse(match.confidence().value());
        }

        /** The frontier that travels on, by target space; crossings of unknown space go to every space in scope. */
        private Map<MemorySpaceId, List<SpreadStart>> nextStarts(
                ConcurrentLinkedQueue<PartialResult> answers, double floor) {
            List<SpreadCrossing> crossings = new ArrayList<>();
            answers.forEach(partial -> crossings.addAll(partial.frontier()));
            crossings.sort(Comparator.comparingInt(SpreadCrossing::hopsUsed)
                    .thenComparing(Comparator.comparingDouble(SpreadCrossing::activation)
                            .reversed())
                    .thenComparing(SpreadCrossing::memory));
            Map<MemorySpaceId, List<SpreadStart>> next = new TreeMap<>();
            List<SpreadStart> anywhere = new ArrayList<>();
            for (SpreadCrossing crossing : crossings) {
                if (crossing.activation() < floor || crossing.hopsUsed() > query.maxHops()) {
                    continue;
                }
                Optional<MemorySpaceId> space = crossing.space().or(() -> directory.spaceOf(crossing.memory()));
                if (space.isPresent() && !inScope(space.get())) {
                    continue;
                }
                if (!sent.improves(crossing.memory(), crossing.hopsUsed(), crossing.activation())) {
                    continue;
                }
                SpreadStart start = new SpreadStart(crossing.memory(), crossing.activation(), crossing.hopsUsed());
                if (space.isPresent()) {
                    next.computeIfAbsent(space.get(), s -> new ArrayList<>()).add(start);
                } else {
                    anywhere.add(start);
                }
            }
            offerEverywhere(next, anywhere);
            return next;
        }

        /** Starts whose space nobody knows go to every space in scope (a space that does not hold them ignores them). */
        private void offerEverywhere(Map<MemorySpaceId, List<SpreadStart>> next, List<SpreadStart> anywhere) {
            if (!anywhere.isEmpty()) {
                for (MemorySpaceId space : scope()) {
                    next.computeIfAbsent(space, s -> new ArrayList<>()).addAll(anywhere);
                }
            }
        }

        private boolean inScope(MemorySpaceId space) {
            return (query.spaces().isEmpty() || query.spaces().contains(space))
                    && directory.assignment(space).isPresent();
        }

        private List<MemorySpaceId> scope() {
            if (query.spaces().isEmpty()) {
                return directory.assignments().stream()
                        .map(SpaceAssignment::space)
                        .toList();
            }
            return query.spaces().stream().filter(this::inScope).toList();
        }

        private static boolean cutByDeadline(QueryResult round) {
            return round.coverage().timedOut() > 0
                    || round.partitions().stream()
                            .anyMatch(p -> p.status() == PartitionStatus.OK && p.confidenceAdjustment() < 1.0);
        }

        /** The partitions of a round the deadline left unstarted, as timed out. */
        private List<MissingPartition> notStarted(int number, Map<MemorySpaceId, List<SpreadStart>> next) {
            List<MissingPartition> missing = new ArrayList<>(next.size());
            next.forEach((space, starts) -> {
                missing.add(MissingPartition.of(
                        space,
                        directory
                                .assignment(space)
                                .map(SpaceAssignment::primary)
                                .orElse(null),
                        MissingReason.TIMEOUT,
                        "round " + number + " not started: the deadline passed with " + starts.size()
                                + " activations to spread"));
                executor.metrics().partitionMissing(MissingReason.TIMEOUT);
            });
            return missing;
        }

        private void complete(
                int roundsRun, boolean stoppedEarly, List<MissingPartition> unstarted, List<Match> reachedMatches) {
            RoundTally tally = new RoundTally(executor, ticker, startNanos);
            for (int i = 0; i < rounds.size(); i++) {
                tally.add(rounds.get(i), "round " + (i + 1));
            }
            unstarted.forEach(tally::addUnstarted);
            List<Match> matches = new ArrayList<>(reachedMatches);
            matches.sort(MatchOrder.BEST_FIRST);
            if (matches.size() > query.limit()) {
                matches = new ArrayList<>(matches.subList(0, query.limit()));
            }
            executor.metrics().spreadFinished(roundsRun);
            tally.complete(
                    result,
                    matches,
                    merge,
                    consistency,
                    rounds.get(0),
                    Optional.of(new SpreadStats(roundsRun, stoppedEarly)));
        }
    }
}
