package io.engram.query.benchmarks.report;

import static java.util.Objects.requireNonNull;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Small multiples drawn with {@code java.awt} and written as a PNG with {@code javax.imageio} (no plotting library):
 * one panel per cost, each with both axes logarithmic and one line per series. Runs headless
 * ({@code -Djava.awt.headless=true}; set here when unset).
 */
final class LogLogChart {
    private static final int PANEL_WIDTH = 480;
    private static final int PANEL_HEIGHT = 340;
    private static final int COLUMNS = 2;
    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e)
    };

    /** One line: {@code x} and {@code y} of equal length, positive (points that are not are left out). */
    record Series(String label, double[] x, double[] y) {
        Series {
            requireNonNull(label, "label is null");
            x = x.clone();
            y = y.clone();
            if (x.length != y.length) {
                throw new IllegalArgumentException(
                        "x and y must have as many points, got " + x.length + " and " + y.length);
            }
        }
    }

    /** One panel: a title, the axes' names and its lines. */
    record Panel(String title, String xLabel, String yLabel, List<Series> series) {
        Panel {
            requireNonNull(title, "title is null");
            requireNonNull(xLabel, "x label is null");
            requireNonNull(yLabel, "y label is null");
            series = List.copyOf(series);
        }
    }

    private LogLogChart() {}

    /** Draws {@code panels} two per row under {@code heading} and writes them to {@code png}. */
    static void write(Path png, String heading, List<Panel> panels) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int rows = (panels.size() + COLUMNS - 1) / COLUMNS;
        int top = 36;
        BufferedImage image =
                new BufferedImage(PANEL_WIDTH * COLUMNS, top + PANEL_HEIGHT * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(heading, 12, 24);
            for (int i = 0; i < panels.size(); i++) {
                drawPanel(g, panels.get(i), (i % COLUMNS) * PANEL_WIDTH, top + (i / COLUMNS) * PANEL_HEIGHT);
            }
        } finally {
            g.dispose();
        }
        if (png.getParent() != null) {
            Files.createDirectories(png.getParent());
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }

    private static void drawPanel(Graphics2D g, Panel panel, int left, int top) {
        int plotLeft = left + 70;
        int plotTop = top + 30;
        int plotWidth = PANEL_WIDTH - 70 - 20;
        int plotHeight = PANEL_HEIGHT - 30 - 55;
        double[] xRange = decades(panel.series(), true);
        double[] yRange = decades(panel.series(), false);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(panel.title(), left + 12, top + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        Stroke solid = g.getStroke();
        Stroke grid = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {2f, 3f}, 0f);
        // grid and ticks at every power of ten
        for (double d = xRange[0]; d <= xRange[1] + 1e-9; d++) {
            int x = plotLeft + (int) Math.round((d - xRange[0]) / (xRange[1] - xRange[0]) * plotWidth);
            g.setColor(new Color(0xdddddd));
            g.setStroke(grid);
            g.drawLine(x, plotTop, x, plotTop + plotHeight);
            g.setStroke(solid);
            g.setColor(Color.BLACK);
            String tick = tick(d);
            g.drawString(tick, x - g.getFontMetrics().stringWidth(tick) / 2, plotTop + plotHeight + 15);
        }
        for (double d = yRange[0]; d <= yRange[1] + 1e-9; d++) {
            int y = plotTop + plotHeight - (int) Math.round((d - yRange[0]) / (yRange[1] - yRange[0]) * plotHeight);
            g.setColor(new Color(0xdddddd));
            g.setStroke(grid);
            g.drawLine(plotLeft, y, plotLeft + plotWidth, y);
            g.setStroke(solid);
            g.setColor(Color.BLACK);
            String tick = tick(d);
            g.drawString(tick, plotLeft - 6 - g.getFontMetrics().stringWidth(tick), y + 4);
        }
        g.drawRect(plotLeft, plotTop, plotWidth, plotHeight);
        g.drawString(
                panel.xLabel(),
                plotLeft + plotWidth / 2 - g.getFontMetrics().stringWidth(panel.xLabel()) / 2,
                plotTop + plotHeight + 32);
        Graphics2D vertical = (Graphics2D) g.create();
        vertical.rotate(-Math.PI / 2);
        vertical.drawString(
                panel.yLabel(),
                -(plotTop + plotHeight / 2 + vertical.getFontMetrics().stringWidth(panel.yLabel()) / 2),
                left + 16);
        vertical.dispose();
        int legendY = plotTop + plotHeight + 48;
        int legendX = plotLeft;
        for (int s = 0; s < panel.series().size(); s++) {
            Series series = panel.series().get(s);
            g.setColor(COLOURS[s % COLOURS.length]);
            g.setStroke(new BasicStroke(2f));
            int lastX = Integer.MIN_VALUE;
            int lastY = 0;
            for (int i = 0; i < series.x().length; i++) {
                if (!(series.x()[i] > 0) || !(series.y()[i] > 0)) {
                    continue;
                }
                int x = plotLeft
                        + (int) Math.round(
                                (Math.log10(series.x()[i]) - xRange[0]) / (xRange[1] - xRange[0]) * plotWidth);
                int y = plotTop
                        + plotHeight
                        - (int) Math.round(
                                (Math.log10(series.y()[i]) - yRange[0]) / (yRange[1] - yRange[0]) * plotHeight);
                if (lastX != Integer.MIN_VALUE) {
                    g.drawLine(lastX, lastY, x, y);
                }
                g.fillOval(x - 4, y - 4, 8, 8);
                lastX = x;
                lastY = y;
            }
            g.fillRect(legendX, legendY - 8, 14, 8);
            g.setColor(Color.BLACK);
            g.setStroke(solid);
            g.drawString(series.label(), legendX + 18, legendY);
            legendX += 24 + g.getFontMetrics().stringWidth(series.label()) + 12;
        }
    }

    /** The powers of ten (as exponents) just around every positive value of the axis; a decade at least. */
    private static double[] decades(List<Series> series, boolean xAxis) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] values = xAxis ? s.x() : s.y();
            double[] other = xAxis ? s.y() : s.x();
            for (int i = 0; i < values.length; i++) {
                if (values[i] > 0 && other[i] > 0) {
                    min = Math.min(min, Math.log10(values[i]));
                    max = Math.max(max, Math.log10(values[i]));
                }
            }
        }
        if (min == Double.POSITIVE_INFINITY) {
            return new double[] {0, 1};
        }
        double low = Math.floor(min + 1e-9);
        double high = Math.ceil(max - 1e-9);
        return new double[] {low, Math.max(high, low + 1)};
    }

    private static String tick(double exponent) {
        double value = Math.pow(10, exponent);
        if (exponent >= 0 && exponent < 7) {
            return String.format(Locale.ROOT, "%,d", Math.round(value));
        }
        if (exponent < 0 && exponent > -4) {
            return String.format(Locale.ROOT, "%." + (int) -exponent + "f", value);
        }
        return String.format(Locale.ROOT, "1e%d", Math.round(exponent));
    }
}
