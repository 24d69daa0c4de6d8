package io.engram.query.transport.http.node;

import io.engram.query.spi.QueryPlugin;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin on the test class path (through {@code META-INF/services}) that brings nothing and counts its instances,
 * so a test can show a node searches the class path once. The count is read as a difference around the code under
 * test; test classes run one at a time.
 */
public final class CountingPlugin implements QueryPlugin {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    public CountingPlugin() {
        INSTANCES.incrementAndGet();
    }

    static int instances() {
        return INSTANCES.get();
    }
}
