package dev.kvmfleetsim.hostsim.model.engine;

import java.util.SplittableRandom;

/**
 * Derives independent random streams from a run seed and a stable component id, so that the same seed gives the same
 * run and adding a component (a VM, a source) does not perturb the streams of the others.
 */
public final class RandomStreams {
    private final long seed;

    public RandomStreams(long seed) {
        this.seed = seed;
    }

    /**
     * The stream of one component.
     *
     * @param domain what kind of component (a small constant per kind)
     * @param a first index (for example the VM)
     * @param b second index (for example the vCPU or the source)
     */
    public SplittableRandom stream(int domain, int a, int b) {
        long z = mix64(seed ^ 0x9E3779B97F4A7C15L * (domain + 1));
        z = mix64(z + 0xBF58476D1CE4E5B9L * (a + 1L));
        z = mix64(z + 0x94D049BB133111EBL * (b + 1L));
        return new SplittableRandom(z);
    }

    /** The finalizer of SplitMix64 (Steele, Lea, Flood 2014): a bijective avalanche mix. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** An exponentially distributed duration with the given mean, at least 1 ns. */
    public static long exponentialNs(SplittableRandom r, double meanNs) {
        // 1 - nextDouble() is in (0, 1], so the log is finite.
        long d = (long) (-Math.log(1.0 - r.nextDouble()) * meanNs);
        return Math.max(1L, d);
    }
}
