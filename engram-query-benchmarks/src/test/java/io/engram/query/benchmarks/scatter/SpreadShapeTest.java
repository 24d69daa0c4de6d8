package io.engram.query.benchmarks.scatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.QueryResult;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link LoopbackExchanges} (and {@link LoopbackSockets}) replays the rounds of the distributed one-seed spread; this checks that the shape it is
 * given ({@link Dataset#spreadCallsPerRound()}) is the one a real spread makes: as many rounds, as many partition
 * calls, for every data set (heavy's four spaces of 25,000 memories take about ten seconds to generate).
 */
class SpreadShapeTest {
    @ParameterizedTest
    @EnumSource(Dataset.class)
    void theFloorReplaysAsManyRoundsAndCallsAsTheDistributedSpreadMakes(Dataset dataset) {
        int[] shape = dataset.spreadCallsPerRound();
        try (Deployment distributed = Deployment.distributed(dataset, "tcp")) {
            QueryResult result =
                    distributed.entry().execute(distributed.spread()).join();

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(result.spread().orElseThrow().rounds()).isEqualTo(shape.length);
            assertThat(result.partitions()).hasSize(Arrays.stream(shape).sum());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Dataset.class,
            names = {"TINY", "LIGHT"})
    void everyExchangeOfEveryRoundIsAnswered(Dataset dataset) {
        int[] shape = dataset.spreadCallsPerRound();
        long answered = (long) Arrays.stream(shape).sum() * LoopbackExchanges.ANSWER_BYTES;
        try (LoopbackExchanges exchanges = new LoopbackExchanges(shape)) {
            assertThat(exchanges.runRounds()).isEqualTo(answered);
        }
        try (LoopbackSockets sockets = new LoopbackSockets(shape)) {
            assertThat(sockets.runRounds()).isEqualTo(answered);
            assertThat(sockets.runRounds()).isEqualTo(answered);
        }
    }
}
