package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * How much of the data a query was meant to read actually answered.
 *
 * @param expectedPartitions the partitions the plan expected
 * @param respondingPartitions the partitions that answered
 * @param ratio {@code Σ confidenceAdjustment of responding partitions / expected partitions}, in [0, 1]; 1 when
 *     nothing was expected
 * @param missing every partition that did not answer, with the reason
 */
public record Coverage(int expectedPartitions, int respondingPartitions, double ratio, List<MissingPartition> missing) {
    public Coverage {
        if (expectedPartitions < 0) {
            throw new IllegalArgumentException("expected partitions must be >= 0, got " + expectedPartitions);
        }
        if (respondingPartitions < 0 || respondingPartitions > expectedPartitions) {
            throw new IllegalArgumentException(
                    "responding partitions must be in [0, " + expectedPartitions + "], got " + respondingPartitions);
        }
        Query.checkRange("coverage ratio", ratio, 0.0, 1.0);
        if (expectedPartitions == 0 && ratio != 1.0) {
            throw new IllegalArgumentException("coverage ratio must be 1 when no partition is expected, got " + ratio);
        }
        // Each responding partition adds at most 1 to the sum; the tolerance absorbs rounding of a caller's sum.
        if (expectedPartitions > 0 && ratio > (double) respondingPartitions / expectedPartitions + 1e-9) {
            throw new IllegalArgumentException("coverage ratio must be at most responding / expected ("
                    + respondingPartitions + "/" + expectedPartitions + "), got " + ratio);
        }
        missing = List.copyOf(requireNonNull(missing, "missing is null"));
        if (respondingPartitions + missing.size() != expectedPartitions) {
            throw new IllegalArgumentException("responding (" + respondingPartitions + ") and missing ("
                    + missing.size() + ") partitions must add up to expected (" + expectedPartitions + ")");
        }
    }

    /** Full coverage of {@code partitions} partitions. */
    public static Coverage complete(int partitions) {
        return new Coverage(partitions, partitions, 1.0, List.of());
    }

    public boolean isComplete() {
        return missing.isEmpty() && ratio == 1.0;
    }

    public long timedOut() {
        return count(MissingReason.TIMEOUT);
    }

    /** Partitions lost to failures of any other kind than a timeout. */
    public long failed() {
        return missing.size() - timedOut();
    }

    public long count(MissingReason reason) {
        return missing.stream().filter(m -> m.reason() == reason).count();
    }
}
