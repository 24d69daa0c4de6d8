package io.engram.query.spi;

import java.util.List;

/**
 * The one entry point of an Engram Query plugin. List the implementing class in
 * {@code META-INF/services/io.engram.query.spi.QueryPlugin} (or bind an instance with a Guice {@code Multibinder}) and
 * override only the methods for what the plugin brings; the rest return empty lists. The built-in strategies and
 * policies are registered through this same entry point.
 *
 * <p>Names are global per kind: registering a second merge policy named {@code max} fails at start with a message
 * naming both classes.
 */
public interface QueryPlugin {
    default List<PlanningStrategy> planningStrategies() {
        return List.of();
    }

    default List<MergePolicy> mergePolicies() {
        return List.of();
    }

    default List<ConsistencyPolicy> consistencyPolicies() {
        return List.of();
    }

    default List<TransportFactory> transportFactories() {
        return List.of();
    }
}
