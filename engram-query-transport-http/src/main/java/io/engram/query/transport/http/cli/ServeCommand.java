package io.engram.query.transport.http.cli;

import io.engram.query.executor.config.ConfigException;
import io.engram.query.transport.http.node.EngramNode;
import io.engram.query.transport.http.node.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve --config FILE}: runs a node until SIGTERM, then stops gracefully and exits 0. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start a node from a TOML configuration.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the node's TOML configuration")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        NodeConfig nodeConfig;
        try {
            nodeConfig = NodeConfig.load(config);
        } catch (ConfigException e) {
            err.println("engram-query: " + config + ": " + e.getMessage().replace("\n", " "));
            return EngramQueryCli.USAGE;
        }
        EngramNode node;
        try {
            node = EngramNode.start(nodeConfig);
        } catch (RuntimeException e) {
            List<String> problems = StartupFailure.problems(e);
            if (problems.size() == 1) {
                err.println("engram-query: node " + nodeConfig.nodeId() + " did not start: " + problems.get(0));
            } else {
                err.println("engram-query: node " + nodeConfig.nodeId() + " did not start:");
                problems.forEach(p -> err.println("  " + p));
            }
            return EngramQueryCli.USAGE;
        }
        spec.commandLine()
                .getOut()
                .println("node " + node.nodeId() + " ready at " + node.url() + ", holding " + node.heldSpaces());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            node.close();
                            stopped.countDown();
                            // A node told to stop that stopped cleanly exits 0, not the JVM's 143 for SIGTERM.
                            Runtime.getRuntime().halt(EngramQueryCli.OK);
                        },
                        "engram-query-shutdown"));
        stopped.await();
        return EngramQueryCli.OK;
    }
}
