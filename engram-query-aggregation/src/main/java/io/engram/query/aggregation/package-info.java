/**
 * Partial-result aggregation: the {@link io.engram.query.aggregation.Aggregator} that merges what partitions answer,
 * the coverage penalty that lowers confidence instead of failing, and the plugin registering the built-in merge and
 * consistency policies.
 */
package io.engram.query.aggregation;
