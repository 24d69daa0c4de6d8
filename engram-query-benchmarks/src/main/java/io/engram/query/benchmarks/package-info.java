/** JMH benchmarks of every module; run them from the shaded {@code benchmarks.jar}. */
package io.engram.query.benchmarks;
