package io.engram.query.benchmarks.scatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every wire of {@link WireLibraryComparison} brings back every answer of a light spread's rounds, in full, more than
 * once on the same connections, and the turn-taking reports each of them; it says nothing about speed.
 */
class WireLibraryComparisonTest {
    private static final int[] LIGHT = Dataset.LIGHT.spreadCallsPerRound();
    private static final long ANSWERED = (long) Arrays.stream(LIGHT).sum() * LoopbackExchanges.ANSWER_BYTES;

    @Test
    void everyWireAnswersEveryExchangeOfEveryRoundInFull() {
        for (Map.Entry<String, Function<int[], LoopbackRounds>> wire :
                WireLibraryComparison.wires(2).entrySet()) {
            try (LoopbackRounds rounds = wire.getValue().apply(LIGHT)) {
                for (int i = 0; i < 3; i++) {
                    assertThat(rounds.runRounds()).as(wire.getKey()).isEqualTo(ANSWERED);
                }
            }
        }
    }

    @Test
    void takesTurnsBetweenTheWiresAndReportsEachAgainstTheFloor() {
        Map<String, LoopbackRounds> wires = new LinkedHashMap<>();
        try {
            WireLibraryComparison.wires(1).forEach((name, wire) -> wires.put(name, wire.apply(LIGHT)));

            Map<String, Map<String, Object>> figures = WireLibraryComparison.compare(
                    wires, LIGHT, 0, TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(20));

            assertThat(figures).containsOnlyKeys("sockets", "netty", "grpc", "grpc-fixed-window", "jetty");
            assertThat(figures.get("sockets").get("mean_vs_floor")).isEqualTo(1.0);
            figures.forEach((name, f) -> {
                assertThat((Integer) f.get("spreads")).as(name).isPositive();
                assertThat(f.get("exchanges_per_spread")).as(name).isEqualTo(9);
                assertThat((Double) f.get("cpu_us_per_exchange")).as(name).isNotNegative();
                assertThat((Double) f.get("alloc_bytes_per_exchange")).as(name).isPositive();
                assertThat((Double) f.get("block_ratio_vs_floor_min")).as(name).isLessThanOrEqualTo((Double)
                        f.get("block_ratio_vs_floor_max"));
            });
        } finally {
            wires.values().forEach(LoopbackRounds::close);
        }
    }

    @Test
    void rejectsAnUnknownWire() {
        assertThatThrownBy(() -> WireLibraryComparison.run(new String[] {"--wires", "sockets,quic"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown wire 'quic'; known: [sockets, netty, grpc, grpc-fixed-window, jetty]");
    }
}
