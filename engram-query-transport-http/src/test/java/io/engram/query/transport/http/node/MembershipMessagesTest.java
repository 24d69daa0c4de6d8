package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.NodeId;
import io.engram.query.planner.membership.Ack;
import io.engram.query.planner.membership.Gossip;
import io.engram.query.planner.membership.MemberState;
import io.engram.query.planner.membership.Ping;
import io.engram.query.planner.membership.PingRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipMessagesTest {
    private static final Gossip NEWS = new Gossip(NodeId.of("n3"), MemberState.SUSPECT, 4);

    @Test
    void messagesReadBackAsTheyWereWritten() {
        Ping ping = new Ping(NodeId.of("n1"), 2, List.of(NEWS));
        PingRequest request = new PingRequest(NodeId.of("n1"), 2, NodeId.of("n3"), List.of(NEWS));
        Ack ack = new Ack(NodeId.of("n2"), 7, false, List.of(NEWS));

        assertThat(((MembershipMessages.IncomingPing) MembershipMessages.readMessage(MembershipMessages.write(ping)))
                        .ping())
                .isEqualTo(ping);
        assertThat(((MembershipMessages.IncomingPingRequest)
                                MembershipMessages.readMessage(MembershipMessages.write(request)))
                        .request())
                .isEqualTo(request);
        assertThat(MembershipMessages.readAck(MembershipMessages.write(ack))).isEqualTo(ack);
        assertThat(new String(MembershipMessages.write(ping), StandardCharsets.UTF_8))
                .isEqualTo("{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":2,"
                        + "\"gossip\":[{\"node\":\"n3\",\"state\":\"suspect\",\"incarnation\":4}]}");
    }

    @Test
    void aMalformedMessageIsRefusedNamingTheFieldAndWhatIsAllowed() {
        assertRefused("{\"kind\":\"ping\",\"incarnation\":0,\"gossip\":[]}", "from is required");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[],\"color\":1}",
                "unknown field 'color'; known: from, gossip, incarnation, kind, target");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[{\"node\":\"n2\",\"state\":\"alive\"}]}",
                "gossip[0].incarnation is required");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"incarnation\":-1,\"gossip\":[]}",
                "incarnation must be >= 0, got -1");
        assertRefused(
                "{\"kind\":\"ping-req\",\"from\":\"n1\",\"incarnation\":0,\"gossip\":[]}",
                "target: a ping-req must name the node to probe");
        assertRefused(
                "{\"kind\":\"ping\",\"from\":\"n1\",\"from\":\"n2\",\"incarnation\":0,\"gossip\":[]}",
                "the membership message is not valid JSON: Duplicate field 'from'");
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> MembershipMessages.readMessage(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
