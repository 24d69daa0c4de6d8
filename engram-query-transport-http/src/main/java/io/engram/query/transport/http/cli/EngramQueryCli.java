package io.engram.query.transport.http.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code engram-query} command: {@code serve}, {@code query}, {@code stats} and {@code demo}. Exit codes: 0
 * success, 1 the query failed (or a node could not be reached), 2 usage or configuration error. Errors go to stderr
 * in one line.
 */
@Command(
        name = "engram-query",
        mixinStandardHelpOptions = true,
        version = "engram-query 0.1.0",
        description = "Distributed query layer for the Engram memory graph.",
        subcommands = {ServeCommand.class, QueryCommand.class, StatsCommand.class, DemoCommand.class})
public final class EngramQueryCli implements Runnable {
    public static final int OK = 0;
    public static final int QUERY_FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a command is required: serve, query, stats or demo");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns its exit code; for tests and {@link #main}. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new EngramQueryCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : QUERY_FAILED);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("engram-query: " + e.getMessage());
            err.println("Try 'engram-query --help'.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("engram-query: " + oneLine(e));
            return e instanceof NodeClient.UsageException ? USAGE : QUERY_FAILED;
        });
        return cli.execute(args);
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message);
    }
}
