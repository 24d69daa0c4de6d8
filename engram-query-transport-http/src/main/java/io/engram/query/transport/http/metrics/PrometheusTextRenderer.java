package io.engram.query.transport.http.metrics;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.engram.query.executor.metrics.BucketCounts;
import io.engram.query.executor.metrics.QueryMetrics;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Predicate;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders a Dropwizard registry in the Prometheus text format 0.0.4, with labels taken from metric names (see {@link
 * LabelledSampleBuilder}), plus the JVM and process collectors of {@code simpleclient_hotspot}. Metrics sharing a base
 * name are merged into one family, so each family has one {@code # TYPE} line; a Dropwizard counter whose name ends in
 * {@code _total} is exposed as a Prometheus counter. A metric that is also a {@link BucketCounts} (the executor's
 * latencies and sizes) is exposed as a Prometheus histogram with its own buckets, {@code _sum} and {@code _count},
 * instead of the Dropwizard summary. HELP texts are ours ({@link QueryMetrics#help()}), not Dropwizard's.
 */
public final class PrometheusTextRenderer {
    /** {@code text/plain; version=0.0.4; charset=utf-8}. */
    public static final String CONTENT_TYPE = TextFormat.CONTENT_TYPE_004;

    /**
     * simpleclient writes a counter's {@code _created} samples in the 0.0.4 text format as a gauge family of their own
     * ({@code jvm_memory_pool_allocated_bytes_created}): timestamps that only OpenMetrics gives a meaning. Left out.
     */
    private static final Predicate<String> NOT_CREATED = name -> !name.endsWith("_created");

    private static final MetricFilter NOT_BUCKETED = (name, metric) -> !(metric instanceof BucketCounts);

    private final MetricRegistry registry;
    private final DropwizardExports exports;
    private final Map<String, String> help;
    /** A registry of this renderer's own, not the static default one, so two nodes in a JVM do not collide. */
    private final CollectorRegistry jvm = new CollectorRegistry(true);

    public PrometheusTextRenderer(MetricRegistry registry) {
        this(registry, QueryMetrics.help());
    }

    /** With {@code help} the HELP text of each family, by family name. */
    public PrometheusTextRenderer(MetricRegistry registry, Map<String, String> help) {
        this.registry = requireNonNull(registry, "registry is null");
        this.help = Map.copyOf(requireNonNull(help, "help is null"));
        this.exports = new DropwizardExports(registry, NOT_BUCKETED, new LabelledSampleBuilder());
        DefaultExports.register(jvm);
    }

    public String render() {
        StringWriter out = new StringWriter();
        write(out);
        return out.toString();
    }

    public void write(Writer out) {
        List<MetricFamilySamples> families = new ArrayList<>();
        for (MetricFamilySamples family : exports.collect()) {
            Collector.Type type = family.type;
            if (type == Collector.Type.GAUGE && family.name.endsWith("_total")) {
                type = Collector.Type.COUNTER;
            }
            families.add(new MetricFamilySamples(family.name, type, help(family.name), family.samples));
        }
        families.addAll(histograms());
        for (MetricFamilySamples family : Collections.list(jvm.metricFamilySamples())) {
            MetricFamilySamples kept = family.filter(NOT_CREATED);
            if (kept != null) {
                families.add(kept);
            }
        }
        families.sort((a, b) -> a.name.compareTo(b.name));
        try {
            TextFormat.write004(out, Collections.enumeration(families));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<MetricFamilySamples> histograms() {
        SortedMap<String, Metric> bucketed = new TreeMap<>();
        MetricFilter only = (name, metric) -> metric instanceof BucketCounts;
        bucketed.putAll(registry.getTimers(only));
        bucketed.putAll(registry.getHistograms(only));
        Map<String, List<Sample>> byFamily = new LinkedHashMap<>();
        for (Map.Entry<String, Metric> entry : bucketed.entrySet()) {
            LabelledSampleBuilder.ParsedName parsed = LabelledSampleBuilder.ParsedName.parse(entry.getKey());
            String base = Collector.sanitizeMetricName(parsed.base());
            BucketCounts metric = (BucketCounts) entry.getValue();
            List<Double> bounds = metric.buckets().upperBounds();
            long[] cumulative = metric.cumulativeCounts();
            List<Sample> samples = byFamily.computeIfAbsent(base, b -> new ArrayList<>());
            List<String> leNames = new ArrayList<>(parsed.labelNames());
            leNames.add("le");
            for (int i = 0; i <= bounds.size(); i++) {
                List<String> leValues = new ArrayList<>(parsed.labelValues());
                leValues.add(i < bounds.size() ? le(bounds.get(i)) : "+Inf");
                samples.add(new Sample(base + "_bucket", leNames, leValues, cumulative[i]));
            }
            // _count from the same read as the buckets, so that it always equals the +Inf bucket
            samples.add(
                    new Sample(base + "_count", parsed.labelNames(), parsed.labelValues(), cumulative[bounds.size()]));
            samples.add(new Sample(base + "_sum", parsed.labelNames(), parsed.labelValues(), metric.sum()));
        }
        List<MetricFamilySamples> families = new ArrayList<>();
        byFamily.forEach((name, samples) ->
                families.add(new MetricFamilySamples(name, Collector.Type.HISTOGRAM, help(name), samples)));
        return families;
    }

    /**
     * A bucket bound as Java prints it ({@code 0.005}, {@code 1.0}), but without an exponent: {@code 0.0001}, not
     * {@code 1.0E-4}, so the label reads as the number it is.
     */
    static String le(double bound) {
        String text = Collector.doubleToGoString(bound);
        return text.contains("E")
                ? BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString()
                : text;
    }

    private String help(String family) {
        String text = help.get(family);
        return text != null ? text : family.replace('_', ' ');
    }
}
