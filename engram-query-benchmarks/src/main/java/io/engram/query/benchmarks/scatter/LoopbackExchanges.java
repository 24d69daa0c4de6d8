package io.engram.query.benchmarks.scatter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The floor under a distributed spread on this machine: bare HTTP/1.1 exchanges on loopback, in the rounds a spread
 * makes, with nothing else. Four Jetty servers in this JVM (as {@link Deployment#distributed}'s four data nodes are)
 * read a {@value #REQUEST_BYTES}-byte body and answer {@value #ANSWER_BYTES} bytes; one Jetty client, with
 * keep-alive connections and answers completed on its I/O thread as the product's {@code HttpTransport} does, sends
 * each round's exchanges at once and waits for all of them before the next round. No codec, no engine, no executor:
 * whatever a distributed spread costs beyond this is ours to cut, and what this costs is not.
 */
final class LoopbackExchanges implements LoopbackRounds {
    static final int REQUEST_BYTES = 200;
    static final int ANSWER_BYTES = 64;

    private final List<Server> servers = new ArrayList<>();
    private final List<String> urls = new ArrayList<>();
    private final HttpClient client;
    private final int[] callsPerRound;
    private final byte[] request = new byte[REQUEST_BYTES];

    /** Starts the servers and the client; {@code callsPerRound[r]} exchanges run at once in round {@code r}. */
    LoopbackExchanges(int[] callsPerRound) {
        this.callsPerRound = callsPerRound.clone();
        int width = width(callsPerRound);
        byte[] answer = new byte[ANSWER_BYTES];
        try {
            for (int i = 0; i < width; i++) {
                startServer(answer);
            }
            ClientConnector connector = new ClientConnector();
            HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
            transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
            client = new HttpClient(transport);
            client.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("could not start the loopback servers: " + e.getMessage(), e);
        }
    }

    private void startServer(byte[] answer) throws Exception {
        Server server = new Server(new QueuedThreadPool());
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.consumeAll(
                        request,
                        Callback.from(() -> response.write(true, ByteBuffer.wrap(answer), callback), callback::failed));
                return true;
            }
        });
        server.start();
        servers.add(server);
        urls.add("http://127.0.0.1:" + connector.getLocalPort() + "/internal/v1/partition-query");
    }

    @Override
    public long runRounds() {
        return runRounds(callsPerRound, server -> exchange(urls.get(server)));
    }

    /**
     * Runs {@code callsPerRound} one round after another, calling {@code exchange} with servers {@code 0 .. calls - 1}
     * at once in each and waiting for every answer; returns the answer bytes received.
     */
    static long runRounds(int[] callsPerRound, IntFunction<CompletableFuture<byte[]>> exchange) {
        long received = 0;
        for (int calls : callsPerRound) {
            List<CompletableFuture<byte[]>> answers = new ArrayList<>(calls);
            for (int i = 0; i < calls; i++) {
                answers.add(exchange.apply(i));
            }
            for (CompletableFuture<byte[]> answer : answers) {
                received += answer.join().length;
            }
        }
        return received;
    }

    /** The most calls of any round (the servers needed); fails for a round without calls. */
    static int width(int[] callsPerRound) {
        int width = 0;
        for (int calls : callsPerRound) {
            if (calls < 1) {
                throw new IllegalArgumentException("every round needs at least one call, got " + calls);
            }
            width = Math.max(width, calls);
        }
        return width;
    }

    private CompletableFuture<byte[]> exchange(String url) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        client.POST(url).body(new BytesRequestContent(request)).send(new BufferingResponseListener() {
            @Override
            public void onComplete(Result result) {
                if (result.isFailed()) {
                    answer.completeExceptionally(result.getFailure());
                } else if (result.getResponse().getStatus() != 200) {
                    answer.completeExceptionally(new IllegalStateException(
                            "status " + result.getResponse().getStatus()));
                } else {
                    answer.complete(getContent());
                }
            }
        });
        return answer;
    }

    @Override
    public void close() {
        List<LifeCycle> all = new ArrayList<>(servers);
        if (client != null) {
            all.add(client);
        }
        for (LifeCycle component : all) {
            try {
                component.stop();
            } catch (Exception e) {
                // closing: nothing more to do
            }
        }
    }
}
