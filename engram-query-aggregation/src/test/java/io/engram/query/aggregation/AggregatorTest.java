package io.engram.query.aggregation;

import static io.engram.query.aggregation.Fixtures.match;
import static io.engram.query.aggregation.Fixtures.missing;
import static io.engram.query.aggregation.Fixtures.partial;
import static io.engram.query.aggregation.Fixtures.space;
import static io.engram.query.aggregation.Fixtures.spaces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.aggregation.consistency.AllConsistency;
import io.engram.query.aggregation.consistency.BestEffortConsistency;
import io.engram.query.aggregation.consistency.QuorumConsistency;
import io.engram.query.aggregation.merge.MaxMergePolicy;
import io.engram.query.aggregation.merge.NoisyOrMergePolicy;
import io.engram.query.api.Confidence;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MissingReason;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.CoverageProgress;
import io.engram.query.spi.MergePolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregatorTest {
    private static final MergePolicy MAX = new MaxMergePolicy();
    private static final MergePolicy NOISY_OR = new NoisyOrMergePolicy();
    private static final ConsistencyPolicy BEST_EFFORT = new BestEffortConsistency();

    @Test
    void threeOfFourPartitionsUnderFullPenaltyScaleByThreeQuarters() {
        Aggregator aggregator = fourSpaces(MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.8)));
        aggregator.accept(partial("s2", match("b", "s2", 0.6)));
        aggregator.accept(partial("s3"));
        aggregator.markMissing(missing("s4", "node-4", MissingReason.TIMEOUT, "no answer in 2000 ms"));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.baseConfidence()).isEqualTo(Confidence.of(0.8));
        assertThat(answer.confidence().value()).isEqualTo(0.8 * 0.75);
        assertThat(answer.coverage().ratio()).isEqualTo(0.75);
        assertThat(answer.coverage().respondingPartitions()).isEqualTo(3);
        assertThat(answer.coverage().expectedPartitions()).isEqualTo(4);
        assertThat(answer.coverage().timedOut()).isEqualTo(1);
        assertThat(answer.coverage().failed()).isZero();
    }

    @Test
    void threeOfFourPartitionsUnderHalfPenaltyLoseAnEighth() {
        Aggregator aggregator = fourSpaces(MAX, BEST_EFFORT, 0.5);
        aggregator.accept(partial("s1", match("a", "s1", 0.8)));
        aggregator.accept(partial("s2"));
        aggregator.accept(partial("s3"));
        aggregator.markMissing(missing("s4", "node-4", MissingReason.UNREACHABLE, "connection refused"));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.confidence().value()).isEqualTo(0.8 * 0.875);
        assertThat(answer.coverage().timedOut()).isZero();
        assertThat(answer.coverage().failed()).isEqualTo(1);
    }

    @Test
    void partitionWithHalfAdjustmentCountsHalf() {
        Aggregator aggregator = fourSpaces(MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.8)));
        aggregator.accept(partial("s2"));
        aggregator.accept(partial("s3"));
        aggregator.accept(partial("s4", 0.5));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.coverage().ratio()).isEqualTo(3.5 / 4);
        assertThat(answer.coverage().respondingPartitions()).isEqualTo(4);
        assertThat(answer.coverage().missing()).isEmpty();
        assertThat(answer.confidence().value()).isEqualTo(0.8 * 0.875);
    }

    @Test
    void completeCoverageKeepsTheBaseConfidence() {
        Aggregator aggregator = new Aggregator(spaces("s1"), 10, MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.7)));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.confidence()).isEqualTo(answer.baseConfidence()).isEqualTo(Confidence.of(0.7));
        assertThat(answer.coverage().isComplete()).isTrue();
    }

    @Test
    void noExpectedPartitionIsFullCoverageOfNothing() {
        Aggregator aggregator = new Aggregator(List.of(), 10, MAX, new QuorumConsistency(), 1.0);

        AggregatedAnswer answer = aggregator.finish();

        assertThat(aggregator.isComplete()).isTrue();
        assertThat(answer.matches()).isEmpty();
        assertThat(answer.coverage().ratio()).isEqualTo(1.0);
        assertThat(answer.baseConfidence()).isEqualTo(Confidence.NONE);
        assertThat(answer.confidence()).isEqualTo(Confidence.NONE);
    }

    @Test
    void maxKeepsTheHighestDuplicate() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 10, MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("shared", "s1", 0.4), match("only-1", "s1", 0.3)));
        aggregator.accept(partial("s2", match("shared", "s2", 0.9)));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.matches()).containsExactly(match("shared", "s2", 0.9), match("only-1", "s1", 0.3));
        assertThat(answer.baseConfidence()).isEqualTo(Confidence.of(0.9));
    }

    @Test
    void noisyOrCombinesDuplicates() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 10, NOISY_OR, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("shared", "s1", 0.5), match("only-1", "s1", 0.6)));
        aggregator.accept(partial("s2", match("shared", "s2", 0.5)));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.matches()).extracting(m -> m.memoryId().value()).containsExactly("shared", "only-1");
        assertThat(answer.matches().get(0).confidence()).isEqualTo(Confidence.of(0.75));
        assertThat(answer.baseConfidence()).isEqualTo(Confidence.of(0.75));
    }

    @Test
    void ordersByConfidenceThenMemoryIdAndKeepsTheLimit() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 3, MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("d", "s1", 0.9), match("b", "s1", 0.5), match("z", "s1", 0.1)));
        aggregator.accept(partial("s2", match("c", "s2", 0.5), match("a", "s2", 0.2)));

        assertThat(aggregator.finish().matches())
                .extracting(m -> m.memoryId().value())
                .containsExactly("d", "b", "c");
    }

    @Test
    void firstAnswerWinsAndAHedgesSecondAnswerIsIgnored() {
        Aggregator aggregator = new Aggregator(spaces("s1"), 10, NOISY_OR, BEST_EFFORT, 1.0);

        assertThat(aggregator.accept(partial("s1", match("a", "s1", 0.5)))).isTrue();
        assertThat(aggregator.accept(partial("s1", match("a", "s1", 0.5)))).isFalse();
        assertThat(aggregator.markMissing(missing("s1", "node-x", MissingReason.TIMEOUT, "")))
                .isFalse();

        AggregatedAnswer answer = aggregator.finish();
        assertThat(answer.matches()).containsExactly(match("a", "s1", 0.5));
        assertThat(answer.coverage().missing()).isEmpty();
    }

    @Test
    void answerAfterALossIsIgnored() {
        Aggregator aggregator = new Aggregator(spaces("s1"), 10, MAX, BEST_EFFORT, 1.0);

        assertThat(aggregator.markMissing(missing("s1", "node-1", MissingReason.TIMEOUT, "")))
                .isTrue();
        assertThat(aggregator.accept(partial("s1", match("a", "s1", 0.5)))).isFalse();
        assertThat(aggregator.markMissing(missing("s1", "node-2", MissingReason.FAILED, "")))
                .isFalse();

        AggregatedAnswer answer = aggregator.finish();
        assertThat(answer.matches()).isEmpty();
        assertThat(answer.coverage().missing()).containsExactly(missing("s1", "node-1", MissingReason.TIMEOUT, ""));
    }

    @Test
    void unexpectedSpaceIsIgnored() {
        Aggregator aggregator = new Aggregator(spaces("s1"), 10, MAX, BEST_EFFORT, 1.0);

        assertThat(aggregator.accept(partial("intruder", match("a", "intruder", 0.9))))
                .isFalse();
        assertThat(aggregator.markMissing(missing("intruder", "n", MissingReason.FAILED, "")))
                .isFalse();
        assertThat(aggregator.pendingSpaces()).containsExactly(space("s1"));
    }

    @Test
    void foreignSpaceMatchNeverReachesTheAnswer() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 10, MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.5), match("secret", "s2", 0.99), match("x", "other", 0.9)));
        aggregator.accept(partial("s2"));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.matches()).containsExactly(match("a", "s1", 0.5));
        assertThat(answer.droppedForeignMatches()).isEqualTo(2);
        assertThat(aggregator.droppedForeignMatches()).isEqualTo(2);
        assertThat(answer.baseConfidence()).isEqualTo(Confidence.of(0.5));
    }

    @Test
    void oversizedPartialIsCutToItsBestAndCounted() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 2, MAX, BEST_EFFORT, 1.0);
        // Not best first: the aggregator must sort before cutting.
        aggregator.accept(partial(
                "s1",
                match("low", "s1", 0.1),
                match("top", "s1", 0.9),
                match("mid", "s1", 0.5),
                match("b", "s1", 0.2)));
        aggregator.accept(partial("s2", match("c", "s2", 0.3)));

        AggregatedAnswer answer = aggregator.finish();

        // "low" and "b" were cut from s1, so "c" (0.3) can not be displaced by them.
        assertThat(answer.matches()).extracting(m -> m.memoryId().value()).containsExactly("top", "mid");
        assertThat(answer.truncatedMatches()).isEqualTo(2);
        assertThat(aggregator.truncatedMatches()).isEqualTo(2);
        assertThat(aggregator.truncatedPartials()).isEqualTo(1);
    }

    @Test
    void partialAtTheLimitIsNotTruncated() {
        Aggregator aggregator = new Aggregator(spaces("s1"), 2, MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.9), match("b", "s1", 0.5)));

        assertThat(aggregator.finish().truncatedMatches()).isZero();
        assertThat(aggregator.truncatedPartials()).isZero();
    }

    @Test
    void repeatedMemoryInOnePartialCountsOnce() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 10, NOISY_OR, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.5), match("a", "s1", 0.4)));
        aggregator.accept(partial("s2"));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.matches()).containsExactly(match("a", "s1", 0.5));
        assertThat(aggregator.droppedDuplicateMatches()).isEqualTo(1);
    }

    @Test
    void quorumFailsFastOnceAMajorityIsImpossible() {
        Aggregator aggregator =
                new Aggregator(spaces("s1", "s2", "s3", "s4", "s5"), 10, MAX, new QuorumConsistency(), 1.0);
        aggregator.markMissing(missing("s1", "node-1", MissingReason.UNREACHABLE, ""));
        aggregator.markMissing(missing("s2", "node-2", MissingReason.UNREACHABLE, ""));
        assertThat(aggregator.canStillSucceed()).isTrue();

        aggregator.markMissing(missing("s3", "node-3", MissingReason.FAILED, "HTTP 500"));

        assertThat(aggregator.canStillSucceed()).isFalse();
        assertThat(aggregator.isComplete()).isFalse();
        assertThat(aggregator.pendingSpaces()).containsExactly(space("s4"), space("s5"));
        assertThat(aggregator.progress()).isEqualTo(new CoverageProgress(5, 0, 3));
    }

    @Test
    void quorumSucceedsWithThreeOfFive() {
        Aggregator aggregator =
                new Aggregator(spaces("s1", "s2", "s3", "s4", "s5"), 10, MAX, new QuorumConsistency(), 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.8)));
        aggregator.accept(partial("s2"));
        aggregator.markMissing(missing("s3", "node-3", MissingReason.TIMEOUT, ""));
        aggregator.markMissing(missing("s4", "node-4", MissingReason.TIMEOUT, ""));
        assertThat(aggregator.canStillSucceed()).isTrue();
        aggregator.accept(partial("s5"));

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.coverage().respondingPartitions()).isEqualTo(3);
        assertThat(answer.confidence().value()).isEqualTo(0.8 * (3.0 / 5));
    }

    @Test
    void quorumNotMetNamesTheMissingPartitions() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2", "s3"), 10, MAX, new QuorumConsistency(), 1.0);
        aggregator.accept(partial("s2"));
        aggregator.markMissing(missing("s1", "node-1", MissingReason.TIMEOUT, "no answer in 2000 ms"));
        aggregator.markMissing(missing("s3", "node-3", MissingReason.REJECTED, "unknown space"));

        assertThatThrownBy(aggregator::finish)
                .isInstanceOf(ConsistencyException.class)
                .hasMessage("consistency 'quorum' not met: 1 of 3 partitions responded; missing:"
                        + " s1@node-1 timeout (no answer in 2000 ms), s3@node-3 rejected (unknown space)");
    }

    @Test
    void allFailsOnTheFirstLossNamingThePartitionAndReason() {
        Aggregator aggregator = fourSpaces(MAX, new AllConsistency(), 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.8)));
        assertThat(aggregator.canStillSucceed()).isTrue();

        aggregator.markMissing(missing("s2", "node-b", MissingReason.UNREACHABLE, "connection refused"));
        assertThat(aggregator.canStillSucceed()).isFalse();
        aggregator.accept(partial("s3"));
        aggregator.accept(partial("s4"));

        assertThatThrownBy(aggregator::finish)
                .isInstanceOfSatisfying(ConsistencyException.class, e -> {
                    assertThat(e.policy()).isEqualTo("all");
                    assertThat(e.coverage().missing())
                            .containsExactly(missing("s2", "node-b", MissingReason.UNREACHABLE, "connection refused"));
                })
                .hasMessage("consistency 'all' not met: 3 of 4 partitions responded;"
                        + " missing: s2@node-b unreachable (connection refused)");
    }

    @Test
    void allSucceedsWhenEveryPartitionAnswers() {
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 10, MAX, new AllConsistency(), 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.8)));
        aggregator.accept(partial("s2", match("b", "s2", 0.6)));

        assertThat(aggregator.finish().matches()).hasSize(2);
    }

    @Test
    void finishWhilePendingIsRefused() {
        Aggregator aggregator = fourSpaces(MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1"));
        aggregator.markMissing(missing("s3", "node-3", MissingReason.FAILED, ""));

        assertThatThrownBy(aggregator::finish)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot finish while 2 of 4 partitions are pending (s2, s4); mark them missing first");
    }

    @Test
    void deadlineMarksPendingSpacesAsTimedOut() {
        Aggregator aggregator = fourSpaces(MAX, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s2", match("a", "s2", 0.5)));
        for (var space : aggregator.pendingSpaces()) {
            aggregator.markMissing(missing(space.value(), "node-x", MissingReason.TIMEOUT, "deadline"));
        }

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.coverage().timedOut()).isEqualTo(3);
        assertThat(answer.coverage().missing())
                .extracting(m -> m.space().value())
                .containsExactly("s1", "s3", "s4");
        assertThat(answer.confidence().value()).isEqualTo(0.5 * 0.25);
    }

    @Test
    void finishCanBeRepeated() {
        Aggregator aggregator = new Aggregator(spaces("s1"), 10, NOISY_OR, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.5)));

        assertThat(aggregator.finish()).isEqualTo(aggregator.finish());
    }

    @Test
    void memoryStaysBoundedByExpectedTimesLimit() {
        int limit = 5;
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), limit, MAX, BEST_EFFORT, 1.0);
        for (String space : List.of("s1", "s2")) {
            List<Match> many = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                many.add(match(space + "-m" + i, space, (i % 97) / 100.0));
            }
            aggregator.accept(partial(space, many.toArray(Match[]::new)));
        }

        AggregatedAnswer answer = aggregator.finish();

        assertThat(answer.truncatedMatches()).isEqualTo(2 * (1000 - limit));
        assertThat(answer.matches()).hasSize(limit);
        assertThat(answer.matches().get(0).confidence()).isEqualTo(Confidence.of(0.96));
    }

    @Test
    void rejectsInvalidConstruction() {
        assertThatThrownBy(() -> new Aggregator(spaces("s1"), 10, MAX, BEST_EFFORT, 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial confidence penalty must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> new Aggregator(spaces("s1"), 0, MAX, BEST_EFFORT, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be in [1, 10000], got 0");
        assertThatThrownBy(() -> new Aggregator(spaces("s1", "s1"), 10, MAX, BEST_EFFORT, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected spaces must not repeat an entry, got 's1' twice");
        assertThatThrownBy(() -> new Aggregator(spaces("s1"), 10, null, BEST_EFFORT, 1.0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("merge policy is null");
        assertThatThrownBy(() -> new Aggregator(spaces("s1"), 10, MAX, null, 1.0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("consistency policy is null");
    }

    @Test
    void misbehavingMergePolicyIsReported() {
        MergePolicy renaming = new MergePolicy() {
            @Override
            public String name() {
                return "renaming";
            }

            @Override
            public Match merge(Match a, Match b) {
                return Match.of(MemoryId.of("other"), a.space(), a.confidence(), a.content());
            }

            @Override
            public Confidence baseConfidence(List<Match> matches) {
                return Confidence.NONE;
            }
        };
        Aggregator aggregator = new Aggregator(spaces("s1", "s2"), 10, renaming, BEST_EFFORT, 1.0);
        aggregator.accept(partial("s1", match("a", "s1", 0.5)));
        aggregator.accept(partial("s2", match("a", "s2", 0.5)));

        assertThatThrownBy(aggregator::finish)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("merge policy 'renaming' turned matches of memory 'a' into memory 'other'");
    }

    private static Aggregator fourSpaces(MergePolicy merge, ConsistencyPolicy consistency, double penalty) {
        return new Aggregator(spaces("s1", "s2", "s3", "s4"), 10, merge, consistency, penalty);
    }
}
