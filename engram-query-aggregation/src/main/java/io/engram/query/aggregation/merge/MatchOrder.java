package io.engram.query.aggregation.merge;

import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The orders answers and merges rely on. Both are total over distinct matches, so whatever depends on them (which
 * duplicate wins, which matches survive a truncation) does not depend on the order matches arrived in.
 */
public final class MatchOrder {
    /**
     * Orders matches of the same memory without looking at their confidence or id: space, then content, then
     * similarity and activation (higher first, present before absent), then fields, then embedding. Two matches it
     * calls equal are equal records apart from memory id and confidence.
     */
    public static final Comparator<Match> TIE_BREAK = Comparator.comparing(Match::space)
            .thenComparing(Match::content)
            .thenComparing(Match::similarity, MatchOrder::compareHigherFirst)
            .thenComparing(Match::activation, MatchOrder::compareHigherFirst)
            .thenComparing(Match::fields, MatchOrder::compareFields)
            .thenComparing(Match::embedding, MatchOrder::compareEmbeddings);

    /**
     * The order of an answer: confidence descending, then memory id ascending, then {@link #TIE_BREAK}. Total: only
     * equal matches compare as equal.
     */
    public static final Comparator<Match> BEST_FIRST = MatchOrder::compareBestFirst;

    private MatchOrder() {}

    // Written out rather than composed: it runs for every match received; the composed form made
    // BenchmarkAggregation about 25% slower per match.
    private static int compareBestFirst(Match a, Match b) {
        int byConfidence = Double.compare(b.confidence().value(), a.confidence().value());
        if (byConfidence != 0) {
            return byConfidence;
        }
        int byMemory = a.memoryId().compareTo(b.memoryId());
        return byMemory != 0 ? byMemory : TIE_BREAK.compare(a, b);
    }

    private static int compareHigherFirst(OptionalDouble a, OptionalDouble b) {
        if (a.isPresent() && b.isPresent()) {
            return Double.compare(b.getAsDouble(), a.getAsDouble());
        }
        return Boolean.compare(a.isEmpty(), b.isEmpty());
    }

    private static int compareFields(Map<String, String> a, Map<String, String> b) {
        if (a.equals(b)) {
            return 0;
        }
        Iterator<Map.Entry<String, String>> left = new TreeMap<>(a).entrySet().iterator();
        Iterator<Map.Entry<String, String>> right = new TreeMap<>(b).entrySet().iterator();
        while (left.hasNext() && right.hasNext()) {
            Map.Entry<String, String> l = left.next();
            Map.Entry<String, String> r = right.next();
            int byKey = l.getKey().compareTo(r.getKey());
            if (byKey != 0) {
                return byKey;
            }
            int byValue = l.getValue().compareTo(r.getValue());
            if (byValue != 0) {
                return byValue;
            }
        }
        return Boolean.compare(left.hasNext(), right.hasNext());
    }

    private static int compareEmbeddings(Optional<Embedding> a, Optional<Embedding> b) {
        if (a.isPresent() && b.isPresent()) {
            return a.get().equals(b.get())
                    ? 0
                    : Arrays.compare(a.get().toArray(), b.get().toArray());
        }
        return Boolean.compare(a.isEmpty(), b.isEmpty());
    }
}
