package io.engram.query.transport.http.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.engram.query.api.NodeId;
import io.engram.query.planner.membership.Ack;
import io.engram.query.planner.membership.Gossip;
import io.engram.query.planner.membership.MemberState;
import io.engram.query.planner.membership.Ping;
import io.engram.query.planner.membership.PingRequest;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The JSON of the peer-health protocol on {@code POST /internal/v1/membership}:
 *
 * <pre>{@code
 * {"kind": "ping", "from": "n1", "incarnation": 0, "gossip": [{"node": "n3", "state": "suspect", "incarnation": 2}]}
 * {"kind": "ping-req", "from": "n1", "incarnation": 0, "target": "n3", "gossip": []}
 * answer: {"from": "n2", "incarnation": 0, "target_reached": true, "gossip": [...]}
 * }</pre>
 *
 * Unknown fields, a missing field and a state or kind outside the lists are refused, naming the field.
 */
final class MembershipMessages {
    static final String PING = "ping";
    static final String PING_REQ = "ping-req";
    /** More news than any cluster this node can be configured with could need in one message. */
    static final int MAX_GOSSIP = 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(8)
                        .maxStringLength(1024)
                        .build());
    }

    private static final java.util.regex.Pattern MISSING =
            java.util.regex.Pattern.compile("Missing required creator property '([^']*)'");

    private MembershipMessages() {}

    record WireGossip(
            @JsonProperty(value = "node", required = true) String node,
            @JsonProperty(value = "state", required = true) String state,

            @JsonProperty(value = "incarnation", required = true)
            long incarnation) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record WireMessage(
            @JsonProperty(value = "kind", required = true) String kind,
            @JsonProperty(value = "from", required = true) String from,

            @JsonProperty(value = "incarnation", required = true)
            long incarnation,

            @JsonProperty("target") String target,
            @JsonProperty(value = "gossip", required = true) List<WireGossip> gossip) {}

    record WireAck(
            @JsonProperty(value = "from", required = true) String from,

            @JsonProperty(value = "incarnation", required = true)
            long incarnation,

            @JsonProperty(value = "target_reached", required = true)
            boolean targetReached,

            @JsonProperty(value = "gossip", required = true) List<WireGossip> gossip) {}

    /** A ping or a ping request, read. */
    sealed interface Incoming permits IncomingPing, IncomingPingRequest {}

    record IncomingPing(Ping ping) implements Incoming {}

    record IncomingPingRequest(PingRequest request) implements Incoming {}

    static byte[] write(Ping ping) {
        return bytes(new WireMessage(PING, ping.from().value(), ping.incarnation(), null, wire(ping.gossip())));
    }

    static byte[] write(PingRequest request) {
        return bytes(new WireMessage(
                PING_REQ,
                request.from().value(),
                request.incarnation(),
                request.target().value(),
                wire(request.gossip())));
    }

    static byte[] write(Ack ack) {
        return bytes(new WireAck(ack.from().value(), ack.incarnation(), ack.targetReached(), wire(ack.gossip())));
    }

    static Incoming readMessage(byte[] body) {
        WireMessage m = read(body, WireMessage.class);
        NodeId from = node("from", m.from());
        long incarnation = incarnation("incarnation", m.incarnation());
        List<Gossip> gossip = gossip(m.gossip());
        return switch (m.kind()) {
            case PING -> {
                if (m.target() != null) {
                    throw new IllegalArgumentException("target: a ping names no target (a ping-req does)");
                }
                yield new IncomingPing(new Ping(from, incarnation, gossip));
            }
            case PING_REQ -> {
                if (m.target() == null) {
                    throw new IllegalArgumentException("target: a ping-req must name the node to probe");
                }
                yield new IncomingPingRequest(new PingRequest(from, incarnation, node("target", m.target()), gossip));
            }
            default ->
                throw new IllegalArgumentException("kind must be one of " + PING + ", " + PING_REQ + ", got '"
                        + io.engram.query.api.Printable.of(m.kind()) + "'");
        };
    }

    static Ack readAck(byte[] body) {
        WireAck a = read(body, WireAck.class);
        return new Ack(
                node("from", a.from()),
                incarnation("incarnation", a.incarnation()),
                a.targetReached(),
                gossip(a.gossip()));
    }

    private static <T> T read(byte[] body, Class<T> type) {
        try {
            return MAPPER.readValue(body, type);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(
                    prefix(e) + "unknown field '" + io.engram.query.api.Printable.of(e.getPropertyName()) + "'; known: "
                            + e.getKnownPropertyIds().stream()
                                    .map(String::valueOf)
                                    .sorted()
                                    .collect(Collectors.joining(", ")),
                    e);
        } catch (JsonMappingException e) {
            String message = String.valueOf(e.getOriginalMessage());
            java.util.regex.Matcher missing = MISSING.matcher(message);
            if (missing.lookingAt()) {
                String within = prefix(e); // the path ends with the missing field itself
                throw new IllegalArgumentException(
                        (within.isEmpty() ? "" : within.substring(0, within.length() - 2) + ".") + missing.group(1)
                                + " is required",
                        e);
            }
            throw new IllegalArgumentException(prefix(e) + originalMessage(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the membership message is not valid JSON: " + originalMessage(e), e);
        }
    }

    /** {@code gossip[2]: } for a problem inside that object, empty at the top. */
    private static String prefix(JsonMappingException e) {
        List<JsonMappingException.Reference> refs = e.getPath();
        if (refs.size() <= 1) {
            return "";
        }
        JsonMappingException trimmed = new JsonMappingException(null, "");
        for (int i = refs.size() - 2; i >= 0; i--) {
            trimmed.prependPath(refs.get(i));
        }
        return path(trimmed) + ": ";
    }

    /** {@code gossip[2].state} for a mapping problem at that place. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            }
        }
        return path.toString();
    }

    private static String originalMessage(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        return io.engram.query.api.Printable.of(message == null ? e.getClass().getSimpleName() : message);
    }

    private static String originalMessage(IOException e) {
        return e instanceof JsonProcessingException p ? originalMessage(p) : String.valueOf(e.getMessage());
    }

    private static List<Gossip> gossip(List<WireGossip> gossip) {
        if (gossip.size() > MAX_GOSSIP) {
            throw new IllegalArgumentException("gossip: at most " + MAX_GOSSIP + " entries, got " + gossip.size());
        }
        List<Gossip> out = new java.util.ArrayList<>(gossip.size());
        for (int i = 0; i < gossip.size(); i++) {
            WireGossip g = gossip.get(i);
            String at = "gossip[" + i + "].";
            if (g == null) {
                throw new IllegalArgumentException("gossip[" + i + "]: must be an object, got null");
            }
            out.add(new Gossip(
                    node(at + "node", g.node()),
                    state(at + "state", g.state()),
                    incarnation(at + "incarnation", g.incarnation())));
        }
        return out;
    }

    private static MemberState state(String field, String value) {
        for (MemberState s : MemberState.values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException(field + " must be one of "
                + java.util.Arrays.stream(MemberState.values())
                        .map(MemberState::wireName)
                        .collect(Collectors.joining(", "))
                + ", got '"
                + io.engram.query.api.Printable.of(String.valueOf(value).toLowerCase(Locale.ROOT)) + "'");
    }

    private static NodeId node(String field, String value) {
        try {
            return NodeId.of(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static long incarnation(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + value);
        }
        return value;
    }

    private static List<WireGossip> wire(List<Gossip> gossip) {
        return gossip.stream()
                .map(g -> new WireGossip(g.node().value(), g.state().wireName(), g.incarnation()))
                .toList();
    }

    private static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a membership message: " + e.getMessage(), e);
        }
    }
}
