package io.engram.query.benchmarks.processes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;

/**
 * Whether a {@code /v1/query} answer is a full one: every expected partition responded and none is missing. Read
 * with Jackson's streaming parser, skipping the matches, so that checking every answer stays cheap for the load
 * generator (it shares the machine with the nodes it measures).
 *
 * @param failure why the answer is not full (with the first missing partition's reason), or empty when it is
 * @param partitions the partition outcomes the answer lists
 */
record AnswerCheck(Optional<String> failure, int partitions) {
    private static final JsonFactory FACTORY = new JsonFactory();

    static AnswerCheck of(byte[] body) {
        int expected = -1;
        int responding = -1;
        int missing = -1;
        String reason = "";
        int partitions = 0;
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new AnswerCheck(Optional.of("unreadable answer"), 0);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("coverage") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken v = p.nextToken();
                        switch (name) {
                            case "expected_partitions" -> expected = p.getIntValue();
                            case "responding_partitions" -> responding = p.getIntValue();
                            case "missing_partitions" -> {
                                if (v == JsonToken.START_ARRAY && p.nextToken() == JsonToken.START_OBJECT) {
                                    reason = firstReason(p);
                                    missing = 1 + count(p, JsonToken.START_ARRAY);
                                } else {
                                    missing = v == JsonToken.START_ARRAY ? 0 : count(p, v);
                                }
                            }
                            default -> p.skipChildren();
                        }
                    }
                } else if (field.equals("partitions")) {
                    partitions = count(p, value);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return new AnswerCheck(Optional.of("unreadable answer"), 0);
        }
        boolean full = expected >= 1 && responding == expected && missing == 0;
        return new AnswerCheck(
                full ? Optional.empty() : Optional.of("partial coverage" + (reason.isEmpty() ? "" : ": " + reason)),
                partitions);
    }

    /** The {@code reason} of the missing partition the parser is at (its object's start), reading to its end. */
    private static String firstReason(JsonParser p) throws IOException {
        String reason = "";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("reason")) {
                reason = p.getValueAsString("");
            } else {
                p.skipChildren();
            }
        }
        return reason;
    }

    /** The elements of the array the parser is at (skipping each), or -1 when it is not an array. */
    private static int count(JsonParser p, JsonToken at) throws IOException {
        if (at != JsonToken.START_ARRAY) {
            p.skipChildren();
            return -1;
        }
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
            n++;
        }
        return n;
    }
}
