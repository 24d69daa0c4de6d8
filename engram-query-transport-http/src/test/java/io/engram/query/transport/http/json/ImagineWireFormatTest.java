package io.engram.query.transport.http.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImagineWireFormatTest {
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final Deadline DEADLINE = Deadline.after(Duration.ofSeconds(1));
    private static final ImagineQuery IMAGINE = new ImagineQuery(
            List.of(MemoryId.of("s1-m0"), MemoryId.of("s1-m1")), List.of(S2), 0.3, QueryOptions.defaults());
    private static final Embedding CUE = Embedding.of(0.1f, -0.7071068f, 1e-7f, 0.33333334f);

    private final WireFormat json = WireFormat.json(WireLimits.defaults());
    private final WireFormat smile = WireFormat.smile(WireLimits.defaults());

    @Test
    void seedFetchAndCueRoundTripExactly() {
        PartitionRequest fetch = new PartitionRequest("q-1", S2, DEADLINE, new PartitionTask.SeedFetch(IMAGINE));
        PartitionRequest recall = new PartitionRequest("q-1", S2, DEADLINE, new PartitionTask.CueRecall(IMAGINE, CUE));
        for (WireFormat format : List.of(json, smile)) {
            PartitionRequest readFetch = format.readPartitionRequest(format.writePartitionRequest(fetch), DEADLINE);
            PartitionRequest readRecall = format.readPartitionRequest(format.writePartitionRequest(recall), DEADLINE);

            assertThat(readFetch.task()).isEqualTo(fetch.task());
            assertThat(readRecall.task()).isEqualTo(recall.task());
        }
        assertThat(new String(json.writePartitionRequest(fetch), UTF_8))
                .contains("\"task\":\"seed-fetch\"")
                .doesNotContain("imagine_cue");
        assertThat(new String(json.writePartitionRequest(recall), UTF_8))
                .contains("\"task\":\"cue-recall\"")
                .endsWith(",\"imagine_cue\":[0.1,-0.7071068,1.0E-7,0.33333334]}");
    }

    @Test
    void seedsRoundTripExactlyAndAreAbsentWhenEmpty() {
        PartialResult partial = new PartialResult(
                S2,
                NodeId.of("n2"),
                List.of(),
                1.0,
                Duration.ofMillis(2),
                List.of(),
                List.of(new SeedEmbedding(MemoryId.of("s1-m0"), CUE)));
        for (WireFormat format : List.of(json, smile)) {
            assertThat(format.readPartialResult(format.writePartialResult(partial)))
                    .isEqualTo(partial);
        }
        assertThat(new String(json.writePartialResult(partial), UTF_8))
                .contains("\"seeds\":[{\"memory_id\":\"s1-m0\",\"embedding\":[0.1,-0.7071068,1.0E-7,0.33333334]}]");
        PartialResult none = new PartialResult(S2, NodeId.of("n2"), List.of(), 1.0, Duration.ofMillis(2));
        assertThat(new String(json.writePartialResult(none), UTF_8)).doesNotContain("seeds");
    }

    @Test
    void rejectsACueForAQueryThatIsNotAnImagine() {
        String body =
                "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"recall\",\"cue\":{\"content\":\"x\"}},"
                        + "\"imagine_cue\":[0.5,0.5]}";

        assertThatThrownBy(() -> json.readPartitionRequest(body.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("imagine_cue is only for cue-recall tasks, not scan");
    }

    @Test
    void rejectsASeedFetchCarryingACue() {
        String body = "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"imagine\",\"seeds\":[\"a\"]},"
                + "\"task\":\"seed-fetch\",\"imagine_cue\":[0.5,0.5]}";

        assertThatThrownBy(() -> json.readPartitionRequest(body.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("imagine_cue is only for cue-recall tasks, not seed-fetch");
    }

    @Test
    void rejectsMalformedPhaseFields() {
        String flag = "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"imagine\",\"seeds\":[\"a\"]},"
                + "\"task\":true}";
        String cue = "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"imagine\",\"seeds\":[\"a\"]},"
                + "\"task\":\"cue-recall\",\"imagine_cue\":[0.5,\"x\"]}";
        String seed = "{\"space\":\"s2\",\"node\":\"n2\",\"confidence_adjustment\":1.0,"
                + "\"seeds\":[{\"memory_id\":\"a\"}]}";

        assertThatThrownBy(() -> json.readPartitionRequest(flag.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("task must be a string, got ");
        assertThatThrownBy(() -> json.readPartitionRequest(cue.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("imagine_cue[1] must be a number, got ");
        assertThatThrownBy(() -> json.readPartialResult(seed.getBytes(UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("missing field 'seeds[0].embedding'");
    }
}
