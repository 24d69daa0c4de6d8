package io.engram.query.transport.http.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.NodeId;
import io.engram.query.planner.membership.Ack;
import io.engram.query.planner.membership.Gossip;
import io.engram.query.planner.membership.MemberState;
import io.engram.query.planner.membership.Ping;
import io.engram.query.planner.membership.PingRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The peer-health protocol's messages through the wire format's mapper and its one error translation. */
class MembershipMessagesTest {
    private static final Gossip NEWS = new Gossip(NodeId.of("n3"), MemberState.SUSPECT, 4);
    private static final WireFormat WIRE = WireFormat.json(WireLimits.defaults());

    @Test
    void messagesReadBackAsTheyWereWritten() {
        Ping ping = new Ping(NodeId.of("n1"), 2, List.of(NEWS));
        PingRequest request = new PingRequest(NodeId.of("n1"), 2, NodeId.of("n3"), List.of(NEWS));
        Ack ack = new Ack(NodeId.of("n2"), 7, false, List.of(NEWS));

        assertThat(WIRE.readProbe(WIRE.writeProbe(ping))).isEqualTo(ping);
        assertThat(WIRE.readProbe(WIRE.writeProbe(request))).isEqualTo(request);
        assertThat(WIRE.readAck(WIRE.write(ack))).isEqualTo(ack);
        assertThat(new String(WIRE.writeProbe(ping), StandardCharsets.UTF_8))
                .isEqualTo("{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":2,"
                        + "\"gossip\":[{\"node\":\"n3\",\"state\":\"suspect\",\"incarnation\":4}]}");
        assertThat(new String(WIRE.writeProbe(request), StandardCharsets.UTF_8))
                .isEqualTo("{\"kind\":\"ping-req\",\"from\":\"n1\",\"incarnation\":2,\"target\":\"n3\","
                        + "\"gossip\":[{\"node\":\"n3\",\"state\":\"suspect\",\"incarnation\":4}]}");
        assertThat(new String(WIRE.write(ack), StandardCharsets.UTF_8))
                .isEqualTo("{\"from\":\"n2\",\"incarnation\":7,\"target_reached\":false,"
                        + "\"gossip\":[{\"node\":\"n3\",\"state\":\"suspect\",\"incarnation\":4}]}");
    }

    @Test
    void aMalformedMessageIsRefusedNamingTheFieldAndWhatIsAllowed() {
        assertRefused("{\"kind\":\"ping\",\"incarnation\":0,\"gossip\":[]}", "missing field 'from'");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[],\"color\":1}",
                "unknown field 'color' in membership message; known: from, gossip, incarnation, kind, target");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[{\"node\":\"n2\",\"state\":\"alive\"}]}",
                "missing field 'gossip[0].incarnation'");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[{\"node\":\"n2\",\"state\":\"zombie\","
                        + "\"incarnation\":1}]}",
                "gossip[0].state must be one of alive, suspect, dead, got 'zombie'");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":-1,\"gossip\":[]}",
                "incarnation must be >= 0, got -1");
        assertRefused(
                "{\"kind\":\"pong\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[]}",
                "kind must be one of ping, ping-req, got 'pong'");
        assertRefused(
                "{\"kind\":\"ping-req\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[]}",
                "target: a ping-req must name the node to probe");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"target\":\"n2\",\"gossip\":[]}",
                "target: a ping names no target (a ping-req does)");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"from\":\"n2\",\"incarnation\":0,\"gossip\":[]}",
                "malformed JSON at line 1, column 34: Duplicate field 'from'");
        assertRefused("{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0}", "missing field 'gossip'");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[null]}",
                "gossip[0] must be an object, got null");
    }

    @Test
    void moreGossipThanTheLimitIsRefused() {
        WireFormat small = WireFormat.json(new WireLimits(1 << 20, 8, 1024, 2, Optional.empty()));
        String gossip =
                String.join(",", Collections.nCopies(3, "{\"node\":\"n2\",\"state\":\"alive\",\"incarnation\":1}"));
        assertThatThrownBy(() -> small.readProbe(
                        ("{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[" + gossip + "]}")
                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("gossip must have at most 2 entries, got 3");
    }

    @Test
    void anAckIsRefusedNamingTheField() {
        assertThatThrownBy(() -> WIRE.readAck(
                        "{\"from\":\"n2\",\"incarnation\":1,\"gossip\":[]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("missing field 'target_reached'");
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> WIRE.readProbe(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(message);
    }
}
