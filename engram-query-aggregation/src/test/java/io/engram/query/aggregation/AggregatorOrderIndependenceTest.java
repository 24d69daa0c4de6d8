package io.engram.query.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.aggregation.consistency.BestEffortConsistency;
import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.aggregation.merge.MaxMergePolicy;
import io.engram.query.aggregation.merge.NoisyOrMergePolicy;
import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.MergePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Property-style: random scenarios (fixed seeds) replayed in many arrival orders, sequentially and from several
 * threads, must give bit-identical answers, equal to merging everything and then taking the best.
 */
class AggregatorOrderIndependenceTest {
    private static final int SEEDS = 12;
    private static final int PERMUTATIONS_PER_SEED = 25;
    private static final int THREADS = 4;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void maxGivesTheSameAnswerInAnyOrder() {
        checkEveryOrder(new MaxMergePolicy());
    }

    @Test
    void noisyOrGivesTheSameAnswerInAnyOrder() {
        checkEveryOrder(new NoisyOrMergePolicy());
    }

    @Test
    void maxGivesTheSameAnswerFromConcurrentThreads() throws Exception {
        checkConcurrently(new MaxMergePolicy());
    }

    @Test
    void noisyOrGivesTheSameAnswerFromConcurrentThreads() throws Exception {
        checkConcurrently(new NoisyOrMergePolicy());
    }

    @Test
    void maxEqualsMergingEverythingThenTakingTheBest() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Scenario scenario = Scenario.random(new Random(seed));
            AggregatedAnswer answer = scenario.replay(new MaxMergePolicy(), scenario.events());

            assertThat(answer.matches()).as("seed %d", seed).isEqualTo(scenario.bruteForceMax());
        }
    }

    @Test
    void noisyOrEqualsMergingEverythingThenTakingTheBest() {
        for (int seed = 0; seed < SEEDS; seed++) {
            Scenario scenario = Scenario.random(new Random(seed));
            AggregatedAnswer answer = scenario.replay(new NoisyOrMergePolicy(), scenario.events());

            assertThat(answer.matches()).as("seed %d", seed).isEqualTo(scenario.bruteForceNoisyOr());
        }
    }

    private void checkEveryOrder(MergePolicy policy) {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            Scenario scenario = Scenario.random(random);
            AggregatedAnswer reference = scenario.replay(policy, scenario.events());
            assertThat(reference.matches()).as("seed %d has matches", seed).isNotEmpty();
            for (int round = 0; round < PERMUTATIONS_PER_SEED; round++) {
                List<Object> shuffled = new ArrayList<>(scenario.events());
                Collections.shuffle(shuffled, random);

                assertThat(scenario.replay(policy, shuffled))
                        .as("seed %d, permutation %d", seed, round)
                        .isEqualTo(reference);
            }
        }
    }

    private void checkConcurrently(MergePolicy policy) throws Exception {
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            Scenario scenario = Scenario.random(random);
            AggregatedAnswer reference = scenario.replay(policy, scenario.events());
            for (int round = 0; round < 5; round++) {
                List<Object> shuffled = new ArrayList<>(scenario.events());
                Collections.shuffle(shuffled, random);
                ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>(shuffled);
                Aggregator aggregator = scenario.aggregator(policy);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    workers.add(pool.submit(() -> {
                        start.await();
                        for (Object event = queue.poll(); event != null; event = queue.poll()) {
                            Scenario.deliver(aggregator, event);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> worker : workers) {
                    worker.get(10, TimeUnit.SECONDS);
                }

                assertThat(aggregator.finish())
                        .as("seed %d, round %d", seed, round)
                        .isEqualTo(reference);
            }
        }
    }

    /** One query's partitions: each answers (a PartialResult, perhaps twice identically: a hedge) or is lost. */
    private record Scenario(List<MemorySpaceId> spaces, int limit, List<Object> events, List<PartialResult> answers) {
        static Scenario random(Random random) {
            int spaceCount = 5 + random.nextInt(6);
            int limit = 3 + random.nextInt(10);
            int pool = 3 * limit;
            List<MemorySpaceId> spaces = new ArrayList<>();
            List<Object> events = new ArrayList<>();
            List<PartialResult> answers = new ArrayList<>();
            for (int s = 0; s < spaceCount; s++) {
                MemorySpaceId space = MemorySpaceId.of("space-" + s);
                spaces.add(space);
                if (random.nextInt(5) == 0) {
                    MissingReason reason = MissingReason.values()[random.nextInt(MissingReason.values().length)];
                    events.add(MissingPartition.of(space, NodeId.of("node-" + s), reason, "lost"));
                    continue;
                }
                List<Match> matches = new ArrayList<>();
                int size = random.nextInt(2 * limit + 1);
                for (int i = 0; i < size; i++) {
                    MemorySpaceId matchSpace =
                            random.nextInt(15) == 0 ? MemorySpaceId.of("space-" + random.nextInt(spaceCount)) : space;
                    // Coarse values force ties; fine ones exercise floating-point rounding.
                    double confidence = random.nextBoolean() ? random.nextInt(5) / 4.0 : random.nextDouble();
                    matches.add(Match.of(
                            MemoryId.of("m" + random.nextInt(pool)),
                            matchSpace,
                            Confidence.of(confidence),
                            "content " + random.nextInt(3)));
                }
                double adjustment = random.nextBoolean() ? 1.0 : random.nextDouble();
                PartialResult answer =
                        new PartialResult(space, NodeId.of("node-" + s), matches, adjustment, Duration.ofMillis(s));
                answers.add(answer);
                events.add(answer);
                if (random.nextInt(4) == 0) {
                    events.add(answer); // a hedge that answered the same
                }
            }
            return new Scenario(List.copyOf(spaces), limit, List.copyOf(events), List.copyOf(answers));
        }

        Aggregator aggregator(MergePolicy policy) {
            return new Aggregator(spaces, limit, policy, new BestEffortConsistency(), 0.5);
        }

        AggregatedAnswer replay(MergePolicy policy, List<Object> order) {
            Aggregator aggregator = aggregator(policy);
            order.forEach(event -> deliver(aggregator, event));
            return aggregator.finish();
        }

        static void deliver(Aggregator aggregator, Object event) {
            if (event instanceof PartialResult partial) {
                aggregator.accept(partial);
            } else {
                aggregator.markMissing((MissingPartition) event);
            }
        }

        /** Every partition's best {@code limit} own distinct memories, grouped by memory id. */
        private Map<MemoryId, List<Match>> everything() {
            Map<MemoryId, List<Match>> byMemory = new LinkedHashMap<>();
            for (PartialResult answer : answers) {
                List<Match> own = new ArrayList<>();
                for (Match match : answer.matches()) {
                    if (match.space().equals(answer.space())) {
                        own.add(match);
                    }
                }
                own.sort(MatchOrder.BEST_FIRST);
                Set<MemoryId> seen = new HashSet<>();
                for (Match match : own) {
                    if (seen.size() == limit) {
                        break;
                    }
                    if (seen.add(match.memoryId())) {
                        byMemory.computeIfAbsent(match.memoryId(), id -> new ArrayList<>())
                                .add(match);
                    }
                }
            }
            return byMemory;
        }

        List<Match> bruteForceMax() {
            List<Match> merged = new ArrayList<>();
            for (List<Match> matches : everything().values()) {
                merged.add(Collections.min(matches, MatchOrder.BEST_FIRST));
            }
            return best(merged);
        }

        /**
         * Combines each memory's matches in the canonical order with {@code or}, checking the result against the
         * product form {@code 1 − Π(1 − cᵢ)} (equal up to rounding).
         */
        List<Match> bruteForceNoisyOr() {
            List<Match> merged = new ArrayList<>();
            for (List<Match> matches : everything().values()) {
                List<Match> canonical = new ArrayList<>(matches);
                canonical.sort(MatchOrder.BEST_FIRST);
                Confidence combined = Confidence.NONE;
                double none = 1.0;
                for (Match match : canonical) {
                    combined = combined.or(match.confidence());
                    none *= 1.0 - match.confidence().value();
                }
                assertThat(combined.value()).isCloseTo(1.0 - none, within(1e-12));
                merged.add(Collections.min(matches, MatchOrder.TIE_BREAK).withConfidence(combined));
            }
            return best(merged);
        }

        private List<Match> best(List<Match> merged) {
            merged.sort(MatchOrder.BEST_FIRST);
            return List.copyOf(merged.subList(0, Math.min(limit, merged.size())));
        }
    }
}
