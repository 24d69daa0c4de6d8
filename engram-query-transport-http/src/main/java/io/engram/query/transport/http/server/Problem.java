package io.engram.query.transport.http.server;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 *
 * @param type a URI naming the problem; {@code about:blank} when the status says it all
 * @param title a short summary of the status
 * @param status the HTTP status
 * @param detail what was wrong with this request; names the field; never a class name or stack trace
 * @param extensions further members ({@code missing_partitions}); values are trees of plain values or JSON nodes
 */
record Problem(String type, String title, int status, String detail, Map<String, Object> extensions) {
    static final String MEDIA_TYPE = "application/problem+json";

    Problem {
        requireNonNull(type, "type is null");
        requireNonNull(title, "title is null");
        requireNonNull(detail, "detail is null");
        extensions = Map.copyOf(extensions);
    }

    static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, Map.of());
    }

    static Problem badRequest(String detail) {
        return of(400, "Bad Request", detail);
    }

    Map<String, Object> toMap() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.putAll(extensions);
        return body;
    }
}
