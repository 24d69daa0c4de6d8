package io.engram.query.executor.spread;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.SpreadQuery;
import io.engram.query.executor.engine.Edge;
import io.engram.query.executor.engine.Memory;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;

/**
 * Graphs for the spread tests: random ones and their placement on nodes, small hand-built stores, and the spread's
 * activations computed straight from DESIGN.md's definition.
 */
public final class SpreadGraphs {
    private SpreadGraphs() {}

    /** A store of {@code memories} (2 dimensions). */
    static MemoryStore store(Memory... memories) {
        MemoryStore.Builder builder = MemoryStore.builder(2);
        for (Memory memory : memories) {
            builder.add(memory);
        }
        return builder.build();
    }

    /** A memory of the space its id names ({@link SyntheticDataGenerator#spaceOf}), with {@code edges}. */
    static Memory memory(String id, Edge... edges) {
        MemoryId memoryId = MemoryId.of(id);
        return new Memory(
                memoryId,
                SyntheticDataGenerator.spaceOf(memoryId).orElseThrow(),
                Embedding.of(1, 0),
                "memory " + id,
                Confidence.HIGH,
                Map.of(),
                List.of(edges));
    }

    /**
     * The spread straight from its definition over a whole graph: layer 0 the seeds at 1; layer h combines, per
     * memory, {@code a(u) × weight × (1 − decay)} over its in-edges from layer h − 1 (in ascending order) and keeps it
     * when at least the threshold; a memory's activation combines its layers 1..max hops; seeds are left out.
     *
     * @param outEdges each memory's out-edges as (target, weight), parallel edges apart; only edges to memories of
     *     the graph
     */
    public static Map<MemoryId, Double> definition(
            SpreadQuery query,
            DoubleBinaryOperator combine,
            Function<MemoryId, List<Map.Entry<MemoryId, Double>>> outEdges) {
        Map<MemoryId, Double> layer = new HashMap<>();
        query.seeds().forEach(seed -> layer.put(seed, 1.0));
        Map<MemoryId, Double> total = new HashMap<>();
        for (int h = 1; h <= query.maxHops(); h++) {
            Map<MemoryId, List<Double>> contributions = new HashMap<>();
            layer.forEach((memory, a) -> outEdges.apply(memory)
                    .forEach(edge -> contributions
                            .computeIfAbsent(edge.getKey(), t -> new ArrayList<>())
                            .add(a * edge.getValue() * (1 - query.decay()))));
            layer.clear();
            contributions.forEach((memory, values) -> {
                double value = values.stream()
                        .mapToDouble(Double::doubleValue)
                        .sorted()
                        .reduce(combine)
                        .orElseThrow();
                if (value >= query.threshold()) {
                    layer.put(memory, value);
                    total.merge(memory, value, combine::applyAsDouble);
                }
            });
        }
        query.seeds().forEach(total::remove);
        return total;
    }

    /**
     * Random spaces s1..sK ({@code minSpaces ≤ K ≤ maxSpaces}) of memories s<k>-m<i>, edges within and across spaces
     * with random weights.
     */
    static List<Memory> randomGraph(SplittableRandom random, int minSpaces, int maxSpaces) {
        int spaceCount = minSpaces + random.nextInt(maxSpaces - minSpaces + 1);
        int[] sizes = new int[spaceCount + 1];
        for (int s = 1; s <= spaceCount; s++) {
            sizes[s] = 3 + random.nextInt(23);
        }
        double cross = 0.1 + 0.5 * random.nextDouble();
        List<Memory> memories = new ArrayList<>();
        for (int s = 1; s <= spaceCount; s++) {
            MemorySpaceId space = SyntheticDataGenerator.spaceName(s);
            for (int i = 0; i < sizes[s]; i++) {
                List<Edge> edges = new ArrayList<>();
                for (int e = random.nextInt(5); e > 0; e--) {
                    int target = s;
                    if (random.nextDouble() < cross) {
                        target = 1 + random.nextInt(spaceCount - 1);
                        target = target >= s ? target + 1 : target;
                    }
                    MemoryId to = SyntheticDataGenerator.memoryId(
                            SyntheticDataGenerator.spaceName(target), random.nextInt(sizes[target]));
                    double weight = random.nextInt(6) == 0 ? 1.0 : 1.0 - random.nextDouble();
                    edges.add(new Edge(to, weight));
                }
                memories.add(new Memory(
                        SyntheticDataGenerator.memoryId(space, i),
                        space,
                        Embedding.of(1, 0),
                        "memory " + i,
                        Confidence.HIGH,
                        Map.of(),
                        edges));
            }
        }
        return memories;
    }

    /** Places each space on one of {@code nodes} nodes at random; the first node coordinates. */
    static Map<NodeId, MemoryStore> spreadOver(List<Memory> memories, int nodes, SplittableRandom random) {
        Map<MemorySpaceId, Integer> placement = new HashMap<>();
        Map<NodeId, MemoryStore.Builder> builders = new LinkedHashMap<>();
        for (int n = 1; n <= nodes; n++) {
            builders.put(NodeId.of("n" + n), MemoryStore.builder(2));
        }
        for (Memory memory : memories) {
            int node = placement.computeIfAbsent(memory.space(), s -> 1 + random.nextInt(nodes));
            builders.get(NodeId.of("n" + node)).add(memory);
        }
        Map<NodeId, MemoryStore> stores = new LinkedHashMap<>();
        builders.forEach((node, builder) -> stores.put(node, builder.build()));
        return stores;
    }
}
