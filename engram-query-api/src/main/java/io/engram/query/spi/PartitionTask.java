package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Query;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import java.util.List;
import java.util.Locale;

/**
 * The work a coordinator asks of a node for one space of a query: one record per kind, each with only its own fields.
 * A {@link LocalQueryEngine} runs each kind in its own method; the answer is a {@link io.engram.query.api.PartialResult}
 * whose meaning each record documents.
 */
public sealed interface PartitionTask
        permits PartitionTask.Scan,
                PartitionTask.SpreadRun,
                PartitionTask.SpreadStep,
                PartitionTask.SeedFetch,
                PartitionTask.CueRecall {

    /** The client's query this task serves (its limit, options and parameters). */
    Query query();

    /** The kind's name on the wire and in messages: {@code scan}, {@code spread-run}, … */
    String kind();

    /**
     * The one task a query needs when nothing is distributed about it: a scan for a recall or complete, a run from
     * the seeds for a spread.
     *
     * @throws IllegalArgumentException for an imagine, which runs as a {@link SeedFetch} then a {@link CueRecall}
     */
    static PartitionTask of(Query query) {
        requireNonNull(query, "query is null");
        if (query instanceof SpreadQuery spread) {
            return new SpreadRun(spread, List.of());
        }
        if (query instanceof ImagineQuery) {
            throw new IllegalArgumentException(
                    "an imagine runs as a seed fetch and then a cue recall, not as one partition task");
        }
        return new Scan(query);
    }

    /** "a spread query", "an imagine query": the query's type for messages. */
    static String described(Query query) {
        String type = query.type().name().toLowerCase(Locale.ROOT);
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type + " query";
    }

    /**
     * A recall or a complete over the space: its best {@code limit} matches, best first.
     *
     * @param query a {@link RecallQuery} or a {@link CompleteQuery}
     */
    record Scan(Query query) implements PartitionTask {
        public static final String KIND = "scan";

        public Scan {
            requireNonNull(query, "query is null");
            if (!(query instanceof RecallQuery || query instanceof CompleteQuery)) {
                throw new IllegalArgumentException(
                        "a scan serves a recall or a complete query, got " + PartitionTask.described(query));
            }
        }

        @Override
        public String kind() {
            return KIND;
        }
    }

    /**
     * A spread that runs ahead through the space for every hop it has left, combining activations by maximum (the
     * best walk): exact only for a merge policy that {@linkplain MergePolicy#selectsMaximum() selects the maximum}.
     * The answer's matches are the memories activated in the space (seeds excluded), best first, at most
     * {@code limit}; its frontier is the activation that crossed edges into other spaces, per target every crossing
     * no other dominates (fewer or equal hops and at least the activation).
     *
     * @param query the spread
     * <p>A start is itself activated: its memory is among the matches with the start's activation unless something
     * better reaches it (seeds are never returned). A start below the query's threshold does not flow; later rounds
     * carry as threshold the coordinator's floor (the {@code limit}-th best activation so far), not the client's. Ties
     * at the limit may be broken in any order.
     *
     * @param starts where to spread from: empty for the query's seeds held in the space (activation 1, no hop used);
     *     else a later round of a distributed spread, each start entering at its {@code hopsUsed}
     */
    record SpreadRun(SpreadQuery query, List<SpreadStart> starts) implements PartitionTask {
        public static final String KIND = "spread-run";

        public SpreadRun {
            requireNonNull(query, "query is null");
            starts = List.copyOf(requireNonNull(starts, "starts is null"));
        }

        @Override
        public String kind() {
            return KIND;
        }
    }

    /**
     * One superstep of a spread whose merge policy is not the maximum (see DESIGN.md, "Execution model v2"): the
     * layer {@code h − 1} activations of the space's memories in, their contributions to layer {@code h} out. The
     * engine does not combine, threshold or prune: the coordinator combines every contribution to a memory with the
     * query's merge policy before it applies the threshold.
     *
     * <p>The answer: for each activation of a memory the space holds, that memory as a match carrying the activation
     * given (unless it is one of the query's seeds, which are never returned), unbounded by the limit; and, when its
     * {@code hopsUsed} is below the query's {@code maxHops}, a {@link io.engram.query.api.SpreadCrossing} in the
     * frontier for each of its out-edges {@code u→v}, with activation {@code a × weight × (1 − decay)} and
     * {@code hopsUsed + 1} hops, whether {@code v} is in this space or another (its space when known); a contribution
     * of 0 may be left out. An activation of a memory the space does not hold is ignored. The coordinator uses only
     * contributions with the hops of the step it asked for.
     *
     * @param query the spread (its seeds, decay and max hops)
     * @param activations the memories of layer {@code h − 1} with their activation and {@code hopsUsed = h − 1}
     */
    record SpreadStep(SpreadQuery query, List<SpreadStart> activations) implements PartitionTask {
        public static final String KIND = "spread-step";

        public SpreadStep {
            requireNonNull(query, "query is null");
            activations = List.copyOf(requireNonNull(activations, "activations is null"));
        }

        @Override
        public String kind() {
            return KIND;
        }
    }

    /**
     * The first phase of a distributed imagine: the query's seeds the node holds, in any of its spaces, with their
     * embeddings ({@link io.engram.query.api.PartialResult#seeds()}); no matches.
     */
    record SeedFetch(ImagineQuery query) implements PartitionTask {
        public static final String KIND = "seed-fetch";

        public SeedFetch {
            requireNonNull(query, "query is null");
        }

        @Override
        public String kind() {
            return KIND;
        }
    }

    /**
     * The second phase of a distributed imagine: a recall of {@code cue}, the blend the coordinator made of every seed
     * found ({@link io.engram.query.api.ImagineBlend}), over the space, the query's seeds excluded; confidence
     * {@link io.engram.query.api.ImagineBlend#confidence}.
     */
    record CueRecall(ImagineQuery query, Embedding cue) implements PartitionTask {
        public static final String KIND = "cue-recall";

        public CueRecall {
            requireNonNull(query, "query is null");
            requireNonNull(cue, "cue is null");
        }

        @Override
        public String kind() {
            return KIND;
        }
    }
}
