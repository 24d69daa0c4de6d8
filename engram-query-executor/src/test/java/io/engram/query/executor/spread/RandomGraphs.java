package io.engram.query.executor.spread;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
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

/** Random graphs for the spread property tests, and their placement on nodes. */
final class RandomGraphs {
    private RandomGraphs() {}

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
