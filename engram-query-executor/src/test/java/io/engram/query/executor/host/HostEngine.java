package io.engram.query.executor.host;

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
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A host's own {@link LocalQueryEngine}, written only against the api jar, as Engram would write one: it imports
 * nothing but {@code io.engram.query.api}, {@code io.engram.query.spi} and {@code java.*} (HostEngineTest reads this
 * file's imports to keep it so). Plain and brute force: every task scans the lists it holds, with no index, so that
 * what it answers is easy to check against {@link PartitionTask}'s contract.
 *
 * <p><b>Scan, recall.</b> With an embedding cue, a memory's similarity is the cosine of its embedding with the cue's
 * (0 when either is the zero vector) and its confidence that similarity clipped to [0, 1]; with a content text too,
 * only memories whose content contains it (case-insensitive) qualify; with a content text only, every memory
 * containing it qualifies with confidence 1. Matches below {@code minConfidence} are dropped.
 *
 * <p><b>Scan, complete.</b> {@code s} is the cosine over the known dimensions of the partial embedding (the memory's
 * embedding restricted to them), clipped to [0, 1]; {@code f} the share of known fields the memory has with exactly
 * that value. The score is {@code s} or {@code f} when only one is given, their mean {@code (s + f) / 2} with both;
 * a memory scoring 0 is not returned. A match carries the memory's fields and full embedding.
 *
 * <p><b>Spread run</b> (maximum as combiner). Layer by layer inside the space: layer 0 holds the query's seeds of the
 * space at 1 (or the starts, each in the layer of its {@code hopsUsed}); layer {@code h + 1} keeps, per memory of the
 * space, the best {@code a × weight × (1 − decay)} over edges from layer {@code h} that reaches the threshold. A
 * memory's activation is its best over the layers; seeds are not returned. Every edge out of the space from layer
 * {@code h} whose activation reaches the threshold is reported as a crossing with {@code h + 1} hops: all of them,
 * not only those no other crossing dominates. That is still exact for the maximum: a dominated crossing (no fewer
 * hops, no more activation than another to the same memory) can only reach what the dominating one reaches with at
 * least as much activation and as many hops left, so under the maximum it changes nothing, and the coordinator drops
 * it anyway; it only costs bytes. Nothing is pruned by the {@code limit}-th best either (an optimisation, not part of
 * the answer).
 *
 * <p><b>Spread step.</b> Exactly the contract: each given activation of a memory of the space comes back as a match
 * (seeds excepted), and with hops left flows over each out-edge into a crossing, local targets included; nothing is
 * combined, thresholded or pruned.
 *
 * <p><b>Imagine.</b> A seed fetch answers the query's seeds this engine holds in any space; a cue recall scores every
 * memory of the space but the seeds by the cosine with the coordinator's cue, confidence
 * {@link ImagineBlend#confidence}.
 *
 * <p><b>Deadline.</b> Every {@code checkEvery} memories visited the engine reads the deadline; once it has passed it
 * returns what it found so far with the share of the work done as {@code confidenceAdjustment}. Answers are best
 * first, ties by memory id, at most {@code limit} (but a spread step's). Immutable after construction, so
 * thread-safe.
 */
public final class HostEngine implements LocalQueryEngine {
    /** An edge to another memory, anywhere in the cluster, with a weight in [0, 1]. */
    public record Edge(MemoryId to, double weight) {
        public Edge {
            requireNonNull(to, "edge target is null");
            if (!(weight >= 0.0 && weight <= 1.0)) {
                throw new IllegalArgumentException("edge weight must be in [0, 1], got " + weight);
            }
        }
    }

    /** A memory as the host stores it. */
    public record Memory(
            MemoryId id,
            MemorySpaceId space,
            float[] embedding,
            String content,
            Map<String, String> fields,
            List<Edge> edges) {
        public Memory {
            requireNonNull(id, "id is null");
            requireNonNull(space, "space is null");
            embedding = requireNonNull(embedding, "embedding is null").clone();
            requireNonNull(content, "content is null");
            fields = Map.copyOf(requireNonNull(fields, "fields is null"));
            edges = List.copyOf(requireNonNull(edges, "edges is null"));
        }

        @Override
        public float[] embedding() {
            return embedding.clone();
        }
    }

    private final NodeId node;
    private final int dimensions;
    private final Ticker ticker;
    private final int checkEvery;
    private final Map<MemoryId, Memory> byId = new HashMap<>();
    private final Map<MemorySpaceId, List<Memory>> bySpace = new LinkedHashMap<>();

    /** An engine on the system clock reading the deadline every 64 memories. */
    public HostEngine(NodeId node, int dimensions, Collection<Memory> memories) {
        this(node, dimensions, memories, Ticker.system(), 64);
    }

    /**
     * @param node the node this engine answers as
     * @param dimensions every embedding's length
     * @param memories what it holds; a space is held when one of its memories is
     * @param ticker measures latency
     * @param checkEvery how many memories it visits between two reads of the deadline, at least 1
     */
    public HostEngine(NodeId node, int dimensions, Collection<Memory> memories, Ticker ticker, int checkEvery) {
        this.node = requireNonNull(node, "node is null");
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be at least 1, got " + dimensions);
        }
        this.dimensions = dimensions;
        this.ticker = requireNonNull(ticker, "ticker is null");
        if (checkEvery < 1) {
            throw new IllegalArgumentException("check interval must be at least 1, got " + checkEvery);
        }
        this.checkEvery = checkEvery;
        for (Memory memory : requireNonNull(memories, "memories is null")) {
            if (memory.embedding.length != dimensions) {
                throw new IllegalArgumentException("memory " + memory.id() + " has an embedding of "
                        + memory.embedding.length + " dimensions, expected " + dimensions);
            }
            if (byId.putIfAbsent(memory.id(), memory) != null) {
                throw new IllegalArgumentException("memory " + memory.id() + " is listed twice");
            }
            bySpace.computeIfAbsent(memory.space(), s -> new ArrayList<>()).add(memory);
        }
    }

    @Override
    public boolean holds(MemorySpaceId space) {
        return bySpace.containsKey(space);
    }

    @Override
    public Set<MemorySpaceId> localSpaces() {
        return Set.copyOf(bySpace.keySet());
    }

    @Override
    public PartialResult scan(PartitionRequest request, PartitionTask.Scan task) {
        long start = ticker.nanoTime();
        List<Memory> space = memoriesOf(request.space());
        List<Match> matches = new ArrayList<>();
        double done = task.query() instanceof RecallQuery recall
                ? recall(space, recall, request.deadline(), matches)
                : complete(space, (CompleteQuery) task.query(), request.deadline(), matches);
        return new PartialResult(
                request.space(), node, best(matches, task.query().limit()), done, since(start));
    }

    private double recall(List<Memory> space, RecallQuery query, Deadline deadline, List<Match> matches) {
        Optional<float[]> cue = query.cue()
                .embedding()
                .map(e -> e.requireDimensions("cue embedding", dimensions).toArray());
        Optional<String> needle = query.cue().content().map(c -> c.toLowerCase(Locale.ROOT));
        double min = query.minConfidence().value();
        for (int i = 0; i < space.size(); i++) {
            if (expired(i, deadline)) {
                return (double) i / space.size();
            }
            Memory memory = space.get(i);
            if (needle.isPresent() && !memory.content().toLowerCase(Locale.ROOT).contains(needle.get())) {
                continue;
            }
            if (cue.isEmpty()) {
                if (1.0 >= min) {
                    matches.add(Match.of(memory.id(), memory.space(), Confidence.CERTAIN, memory.content()));
                }
                continue;
            }
            double similarity = cosine(cue.get(), memory.embedding);
            Confidence confidence = Confidence.clipped(similarity);
            if (confidence.value() >= min) {
                matches.add(new Match(
                        memory.id(),
                        memory.space(),
                        confidence,
                        memory.content(),
                        OptionalDouble.empty(),
                        OptionalDouble.of(similarity),
                        Map.of(),
                        Optional.empty()));
            }
        }
        return 1.0;
    }

    private double complete(List<Memory> space, CompleteQuery query, Deadline deadline, List<Match> matches) {
        Optional<PartialEmbedding> partial =
                query.partialEmbedding().map(p -> p.requireDimensions("partial embedding", dimensions));
        Map<String, String> known = query.knownFields();
        for (int i = 0; i < space.size(); i++) {
            if (expired(i, deadline)) {
                return (double) i / space.size();
            }
            Memory memory = space.get(i);
            OptionalDouble similarity = OptionalDouble.empty();
            double s = 0.0;
            if (partial.isPresent()) {
                double restricted = restrictedCosine(partial.get(), memory.embedding);
                similarity = OptionalDouble.of(restricted);
                s = Math.max(0.0, restricted);
            }
            double f = 0.0;
            if (!known.isEmpty()) {
                int same = 0;
                for (Map.Entry<String, String> field : known.entrySet()) {
                    if (field.getValue().equals(memory.fields().get(field.getKey()))) {
                        same++;
                    }
                }
                f = (double) same / known.size();
            }
            double score = partial.isEmpty() ? f : known.isEmpty() ? s : (s + f) / 2.0;
            if (score > 0.0) {
                matches.add(new Match(
                        memory.id(),
                        memory.space(),
                        Confidence.clipped(score),
                        memory.content(),
                        OptionalDouble.empty(),
                        similarity,
                        memory.fields(),
                        Optional.of(Embedding.of(memory.embedding))));
            }
        }
        return 1.0;
    }

    @Override
    public PartialResult spreadRun(PartitionRequest request, PartitionTask.SpreadRun task) {
        long start = ticker.nanoTime();
        MemorySpaceId space = request.space();
        memoriesOf(space);
        SpreadQuery query = task.query();
        int maxHops = query.maxHops();
        double factor = 1.0 - query.decay();
        double threshold = query.threshold();
        List<Map<MemoryId, Double>> layers = new ArrayList<>(maxHops + 1);
        for (int h = 0; h <= maxHops; h++) {
            layers.add(new LinkedHashMap<>());
        }
        if (task.starts().isEmpty()) {
            for (MemoryId seed : query.seeds()) {
                if (inSpace(seed, space) != null) {
                    layers.get(0).put(seed, 1.0);
                }
            }
        } else {
            for (SpreadStart given : task.starts()) {
                // A start below the threshold does not flow; one with no hop left at all is outside the definition.
                if (inSpace(given.memory(), space) != null
                        && given.activation() >= threshold
                        && given.hopsUsed() <= maxHops) {
                    layers.get(given.hopsUsed()).merge(given.memory(), given.activation(), Math::max);
                }
            }
        }
        Map<MemoryId, Double> activation = new HashMap<>();
        List<SpreadCrossing> frontier = new ArrayList<>();
        double done = 1.0;
        int visited = 0;
        layers:
        for (int h = 0; h <= maxHops; h++) {
            Map<MemoryId, Double> layer = layers.get(h);
            int j = 0;
            for (Map.Entry<MemoryId, Double> entry : layer.entrySet()) {
                if (expired(visited++, request.deadline())) {
                    done = (h + (double) j / layer.size()) / (maxHops + 1);
                    break layers;
                }
                j++;
                double a = entry.getValue();
                activation.merge(entry.getKey(), a, Math::max);
                if (h == maxHops) {
                    continue;
                }
                for (Edge edge : byId.get(entry.getKey()).edges()) {
                    double flowing = a * edge.weight() * factor;
                    if (flowing < threshold) {
                        continue;
                    }
                    if (inSpace(edge.to(), space) != null) {
                        layers.get(h + 1).merge(edge.to(), flowing, Math::max);
                    } else {
                        frontier.add(new SpreadCrossing(edge.to(), spaceOf(edge.to()), flowing, h + 1));
                    }
                }
            }
        }
        query.seeds().forEach(activation::remove);
        List<Match> matches = new ArrayList<>(activation.size());
        activation.forEach((memory, a) -> matches.add(activated(byId.get(memory), a)));
        return new PartialResult(space, node, best(matches, query.limit()), done, since(start), frontier);
    }

    @Override
    public PartialResult spreadStep(PartitionRequest request, PartitionTask.SpreadStep task) {
        long start = ticker.nanoTime();
        MemorySpaceId space = request.space();
        memoriesOf(space);
        SpreadQuery query = task.query();
        double factor = 1.0 - query.decay();
        Set<MemoryId> seeds = new HashSet<>(query.seeds());
        List<SpreadStart> activations = task.activations();
        List<Match> matches = new ArrayList<>();
        List<SpreadCrossing> frontier = new ArrayList<>();
        double done = 1.0;
        for (int j = 0; j < activations.size(); j++) {
            if (expired(j, request.deadline())) {
                done = (double) j / activations.size();
                break;
            }
            SpreadStart given = activations.get(j);
            Memory memory = inSpace(given.memory(), space);
            if (memory == null) {
                continue;
            }
            if (!seeds.contains(memory.id())) {
                matches.add(activated(memory, given.activation()));
            }
            if (given.hopsUsed() >= query.maxHops()) {
                continue;
            }
            for (Edge edge : memory.edges()) {
                frontier.add(new SpreadCrossing(
                        edge.to(),
                        spaceOf(edge.to()),
                        given.activation() * edge.weight() * factor,
                        given.hopsUsed() + 1));
            }
        }
        return new PartialResult(space, node, matches, done, since(start), frontier);
    }

    @Override
    public PartialResult seedFetch(PartitionRequest request, PartitionTask.SeedFetch task) {
        long start = ticker.nanoTime();
        memoriesOf(request.space());
        List<SeedEmbedding> seeds = new ArrayList<>();
        for (MemoryId seed : task.query().seeds()) {
            Memory memory = byId.get(seed);
            if (memory != null) {
                seeds.add(new SeedEmbedding(seed, Embedding.of(memory.embedding)));
            }
        }
        return new PartialResult(request.space(), node, List.of(), 1.0, since(start), List.of(), seeds);
    }

    @Override
    public PartialResult cueRecall(PartitionRequest request, PartitionTask.CueRecall task) {
        long start = ticker.nanoTime();
        List<Memory> space = memoriesOf(request.space());
        ImagineQuery query = task.query();
        float[] cue = task.cue().requireDimensions("imagine cue", dimensions).toArray();
        Set<MemoryId> seeds = new HashSet<>(query.seeds());
        List<Match> matches = new ArrayList<>();
        double done = 1.0;
        for (int i = 0; i < space.size(); i++) {
            if (expired(i, request.deadline())) {
                done = (double) i / space.size();
                break;
            }
            Memory memory = space.get(i);
            if (seeds.contains(memory.id())) {
                continue;
            }
            double similarity = cosine(cue, memory.embedding);
            matches.add(new Match(
                    memory.id(),
                    memory.space(),
                    Confidence.of(ImagineBlend.confidence(similarity, query.novelty())),
                    memory.content(),
                    OptionalDouble.empty(),
                    OptionalDouble.of(similarity),
                    Map.of(),
                    Optional.empty()));
        }
        return new PartialResult(request.space(), node, best(matches, query.limit()), done, since(start));
    }

    private List<Memory> memoriesOf(MemorySpaceId space) {
        List<Memory> memories = bySpace.get(space);
        if (memories == null) {
            throw new IllegalArgumentException("space '" + space + "' is not held by the host engine of node " + node
                    + "; it holds " + bySpace.keySet());
        }
        return memories;
    }

    /** The memory when it is one of {@code space}'s, else null. */
    private Memory inSpace(MemoryId id, MemorySpaceId space) {
        Memory memory = byId.get(id);
        return memory != null && memory.space().equals(space) ? memory : null;
    }

    /** The space of a memory this engine holds; empty for one it does not (the coordinator finds it). */
    private Optional<MemorySpaceId> spaceOf(MemoryId id) {
        Memory memory = byId.get(id);
        return memory == null ? Optional.empty() : Optional.of(memory.space());
    }

    private boolean expired(int visited, Deadline deadline) {
        return visited % checkEvery == 0 && deadline.isExpired();
    }

    private Duration since(long startNanos) {
        return Duration.ofNanos(Math.max(0, ticker.nanoTime() - startNanos));
    }

    private static Match activated(Memory memory, double activation) {
        return new Match(
                memory.id(),
                memory.space(),
                Confidence.clipped(activation),
                memory.content(),
                OptionalDouble.of(activation),
                OptionalDouble.empty(),
                Map.of(),
                Optional.empty());
    }

    /** The best {@code limit} of {@code matches}: confidence descending, then memory id. */
    private static List<Match> best(List<Match> matches, int limit) {
        return matches.stream()
                .sorted(Comparator.comparing(Match::confidence).reversed().thenComparing(Match::memoryId))
                .limit(limit)
                .toList();
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int d = 0; d < a.length; d++) {
            dot += (double) a[d] * b[d];
            aa += (double) a[d] * a[d];
            bb += (double) b[d] * b[d];
        }
        return ratio(dot, aa, bb);
    }

    /** The cosine of the partial embedding with {@code embedding} restricted to the known dimensions. */
    private static double restrictedCosine(PartialEmbedding partial, float[] embedding) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int d = 0; d < embedding.length; d++) {
            if (partial.isKnown(d)) {
                dot += (double) partial.get(d) * embedding[d];
                aa += (double) partial.get(d) * partial.get(d);
                bb += (double) embedding[d] * embedding[d];
            }
        }
        return ratio(dot, aa, bb);
    }

    /** {@code dot / (√aa × √bb)} kept in [−1, 1] against rounding; 0 when either norm is 0. */
    private static double ratio(double dot, double aa, double bb) {
        if (aa == 0 || bb == 0) {
            return 0.0;
        }
        return Math.max(-1.0, Math.min(1.0, dot / (Math.sqrt(aa) * Math.sqrt(bb))));
    }
}
