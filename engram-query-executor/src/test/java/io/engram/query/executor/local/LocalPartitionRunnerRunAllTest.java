package io.engram.query.executor.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node request on the node: every partition run, one reply each in order, failures per space, the node reduce. */
class LocalPartitionRunnerRunAllTest {
    private static final NodeId NODE = NodeId.of("n1");
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final MemorySpaceId S3 = MemorySpaceId.of("s3");
    private static final RecallQuery QUERY = RecallQuery.of(List.of(), Cue.of("x"), 3);

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /** s1 answers 0.9, 0.6, 0.3; s2 answers 0.8, 0.7, 0.1; s3 is not held here. */
    private static final class TwoSpaces implements LocalQueryEngine {
        @Override
        public boolean holds(MemorySpaceId space) {
            return space.equals(S1) || space.equals(S2);
        }

        @Override
        public Set<MemorySpaceId> localSpaces() {
            return Set.of(S1, S2);
        }

        @Override
        public PartialResult scan(PartitionRequest request, PartitionTask.Scan task) {
            double[] confidences =
                    request.space().equals(S1) ? new double[] {0.9, 0.6, 0.3} : new double[] {0.8, 0.7, 0.1};
            List<Match> matches = new java.util.ArrayList<>();
            for (int i = 0; i < confidences.length; i++) {
                MemoryId id = MemoryId.of(request.space() + "-m" + i);
                matches.add(Match.of(id, request.space(), Confidence.of(confidences[i]), "m" + i));
            }
            return new PartialResult(request.space(), NODE, matches, 1.0, Duration.ZERO);
        }
    }

    private static NodeRequest request(int reduceTo, MemorySpaceId... spaces) {
        Deadline deadline = Deadline.after(Duration.ofSeconds(5));
        return new NodeRequest(
                "q1",
                java.util.Arrays.stream(spaces)
                        .map(space -> new PartitionRequest("q1", QUERY, space, deadline))
                        .toList(),
                reduceTo);
    }

    @Test
    void eachSpaceGetsItsReplyInOrderAndASpaceNotHeldFailsAlone() throws Exception {
        LocalPartitionRunner runner = new LocalPartitionRunner(new TwoSpaces(), pool);

        List<PartitionReply> replies = runner.runAll(request(0, S2, S3, S1)).get(5, TimeUnit.SECONDS);

        assertThat(replies).extracting(PartitionReply::space).containsExactly(S2, S3, S1);
        assertThat(replies.get(0).result().orElseThrow().matches()).hasSize(3);
        assertThat(replies.get(2).result().orElseThrow().matches()).hasSize(3);
        assertThat(replies.get(1).failure().orElseThrow().reason()).isEqualTo(MissingReason.UNREACHABLE);
        assertThat(replies.get(1).failure().orElseThrow()).hasMessage("space s3 is not held here");
    }

    @Test
    void theNodeReduceKeepsTheBestMatchesOverItsSpacesEachInItsOwnResult() throws Exception {
        LocalPartitionRunner runner = new LocalPartitionRunner(new TwoSpaces(), pool);

        List<PartitionReply> replies = runner.runAll(request(3, S1, S2)).get(5, TimeUnit.SECONDS);

        assertThat(replies.get(0).result().orElseThrow().matches())
                .extracting(m -> m.memoryId().value())
                .containsExactly("s1-m0");
        assertThat(replies.get(1).result().orElseThrow().matches())
                .extracting(m -> m.memoryId().value())
                .containsExactly("s2-m0", "s2-m1");
    }
}
