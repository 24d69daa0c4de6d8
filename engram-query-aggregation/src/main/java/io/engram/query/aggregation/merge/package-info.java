/** Merge policies: how matches of the same memory from different partitions combine, and their base confidence. */
package io.engram.query.aggregation.merge;
