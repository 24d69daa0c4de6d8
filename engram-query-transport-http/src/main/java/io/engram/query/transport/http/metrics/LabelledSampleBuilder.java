package io.engram.query.transport.http.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.dropwizard.samplebuilder.SampleBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Dropwizard metric names of the form {@code base{key=value,key2=value2}} into a Prometheus metric {@code base}
 * with labels, so the executor can register {@code engram_query_scatter_count{strategy=broadcast}} and scrapers see
 * {@code engram_query_scatter_count{strategy="broadcast"}}. Names and label names are sanitised to what Prometheus
 * accepts; a name without braces has no labels. A meter whose name already ends in {@code _total} does not get a
 * second {@code _total}.
 */
public final class LabelledSampleBuilder implements SampleBuilder {
    @Override
    public Sample createSample(
            String dropwizardName,
            String nameSuffix,
            List<String> additionalLabelNames,
            List<String> additionalLabelValues,
            double value) {
        ParsedName parsed = ParsedName.parse(dropwizardName);
        String suffix = nameSuffix == null ? "" : nameSuffix;
        if (suffix.equals("_total") && parsed.base().endsWith("_total")) {
            suffix = "";
        }
        List<String> names = new ArrayList<>(parsed.labelNames());
        List<String> values = new ArrayList<>(parsed.labelValues());
        for (int i = 0; i < additionalLabelNames.size(); i++) {
            if (!names.contains(additionalLabelNames.get(i))) {
                names.add(additionalLabelNames.get(i));
                values.add(additionalLabelValues.get(i));
            }
        }
        return new Sample(Collector.sanitizeMetricName(parsed.base() + suffix), names, values, value);
    }

    /** A Dropwizard name split into its base and labels. */
    record ParsedName(String base, List<String> labelNames, List<String> labelValues) {
        static ParsedName parse(String name) {
            int open = name.indexOf('{');
            if (open <= 0 || !name.endsWith("}")) {
                return new ParsedName(name, List.of(), List.of());
            }
            List<String> names = new ArrayList<>();
            List<String> values = new ArrayList<>();
            String body = name.substring(open + 1, name.length() - 1);
            for (String pair : body.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                String label = sanitizeLabelName(key.trim());
                if (!names.contains(label)) {
                    names.add(label);
                    values.add(unquote(value.trim()));
                }
            }
            return new ParsedName(name.substring(0, open), List.copyOf(names), List.copyOf(values));
        }

        private static String unquote(String value) {
            return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                    ? value.substring(1, value.length() - 1)
                    : value;
        }

        private static String sanitizeLabelName(String key) {
            String clean = key.replaceAll("[^a-zA-Z0-9_]", "_");
            if (clean.isEmpty() || Character.isDigit(clean.charAt(0))) {
                clean = "_" + clean;
            }
            // names starting with __ are reserved for Prometheus itself
            while (clean.startsWith("__")) {
                clean = clean.substring(1);
            }
            return clean;
        }
    }
}
