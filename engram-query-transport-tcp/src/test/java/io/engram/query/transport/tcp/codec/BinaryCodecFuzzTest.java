package io.engram.query.transport.tcp.codec;

import static io.engram.query.transport.tcp.codec.SampleNodeMessages.DEADLINE;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.encode;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.Embedding;
import io.engram.query.api.Query;
import io.engram.query.api.RecallQuery;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionTask;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of valid payloads: each decode returns a valid value or throws a {@link CodecException}, nothing
 * else. {@code -Dengram.codec.fuzz.cases=N} (per message kind, default 10,000) and {@code -Dengram.codec.fuzz.seed=S}
 * run more or other cases; a failure names the seed and case to run it again.
 */
class BinaryCodecFuzzTest {
    private static final int CASES = Integer.getInteger("engram.codec.fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("engram.codec.fuzz.seed", 20L);

    /** A small string limit, so that a mutated length past it is also seen, besides one past the buffer. */
    private final BinaryCodec codec = new BinaryCodec(new CodecLimits(4096, 4096, 4096, java.util.Optional.empty()));

    private static List<byte[]> requestCorpus(BinaryCodec codec) {
        List<NodeRequest> requests = new ArrayList<>();
        requests.add(SampleNodeMessages.everyKind());
        requests.add(SampleNodeMessages.oneSeedSpreadRequest());
        for (Query query : SampleNodeMessages.everyQuery()) {
            if (query instanceof RecallQuery recall
                    && recall.cue().embedding().map(Embedding::dimensions).orElse(0) > 16) {
                continue; // most mutations would land in the floats
            }
            PartitionTask task = query instanceof io.engram.query.api.ImagineQuery imagine
                    ? new PartitionTask.CueRecall(imagine, Embedding.of(1f, 0f, -1f))
                    : PartitionTask.of(query);
            requests.add(SampleNodeMessages.request("q-" + requests.size(), requests.size(), List.of(task)));
        }
        return requests.stream().map(r -> encode(codec, r)).toList();
    }

    private static List<byte[]> replyCorpus(BinaryCodec codec) {
        List<PartitionReply> every = SampleNodeMessages.everyReply();
        List<byte[]> corpus = new ArrayList<>();
        corpus.add(encode(codec, every));
        for (PartitionReply reply : every) {
            corpus.add(encode(codec, List.of(reply)));
        }
        corpus.add(encode(codec, List.of()));
        return corpus;
    }

    @Test
    void mutatedNodeRequestsDecodeOrFailWithACodecException() {
        Outcomes outcomes = fuzz(requestCorpus(codec), SEED, bytes -> {
            NodeRequest read = codec.readNodeRequest(Unpooled.wrappedBuffer(bytes), DEADLINE);
            // what was accepted is a valid request, and writes and reads back the same
            NodeRequest again = codec.readNodeRequest(Unpooled.wrappedBuffer(encode(codec, read)), DEADLINE);
            assertThat(view(again)).isEqualTo(view(read));
            return read;
        });
        assertThat(outcomes.refused).isPositive();
        assertThat(outcomes.accepted).isPositive();
    }

    @Test
    void mutatedRepliesDecodeOrFailWithACodecException() {
        Outcomes outcomes = fuzz(replyCorpus(codec), SEED + 1, bytes -> {
            List<PartitionReply> read = codec.readReplies(Unpooled.wrappedBuffer(bytes));
            List<PartitionReply> again = codec.readReplies(Unpooled.wrappedBuffer(encode(codec, read)));
            assertThat(view(again)).isEqualTo(view(read));
            return read;
        });
        assertThat(outcomes.refused).isPositive();
        assertThat(outcomes.accepted).isPositive();
    }

    private static final class Outcomes {
        int accepted;
        int refused;
    }

    private static Outcomes fuzz(List<byte[]> corpus, long seed, Function<byte[], Object> decode) {
        Random random = new Random(seed);
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < CASES; i++) {
            byte[] base = corpus.get(random.nextInt(corpus.size()));
            byte[] mutated = base;
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                mutated = mutate(mutated, random);
            }
            try {
                decode.apply(mutated);
                outcomes.accepted++;
            } catch (CodecException e) {
                assertThat(e.getMessage()).isNotBlank();
                outcomes.refused++;
            } catch (Throwable t) {
                throw new AssertionError(
                        "case " + i + " of seed " + seed + " threw " + t + " for " + ByteBufUtil.hexDump(mutated), t);
            }
        }
        return outcomes;
    }

    /** One random edit: flip, set, truncate, insert, duplicate, delete, swap, or write a huge var-int. */
    static byte[] mutate(byte[] bytes, Random random) {
        int n = bytes.length;
        int at = n == 0 ? 0 : random.nextInt(n);
        switch (random.nextInt(8)) {
            case 0 -> {
                if (n > 0) {
                    byte[] copy = bytes.clone();
                    copy[at] ^= (byte) (1 << random.nextInt(8));
                    return copy;
                }
                return bytes;
            }
            case 1 -> {
                if (n > 0) {
                    byte[] copy = bytes.clone();
                    int[] interesting = {0, 1, 2, 0x7F, 0x80, 0xFF, random.nextInt(256)};
                    copy[at] = (byte) interesting[random.nextInt(interesting.length)];
                    return copy;
                }
                return bytes;
            }
            case 2 -> {
                return Arrays.copyOf(bytes, n == 0 ? 0 : random.nextInt(n));
            }
            case 3 -> {
                byte[] inserted = new byte[1 + random.nextInt(8)];
                random.nextBytes(inserted);
                return splice(bytes, at, at, inserted);
            }
            case 4 -> {
                int from = n == 0 ? 0 : random.nextInt(n);
                int to = Math.min(n, from + 1 + random.nextInt(32));
                return splice(bytes, at, at, Arrays.copyOfRange(bytes, from, to));
            }
            case 5 -> {
                int to = Math.min(n, at + 1 + random.nextInt(16));
                return splice(bytes, at, to, new byte[0]);
            }
            case 6 -> {
                if (n > 1) {
                    byte[] copy = bytes.clone();
                    int other = random.nextInt(n);
                    byte b = copy[at];
                    copy[at] = copy[other];
                    copy[other] = b;
                    return copy;
                }
                return bytes;
            }
            default -> {
                byte[][] huge = {
                    {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07},
                    {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
                    {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01},
                    {(byte) 0xC0, (byte) 0x84, 0x3D}
                };
                byte[] value = huge[random.nextInt(huge.length)];
                // overwrite a var-int-sized span, or insert
                int to = random.nextBoolean() ? Math.min(n, at + 1) : at;
                return splice(bytes, at, to, value);
            }
        }
    }

    private static byte[] splice(byte[] bytes, int from, int to, byte[] insert) {
        byte[] out = new byte[bytes.length - (to - from) + insert.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
        return out;
    }
}
