package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Confidence;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineBlend;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.PartialResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.Ticker;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The embedded in-memory {@link LocalQueryEngine}: answers the four query types over a {@link MemoryStore}, one space
 * per request, honouring the request's deadline as a soft limit.
 *
 * <p><b>Recall.</b> With an embedding, a memory's score is the cosine similarity of its embedding with the cue's; its
 * confidence is that similarity clipped to [0, 1]. With a content text, only memories whose content contains the text
 * (case-insensitive) qualify. With a content text only, the score and confidence are the memory's own confidence.
 * Matches below {@code minConfidence} are dropped; the best {@code limit} are kept in a bounded heap, best first (ties:
 * the memory loaded first).
 *
 * <p><b>Spread, running ahead</b> ({@link PartitionTask.SpreadRun}, for the maximum as merge policy). Exact layered
 * Bellman-Ford by hop: {@code A0} holds the seeds (activation 1);
 * {@code Ah[v] = max(Ah−1[v], max over edges u→v of Ah−1[u] × weight × (1 − decay))}; an activation below the
 * threshold is dropped; {@code maxHops} rounds; only memories whose activation improved in the previous round
 * propagate. The result is the best product over all walks of at most {@code maxHops} edges from a seed. Flow stays in
 * the request's space; seeds of other spaces are ignored; seeds are not returned; a match's confidence and activation
 * are its activation. {@link #spread} also reports the activation that crossed edges out of the space: per target
 * memory, every crossing that no other dominates (one with fewer or equal hops and at least the activation), so a
 * weaker crossing that used fewer hops, and can still flow further, is kept. When the space activated at least
 * {@code limit} memories (seeds excluded), a crossing strictly below its own {@code limit}-th best activation is not
 * reported: the answer's {@code limit}-th best is at least that (those memories are activated at least this much
 * whatever other spaces add), and activation never grows along a path, so nothing the crossing reaches could enter the
 * answer; ties are kept. This saves bytes and the coordinator's work without changing the answer. A request carrying
 * {@link PartitionTask.SpreadRun} with starts (a round of a distributed spread) spreads from them instead
 * of the seeds, and its {@link PartialResult#frontier()} carries the crossings. The work follows the memories and
 * edges the spread touches, not the size of the space: it works on reused arrays ({@link SpreadScratch}) cleared by the
 * memories it reached, and selects the best among those only.
 *
 * <p><b>Spread, one superstep</b> ({@link PartitionTask.SpreadStep}, for every other merge policy): the given
 * activations flow over one edge each and come back as contributions, local targets included; the coordinator
 * combines them (see {@link #spreadStep}).
 *
 * <p><b>Complete.</b> {@code s} = cosine similarity restricted to the known dimensions of the partial embedding,
 * clipped to [0, 1]; {@code f} = the share of known fields whose value the memory has exactly. The score is {@code s}
 * with an embedding only, {@code f} with fields only, and {@code s × (0.5 + 0.5 f)} with both, so a memory missing a
 * known field is kept but scored lower. Memories scoring 0 are not returned. A match carries the memory's fields and
 * full embedding.
 *
 * <p><b>Imagine.</b> The seeds held by this store (in any space) are blended by {@link ImagineBlend#blend}; seeds held
 * elsewhere are ignored, and with none held the answer is empty and complete. The cue is recalled over the space,
 * seeds excluded; confidence is {@link ImagineBlend#confidence similarity clipped × (1 − novelty/2)}. In a cluster the
 * coordinator fetches the seeds first ({@link PartitionTask.SeedFetch}: the engine answers with the seeds it
 * holds in any space, in {@link PartialResult#seeds()}, and recalls nothing) and then sends the cue it blended from
 * all of them ({@link PartitionTask.CueRecall}), which the engine recalls instead of its own blend.
 *
 * <p><b>Deadline.</b> Scans read the deadline every {@link EngineOptions#deadlineCheckInterval()} memories (a spread,
 * every so many expanded memories). When it has passed, the engine returns the best found so far with a
 * {@code confidenceAdjustment} equal to the share of the space scanned (for a spread, the share of rounds done); a
 * complete scan gives 1. Latency is measured with the engine's {@link Ticker}.
 *
 * <p>Thread-safe: the store is immutable and every query works on its own state (a spread on scratch arrays it takes
 * from, and gives back to, the engine's thread-safe pool).
 */
public final class EmbeddedQueryEngine implements LocalQueryEngine {
    private final NodeId localNode;
    private final MemoryStore store;
    private final Ticker ticker;
    private final EngineOptions options;
    private final SpreadScratch.Pool scratches;
    /**
     * Per segment, the space of each external edge's target ({@link SpaceSegment#externalTargets}, same index),
     * resolved once here rather than on every crossing: a store lookup, then {@link EngineOptions#externalSpaces()}.
     */
    private final Map<SpaceSegment, List<Optional<MemorySpaceId>>> externalSpaces = new IdentityHashMap<>();

    public EmbeddedQueryEngine(NodeId localNode, MemoryStore store, Ticker ticker) {
        this(localNode, store, ticker, EngineOptions.defaults());
    }

    public EmbeddedQueryEngine(NodeId localNode, MemoryStore store, Ticker ticker, EngineOptions options) {
        this.localNode = requireNonNull(localNode, "local node is null");
        this.store = requireNonNull(store, "store is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.options = requireNonNull(options, "options is null");
        int largest = 0;
        Map<MemorySpaceId, Optional<MemorySpaceId>> shared = new HashMap<>();
        for (MemorySpaceId space : store.spaces()) {
            SpaceSegment segment = store.segment(space).orElseThrow();
            largest = Math.max(largest, segment.size());
            List<Optional<MemorySpaceId>> targets = new ArrayList<>(segment.externalTargets.length);
            for (MemoryId target : segment.externalTargets) {
                Optional<MemorySpaceId> resolved = resolveSpace(target);
                targets.add(resolved.isEmpty() ? resolved : shared.computeIfAbsent(resolved.get(), s -> resolved));
            }
            externalSpaces.put(segment, targets);
        }
        this.scratches = new SpreadScratch.Pool(
                largest, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
    }

    public MemoryStore store() {
        return store;
    }

    @Override
    public boolean holds(MemorySpaceId space) {
        return store.holds(space);
    }

    @Override
    public java.util.Set<MemorySpaceId> localSpaces() {
        return store.spaces();
    }

    @Override
    public PartialResult scan(PartitionRequest request, PartitionTask.Scan task) {
        long start = ticker.nanoTime();
        SpaceSegment segment = segment(request.space());
        Answer answer;
        if (task.query() instanceof RecallQuery recall) {
            answer = recall(segment, recall, request.deadline());
        } else {
            answer = complete(segment, (CompleteQuery) task.query(), request.deadline());
        }
        return new PartialResult(segment.space(), localNode, answer.matches, answer.adjustment, since(start));
    }

    @Override
    public PartialResult spreadRun(PartitionRequest request, PartitionTask.SpreadRun task) {
        long start = ticker.nanoTime();
        SpaceSegment segment = segment(request.space());
        SpreadQuery spread = task.query();
        List<Activation> starts = new ArrayList<>();
        if (task.starts().isEmpty()) {
            for (MemoryId seed : spread.seeds()) {
                store.locate(seed)
                        .filter(l -> l.space().equals(segment.space()))
                        .ifPresent(l -> starts.add(Activation.seed(seed, l.space())));
            }
        } else {
            for (SpreadStart given : task.starts()) {
                starts.add(new Activation(given.memory(), segment.space(), given.activation(), given.hopsUsed()));
            }
        }
        SpreadOutcome outcome = spread(segment, starts, spread, request.deadline());
        List<SpreadCrossing> frontier = new ArrayList<>(outcome.frontier().size());
        for (FrontierActivation crossing : outcome.frontier()) {
            frontier.add(new SpreadCrossing(
                    crossing.memory(), crossing.space(), crossing.activation(), crossing.hopsUsed()));
        }
        return new PartialResult(
                segment.space(), localNode, outcome.matches(), outcome.confidenceAdjustment(), since(start), frontier);
    }

    /**
     * One superstep ({@link PartitionTask.SpreadStep}): each activation of a memory of the space is returned as a
     * match (seeds excepted) and, with hops left, flows over each out-edge into a contribution of the next layer,
     * local targets included; nothing is combined, thresholded or pruned here.
     */
    @Override
    public PartialResult spreadStep(PartitionRequest request, PartitionTask.SpreadStep task) {
        long start = ticker.nanoTime();
        SpaceSegment segment = segment(request.space());
        SpreadQuery spread = task.query();
        double factor = 1.0 - spread.decay();
        List<Optional<MemorySpaceId>> targetSpaces = externalSpaces.get(segment);
        Optional<MemorySpaceId> own = Optional.of(segment.space());
        List<Match> matches = new ArrayList<>();
        List<SpreadCrossing> frontier = new ArrayList<>();
        int interval = options.deadlineCheckInterval();
        List<SpreadStart> activations = task.activations();
        double done = 1.0;
        for (int j = 0; j < activations.size(); j++) {
            if (j % interval == 0 && request.deadline().isExpired()) {
                done = (double) j / activations.size();
                break;
            }
            SpreadStart given = activations.get(j);
            Optional<MemoryLocation> location = store.locate(given.memory()).filter(l -> l.segment() == segment);
            if (location.isEmpty()) {
                continue;
            }
            int u = location.get().index();
            double a = given.activation();
            if (!spread.seeds().contains(given.memory())) {
                matches.add(new Match(
                        segment.ids[u],
                        segment.space(),
                        Confidence.clipped(a),
                        segment.contents[u],
                        OptionalDouble.of(a),
                        OptionalDouble.empty(),
                        Map.of(),
                        Optional.empty()));
            }
            int hops = given.hopsUsed() + 1;
            if (hops > spread.maxHops()) {
                continue;
            }
            double flowing = a * factor;
            for (int e = segment.localStart[u], end = segment.localStart[u + 1]; e < end; e++) {
                double contribution = flowing * segment.localWeights[e];
                if (contribution > 0.0) {
                    frontier.add(new SpreadCrossing(segment.ids[segment.localTargets[e]], own, contribution, hops));
                }
            }
            for (int e = segment.externalStart[u], end = segment.externalStart[u + 1]; e < end; e++) {
                double contribution = flowing * segment.externalWeights[e];
                if (contribution > 0.0) {
                    frontier.add(
                            new SpreadCrossing(segment.externalTargets[e], targetSpaces.get(e), contribution, hops));
                }
            }
        }
        return new PartialResult(segment.space(), localNode, matches, done, since(start), frontier);
    }

    @Override
    public PartialResult seedFetch(PartitionRequest request, PartitionTask.SeedFetch task) {
        long start = ticker.nanoTime();
        SpaceSegment segment = segment(request.space());
        List<SeedEmbedding> seeds = new ArrayList<>();
        for (MemoryId seed : task.query().seeds()) {
            store.locate(seed)
                    .ifPresent(
                            l -> seeds.add(new SeedEmbedding(seed, l.segment().embedding(l.index()))));
        }
        return new PartialResult(segment.space(), localNode, List.of(), 1.0, since(start), List.of(), seeds);
    }

    @Override
    public PartialResult cueRecall(PartitionRequest request, PartitionTask.CueRecall task) {
        long start = ticker.nanoTime();
        SpaceSegment segment = segment(request.space());
        Answer answer = imagine(segment, task.query(), Optional.of(task.cue()), request.deadline());
        return new PartialResult(segment.space(), localNode, answer.matches, answer.adjustment, since(start));
    }

    /**
     * An imagine of {@code space} alone, its cue blended ({@link ImagineBlend#blend}) from the seeds this store holds
     * in any space: what a distributed imagine answers for that space when this store holds every seed. With no seed
     * held the answer is empty and complete.
     */
    public PartialResult imagine(MemorySpaceId space, ImagineQuery query, Deadline deadline) {
        long start = ticker.nanoTime();
        SpaceSegment segment = segment(space);
        Answer answer = imagine(segment, query, Optional.empty(), deadline);
        return new PartialResult(segment.space(), localNode, answer.matches, answer.adjustment, since(start));
    }

    private Duration since(long startNanos) {
        return Duration.ofNanos(Math.max(0, ticker.nanoTime() - startNanos));
    }

    /**
     * Spreads activation from {@code starts} through {@code space} (see the class comment); a start of another space,
     * or of a memory this space does not have, is ignored, and a start below the threshold does not flow. A start
     * that used {@code h} hops enters at round {@code h} and flows for the remaining {@code maxHops − h} rounds. The
     * query's seeds are not returned; other starts are (with their activation).
     *
     * @throws IllegalArgumentException when this engine does not hold {@code space}
     */
    public SpreadOutcome spread(MemorySpaceId space, List<Activation> starts, SpreadQuery query, Deadline deadline) {
        requireNonNull(space, "space is null");
        requireNonNull(starts, "starts is null");
        requireNonNull(query, "query is null");
        requireNonNull(deadline, "deadline is null");
        return spread(segment(space), starts, query, deadline);
    }

    private record Answer(List<Match> matches, double adjustment) {}

    private SpaceSegment segment(MemorySpaceId space) {
        return store.segment(space)
                .orElseThrow(
                        () -> new IllegalArgumentException("space '" + space + "' is not held by node " + localNode));
    }

    /** Visits memories {@code [from, to)} of a scan. */
    private interface RangeScan {
        void scan(int from, int to);
    }

    /** Runs {@code body} over {@code [0, n)} in chunks, reading the deadline before each; returns the share done. */
    private double scanInChunks(int n, Deadline deadline, RangeScan body) {
        int interval = options.deadlineCheckInterval();
        for (long from = 0; from < n; from += interval) {
            if (deadline.isExpired()) {
                return (double) from / n;
            }
            body.scan((int) from, (int) Math.min(n, from + interval));
        }
        return 1.0;
    }

    private Answer recall(SpaceSegment segment, RecallQuery query, Deadline deadline) {
        String needle =
                query.cue().content().map(c -> c.toLowerCase(Locale.ROOT)).orElse(null);
        double min = query.minConfidence().value();
        TopK top = new TopK(query.limit());
        double done;
        if (query.cue().embedding().isPresent()) {
            float[] cue = query.cue()
                    .embedding()
                    .get()
                    .requireDimensions("cue embedding", store.dimensions())
                    .toArray();
            done = similarityScan(segment, cue, needle, min > 0 ? min : Double.NEGATIVE_INFINITY, null, top, deadline);
            return new Answer(similarityMatches(segment, cue, top, 1.0), done);
        }
        done = scanInChunks(segment.size(), deadline, (from, to) -> {
            for (int i = from; i < to; i++) {
                double own = segment.confidences[i];
                if (own >= min && segment.lowerContents[i].contains(needle)) {
                    top.offer(own, i);
                }
            }
        });
        List<Match> matches = new ArrayList<>(top.size());
        for (int i : top.indicesBestFirst()) {
            matches.add(Match.of(segment.ids[i], segment.space(), segment.confidence(i), segment.contents[i]));
        }
        return new Answer(matches, done);
    }

    /** Offers every memory (not excluded, containing {@code needle}) with similarity ≥ {@code minSimilarity}. */
    private double similarityScan(
            SpaceSegment segment,
            float[] cue,
            String needle,
            double minSimilarity,
            boolean[] excluded,
            TopK top,
            Deadline deadline) {
        double cueNorm = Cosine.norm(cue);
        int dims = cue.length;
        float[] vectors = segment.vectors;
        double[] norms = segment.norms;
        String[] lower = segment.lowerContents;
        return scanInChunks(segment.size(), deadline, (from, to) -> {
            for (int i = from; i < to; i++) {
                if ((excluded != null && excluded[i]) || (needle != null && !lower[i].contains(needle))) {
                    continue;
                }
                double similarity = Cosine.similarity(Cosine.dot(cue, vectors, i * dims), cueNorm, norms[i]);
                if (similarity >= minSimilarity) {
                    top.offer(similarity, i);
                }
            }
        });
    }

    /** Matches for a similarity top list; confidence = clipped similarity × {@code scale}. */
    private static List<Match> similarityMatches(SpaceSegment segment, float[] cue, TopK top, double scale) {
        double cueNorm = Cosine.norm(cue);
        List<Match> matches = new ArrayList<>(top.size());
        for (int i : top.indicesBestFirst()) {
            double similarity =
                    Cosine.similarity(Cosine.dot(cue, segment.vectors, i * cue.length), cueNorm, segment.norms[i]);
            matches.add(new Match(
                    segment.ids[i],
                    segment.space(),
                    Confidence.clipped(similarity * scale),
                    segment.contents[i],
                    OptionalDouble.empty(),
                    OptionalDouble.of(similarity),
                    Map.of(),
                    Optional.empty()));
        }
        return matches;
    }

    private SpreadOutcome spread(SpaceSegment segment, List<Activation> starts, SpreadQuery query, Deadline deadline) {
        double threshold = query.threshold();
        // The seeds of this segment: few, so their indices rather than a flag per memory of the space.
        int[] seeds = new int[query.seeds().size()];
        int seedCount = 0;
        for (MemoryId id : query.seeds()) {
            Optional<MemoryLocation> location = store.locate(id).filter(l -> l.segment() == segment);
            if (location.isPresent()) {
                seeds[seedCount++] = location.get().index();
            }
        }
        seeds = Arrays.copyOf(seeds, seedCount);
        // Starts by the round they enter: index and activation.
        List<List<double[]>> entering = new ArrayList<>();
        for (int h = 0; h <= SpreadQuery.MAX_HOPS; h++) {
            entering.add(new ArrayList<>());
        }
        for (Activation start : starts) {
            if (!start.space().equals(segment.space()) || start.activation() < threshold) {
                continue;
            }
            Optional<MemoryLocation> location = store.locate(start.memory()).filter(l -> l.segment() == segment);
            if (location.isPresent()) {
                entering.get(start.hopsUsed()).add(new double[] {location.get().index(), start.activation()});
            }
        }
        // Reused arrays cleared by what was touched (see SpreadScratch): the cost follows the memories and edges
        // touched, not the size of the space.
        SpreadScratch scratch = scratches.acquire(segment.size());
        try {
            return spread(segment, query, deadline, seeds, entering, scratch);
        } finally {
            scratches.release(scratch);
        }
    }

    private SpreadOutcome spread(
            SpaceSegment segment,
            SpreadQuery query,
            Deadline deadline,
            int[] seeds,
            List<List<double[]>> entering,
            SpreadScratch scratch) {
        int maxHops = query.maxHops();
        double factor = 1.0 - query.decay();
        double threshold = query.threshold();
        double[] activation = scratch.activation;
        int[] improvedInRound = scratch.improvedInRound;
        IntList improved = new IntList();
        enter(entering.get(0), scratch, 0, improved);
        // Per target, the crossings no other crossing dominates (fewer or equal hops and at least the activation):
        // hops ascending, activation strictly ascending. A weaker crossing with fewer hops can still flow further.
        Map<MemoryId, List<FrontierActivation>> crossings = new LinkedHashMap<>();
        int interval = options.deadlineCheckInterval();
        List<Optional<MemorySpaceId>> targetSpaces = externalSpaces.get(segment);
        long expanded = 0;
        double done = 1.0;
        rounds:
        for (int h = 1; h <= maxHops; h++) {
            int frontierSize = improved.size();
            int[] frontier = improved.toArray();
            double[] values = new double[frontierSize];
            for (int j = 0; j < frontierSize; j++) {
                values[j] = activation[frontier[j]];
            }
            improved = new IntList();
            for (int j = 0; j < frontierSize; j++) {
                if (expanded++ % interval == 0 && deadline.isExpired()) {
                    done = ((h - 1) + (double) j / frontierSize) / maxHops;
                    break rounds;
                }
                int u = frontier[j];
                double flowing = values[j] * factor;
                for (int e = segment.localStart[u], end = segment.localStart[u + 1]; e < end; e++) {
                    double candidate = flowing * segment.localWeights[e];
                    int v = segment.localTargets[e];
                    if (candidate >= threshold && candidate > activation[v]) {
                        if (activation[v] == 0.0) {
                            scratch.touch(v);
                        }
                        activation[v] = candidate;
                        if (improvedInRound[v] != h) {
                            improvedInRound[v] = h;
                            improved.add(v);
                        }
                    }
                }
                for (int e = segment.externalStart[u], end = segment.externalStart[u + 1]; e < end; e++) {
                    double candidate = flowing * segment.externalWeights[e];
                    if (candidate >= threshold) {
                        MemoryId target = segment.externalTargets[e];
                        List<FrontierActivation> known = crossings.computeIfAbsent(target, t -> new ArrayList<>(1));
                        FrontierActivation last = known.isEmpty() ? null : known.get(known.size() - 1);
                        if (last == null || candidate > last.activation()) {
                            FrontierActivation crossing = new FrontierActivation(
                                    target, last == null ? targetSpaces.get(e) : last.space(), candidate, h);
                            if (last != null && last.hopsUsed() == h) {
                                known.set(known.size() - 1, crossing);
                            } else {
                                known.add(crossing);
                            }
                        }
                    }
                }
            }
            enter(entering.get(h), scratch, h, improved);
            if (improved.size() == 0 && !startsLater(entering, h + 1, maxHops)) {
                break;
            }
        }
        if (done == 1.0) {
            for (int h = maxHops + 1; h <= SpreadQuery.MAX_HOPS; h++) {
                enter(entering.get(h), scratch, h, new IntList());
            }
        }
        // Seeds are not returned: zero them (the scratch is this call's own and cleared by what was touched).
        for (int seed : seeds) {
            activation[seed] = 0.0;
        }
        TopK top = new TopK(query.limit());
        for (int i = 0, count = scratch.touchedCount(); i < count; i++) {
            int v = scratch.touched(i);
            if (activation[v] > 0.0) {
                top.offer(activation[v], v);
            }
        }
        List<Match> matches = new ArrayList<>(top.size());
        double last = 0.0;
        for (int v : top.indicesBestFirst()) {
            last = activation[v];
            matches.add(new Match(
                    segment.ids[v],
                    segment.space(),
                    Confidence.clipped(last),
                    segment.contents[v],
                    OptionalDouble.of(last),
                    OptionalDouble.empty(),
                    Map.of(),
                    Optional.empty()));
        }
        // With limit matches, the answer's limit-th best is at least `last`, and activation never grows along a path:
        // a crossing strictly below it cannot change the answer (see the class comment).
        double floor = matches.size() == query.limit() ? last : 0.0;
        List<FrontierActivation> frontier = new ArrayList<>(crossings.size());
        for (List<FrontierActivation> perTarget : crossings.values()) {
            for (FrontierActivation crossing : perTarget) {
                if (crossing.activation() >= floor) {
                    frontier.add(crossing);
                }
            }
        }
        return new SpreadOutcome(matches, frontier, done);
    }

    private static void enter(List<double[]> starts, SpreadScratch scratch, int round, IntList improved) {
        for (double[] start : starts) {
            int v = (int) start[0];
            if (start[1] > scratch.activation[v]) {
                if (scratch.activation[v] == 0.0) {
                    scratch.touch(v);
                }
                scratch.activation[v] = start[1];
                if (scratch.improvedInRound[v] != round) {
                    scratch.improvedInRound[v] = round;
                    improved.add(v);
                }
            }
        }
    }

    private static boolean startsLater(List<List<double[]>> entering, int from, int maxHops) {
        for (int h = from; h <= maxHops; h++) {
            if (!entering.get(h).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private Optional<MemorySpaceId> resolveSpace(MemoryId target) {
        Optional<MemoryLocation> location = store.locate(target);
        if (location.isPresent()) {
            return Optional.of(location.get().space());
        }
        return Objects.requireNonNull(options.externalSpaces().apply(target), "external space resolver returned null");
    }

    private Answer complete(SpaceSegment segment, CompleteQuery query, Deadline deadline) {
        int dims = store.dimensions();
        Optional<PartialEmbedding> partial =
                query.partialEmbedding().map(p -> p.requireDimensions("partial embedding", dims));
        Map<String, String> known = query.knownFields();
        int knownCount = partial.map(PartialEmbedding::knownCount).orElse(0);
        int[] knownDims = new int[knownCount];
        float[] knownValues = new float[knownCount];
        double cueSquares = 0;
        if (partial.isPresent()) {
            PartialEmbedding p = partial.get();
            for (int d = 0, k = 0; d < dims; d++) {
                if (p.isKnown(d)) {
                    knownDims[k] = d;
                    knownValues[k++] = p.get(d);
                    cueSquares += (double) p.get(d) * p.get(d);
                }
            }
        }
        double cueNorm = Math.sqrt(cueSquares);
        boolean allKnown = knownCount == dims;
        double[] similarities = new double[segment.size()];
        double[] scores = new double[segment.size()];
        TopK top = new TopK(query.limit());
        double done = scanInChunks(segment.size(), deadline, (from, to) -> {
            for (int i = from; i < to; i++) {
                double score = 1.0;
                if (partial.isPresent()) {
                    double similarity = allKnown
                            ? Cosine.similarity(
                                    Cosine.dot(knownValues, segment.vectors, i * dims), cueNorm, segment.norms[i])
                            : restrictedSimilarity(segment.vectors, i * dims, knownDims, knownValues, cueNorm);
                    similarities[i] = similarity;
                    score = Math.max(0.0, similarity);
                }
                if (!known.isEmpty()) {
                    Map<String, String> fields = segment.fields.get(i);
                    int matched = 0;
                    for (Map.Entry<String, String> field : known.entrySet()) {
                        if (field.getValue().equals(fields.get(field.getKey()))) {
                            matched++;
                        }
                    }
                    double share = (double) matched / known.size();
                    score = partial.isPresent() ? score * (0.5 + 0.5 * share) : share;
                }
                if (score > 0) {
                    scores[i] = score;
                    top.offer(score, i);
                }
            }
        });
        List<Match> matches = new ArrayList<>(top.size());
        for (int i : top.indicesBestFirst()) {
            matches.add(new Match(
                    segment.ids[i],
                    segment.space(),
                    Confidence.clipped(scores[i]),
                    segment.contents[i],
                    OptionalDouble.empty(),
                    partial.isPresent() ? OptionalDouble.of(similarities[i]) : OptionalDouble.empty(),
                    segment.fields.get(i),
                    Optional.of(segment.embedding(i))));
        }
        return new Answer(matches, done);
    }

    private static double restrictedSimilarity(
            float[] vectors, int offset, int[] knownDims, float[] knownValues, double cueNorm) {
        double dot = 0;
        double squares = 0;
        for (int k = 0; k < knownDims.length; k++) {
            double x = vectors[offset + knownDims[k]];
            dot += knownValues[k] * x;
            squares += x * x;
        }
        return Cosine.similarity(dot, cueNorm, Math.sqrt(squares));
    }

    private Answer imagine(SpaceSegment segment, ImagineQuery query, Optional<Embedding> given, Deadline deadline) {
        List<Embedding> found = new ArrayList<>();
        boolean[] excluded = null;
        for (MemoryId seed : query.seeds()) {
            Optional<MemoryLocation> location = store.locate(seed);
            if (location.isPresent()) {
                MemoryLocation l = location.get();
                found.add(l.segment().embedding(l.index()));
                if (l.segment() == segment) {
                    if (excluded == null) {
                        excluded = new boolean[segment.size()];
                    }
                    excluded[l.index()] = true;
                }
            }
        }
        float[] cue;
        if (given.isPresent()) {
            cue = given.get()
                    .requireDimensions("imagine cue", store.dimensions())
                    .toArray();
        } else if (found.isEmpty()) {
            return new Answer(List.of(), 1.0);
        } else {
            cue = ImagineBlend.blend(found, query.seeds(), query.novelty()).toArray();
        }
        TopK top = new TopK(query.limit());
        double done = similarityScan(segment, cue, null, Double.NEGATIVE_INFINITY, excluded, top, deadline);
        return new Answer(similarityMatches(segment, cue, top, 1.0 - query.novelty() / 2.0), done);
    }

    /** A growable list of ints. */
    private static final class IntList {
        private int[] values = new int[16];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
