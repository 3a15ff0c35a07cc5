package dev.kvmfleetsim.controller.grid;

/**
 * The seed of each repetition of a sweep: the {@code r}-th output ({@code r = 0, 1, ...}) of a SplitMix64 generator
 * seeded with the sweep seed. Every grid point of one repetition runs with the same seed, so the runs of two points
 * (tracking on and off, say) pair by seed. The function is fixed here, not taken from a library, so that a sweep
 * seed gives the same run seeds in every version. Distinct repetitions always get distinct seeds (SplitMix64's
 * finalizer is a bijection of distinct inputs). The values equal {@code new java.util.SplittableRandom(sweepSeed)}'s
 * successive {@code nextLong()}s.
 */
public final class RepetitionSeeds {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private RepetitionSeeds() {}

    /** The seed of repetition {@code repetition} (0-based) of a sweep with seed {@code sweepSeed}. */
    public static long of(long sweepSeed, int repetition) {
        long z = sweepSeed + (repetition + 1L) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
