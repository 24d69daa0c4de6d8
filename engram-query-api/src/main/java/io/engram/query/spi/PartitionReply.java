package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * What a node answered for one partition of a {@link NodeRequest}: its partial result, or why that partition failed
 * while the node answered the others.
 *
 * @param space the partition's space
 * @param result the partial result, when the partition answered
 * @param failure why it did not, when it did not (exactly one of the two is present)
 */
public record PartitionReply(
        MemorySpaceId space, Optional<PartialResult> result, Optional<TransportException> failure) {
    public PartitionReply {
        requireNonNull(space, "space is null");
        requireNonNull(result, "result is null");
        requireNonNull(failure, "failure is null");
        if (result.isPresent() == failure.isPresent()) {
            throw new IllegalArgumentException("a partition reply carries a result or a failure, not both or neither");
        }
        if (result.isPresent() && !result.get().space().equals(space)) {
            throw new IllegalArgumentException("reply for space '" + space + "' carries a result of space '"
                    + result.get().space() + "'");
        }
    }

    public static PartitionReply answered(PartialResult result) {
        return new PartitionReply(
                requireNonNull(result, "result is null").space(), Optional.of(result), Optional.empty());
    }

    public static PartitionReply failed(MemorySpaceId space, TransportException failure) {
        return new PartitionReply(space, Optional.empty(), Optional.of(requireNonNull(failure, "failure is null")));
    }

    /**
     * Runs each partition of {@code request} with {@code run} and gathers one reply per partition, in order: a
     * partition whose future failed is a failed reply (a {@link TransportException} as it came, anything else as a
     * non-retryable {@code FAILED}). For a transport or handler that has no single exchange for a node request.
     * Cancelling the returned future cancels every partition.
     */
    public static CompletableFuture<List<PartitionReply>> gather(
            NodeRequest request, Function<PartitionRequest, CompletableFuture<PartialResult>> run) {
        requireNonNull(request, "request is null");
        requireNonNull(run, "run is null");
        List<CompletableFuture<PartialResult>> started =
                new ArrayList<>(request.partitions().size());
        List<CompletableFuture<PartitionReply>> calls =
                new ArrayList<>(request.partitions().size());
        for (PartitionRequest partition : request.partitions()) {
            CompletableFuture<PartialResult> call = run.apply(partition);
            started.add(call);
            calls.add(call.handle((result, failure) -> {
                if (failure == null) {
                    return answered(result);
                }
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                if (cause instanceof CancellationException cancelled) {
                    throw cancelled;
                }
                return failed(
                        partition.space(),
                        cause instanceof TransportException te
                                ? te
                                : TransportException.failed(String.valueOf(cause.getMessage()), false));
            }));
        }
        CompletableFuture<List<PartitionReply>> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(done -> calls.stream().map(CompletableFuture::join).toList());
        all.whenComplete((replies, failure) -> {
            if (all.isCancelled()) {
                started.forEach(call -> call.cancel(true));
            }
        });
        return all;
    }

    /**
     * The replies {@code node} sent for {@code request}, checked against what was asked: one per partition, same
     * spaces, same order. Otherwise the whole exchange failed: a non-retryable {@code FAILED} naming the difference.
     */
    public static List<PartitionReply> checked(NodeId node, NodeRequest request, List<PartitionReply> replies) {
        List<PartitionRequest> asked = request.partitions();
        if (replies.size() != asked.size()) {
            throw TransportException.failed(
                    node + " answered " + replies.size() + " partitions, asked for " + asked.size() + " ("
                            + request.describeSpaces() + ")",
                    false);
        }
        for (int i = 0; i < asked.size(); i++) {
            MemorySpaceId space = replies.get(i).space();
            if (!space.equals(asked.get(i).space())) {
                throw TransportException.failed(
                        node + " answered for space '" + space + "' at partitions[" + i + "], asked for '"
                                + asked.get(i).space() + "'",
                        false);
            }
        }
        return replies;
    }
}
