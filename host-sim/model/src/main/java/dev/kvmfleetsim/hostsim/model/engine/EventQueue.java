package dev.kvmfleetsim.hostsim.model.engine;

import java.util.Arrays;

/**
 * The future-event list of a discrete-event simulation: events ordered by (time, insertion sequence), so that events
 * at the same nanosecond run in the order they were scheduled and a run is reproducible.
 *
 * <p>Each event is a kind, a target index and a {@code long} argument, kept in slot arrays. Most events of a host
 * simulation fall due within microseconds (exit ends, segment ends, PLE windows, kicks), so the queue is a timing
 * wheel for the near future with a heap for the rest:
 *
 * <ul>
 *   <li>The wheel has {@value #WHEEL_BUCKETS} buckets of {@value #BUCKET_NS} ns and covers the time from the bucket of
 *       the last polled event on. A bucket is a list of slots sorted by (time, sequence); it rarely holds more than
 *       one or two events, so insertion is a step or two from its tail. A bitmap of non-empty buckets finds the next
 *       one with a few {@code numberOfTrailingZeros}.
 *   <li>Events beyond the wheel's horizon (ticks, device sources, spin budgets) go to a binary heap.
 * </ul>
 *
 * <p>Polling compares the wheel's first event with the heap's and takes the earlier, so the order is exactly that of a
 * single priority queue over (time, sequence); {@code EventQueueTest} checks this against
 * {@link java.util.PriorityQueue} under random schedule, poll and cancel operations. Each polled event moves the
 * wheel's start to its bucket; no pending event is earlier, and each wheel event was within one horizon of the start
 * when it was scheduled, so no bucket ever mixes two laps of the wheel.
 *
 * <p>{@link #cancel} removes an event that became obsolete, in constant time on the wheel. Scheduling, polling and
 * cancelling allocate nothing once the arrays have grown to the working size. Not thread-safe.
 */
public final class EventQueue {
    private static final int BUCKET_SHIFT = 7;
    static final int BUCKET_NS = 1 << BUCKET_SHIFT;
    private static final int WHEEL_BITS = 12;
    static final int WHEEL_BUCKETS = 1 << WHEEL_BITS;
    private static final int WHEEL_MASK = WHEEL_BUCKETS - 1;
    private static final int WORDS = WHEEL_BUCKETS / 64;

    private static final int NONE = -1;
    /** The {@code HEAP} entry of a slot that is on the wheel. */
    private static final int ON_WHEEL = -1;

    // Per slot, packed so that an operation touches two cache lines: the event in four longs (time, sequence, argument,
    // kind and target) and its place in four ints (next and previous in its bucket, heap index, generation).
    private static final int T = 0;
    private static final int S = 1;
    private static final int A = 2;
    private static final int KT = 3;
    private static final int NEXT = 0;
    private static final int PREV = 1;
    private static final int HEAP = 2;
    private static final int GEN = 3;

    private long[] ev;
    private int[] link;
    private int[] freeSlots;
    private int freeCount;

    // The wheel: bucket lists (head and tail of bucket b at 2b and 2b + 1) and the bitmap of non-empty buckets. Its
    // first bucket is wheelStart (an absolute bucket number).
    private final int[] ends = new int[2 * WHEEL_BUCKETS];
    private final long[] occupied = new long[WORDS];
    private long wheelStart;
    private int onWheel;

    // The heap of far events: slots ordered by (time, seq).
    private int[] heap;
    private int heapSize;

    private long nextSeq;

    private long polledTime;
    private int polledKind;
    private int polledTarget;
    private long polledArg;

    /** Creates a queue with room for {@code initialCapacity} events before it grows. */
    public EventQueue(int initialCapacity) {
        int n = Math.max(16, initialCapacity);
        ev = new long[4 * n];
        link = new int[4 * n];
        heap = new int[n];
        freeSlots = new int[n];
        for (int i = 0; i < n; i++) {
            freeSlots[i] = n - 1 - i;
        }
        freeCount = n;
        Arrays.fill(ends, NONE);
    }

    /**
     * Schedules an event.
     *
     * @param atNs simulated time in ns
     * @param eventKind what happens (the owner's constant)
     * @param eventTarget which object it happens to (an index in the owner's tables)
     * @param eventArg a free argument (a vector, an epoch, ...)
     * @return a handle for {@link #cancel}
     */
    public long schedule(long atNs, int eventKind, int eventTarget, long eventArg) {
        if (freeCount == 0) {
            grow();
        }
        int slot = freeSlots[--freeCount];
        int e = 4 * slot;
        ev[e + T] = atNs;
        ev[e + S] = nextSeq++;
        ev[e + A] = eventArg;
        ev[e + KT] = ((long) eventKind << 32) | (eventTarget & 0xFFFF_FFFFL);
        long ahead = (atNs >> BUCKET_SHIFT) - wheelStart;
        if (ahead >= 0 && ahead < WHEEL_BUCKETS) {
            wheelInsert(slot, (int) (atNs >> BUCKET_SHIFT) & WHEEL_MASK);
        } else {
            heapInsert(slot);
        }
        return ((long) link[4 * slot + GEN] << 32) | slot;
    }

    /**
     * Removes a scheduled event that has not been polled yet, so that an event made obsolete never costs a poll.
     *
     * @param handle what {@link #schedule} returned
     * @return false if the event was already polled or cancelled
     */
    public boolean cancel(long handle) {
        if (!isPending(handle)) {
            return false;
        }
        remove((int) handle);
        return true;
    }

    /** Whether the event of {@code handle} is still scheduled (neither polled nor cancelled). */
    public boolean isPending(long handle) {
        return handle >= 0 && link[4 * (int) handle + GEN] == (int) (handle >>> 32);
    }

    /**
     * Removes the earliest event and makes it readable through {@link #polledTime()} and friends.
     *
     * @return false if the queue was empty
     */
    public boolean poll() {
        int slot = first();
        if (slot == NONE) {
            return false;
        }
        take(slot);
        return true;
    }

    /**
     * Removes the earliest event if it happens at or before {@code endNs}, as {@link #poll} does; otherwise leaves the
     * queue as it is.
     *
     * @return false if the queue is empty or its earliest event is after {@code endNs}
     */
    public boolean pollUntil(long endNs) {
        int slot = first();
        if (slot == NONE || ev[4 * slot + T] > endNs) {
            return false;
        }
        take(slot);
        return true;
    }

    /** Time of the earliest queued event; only valid when {@link #size()} is positive. */
    public long peekTime() {
        return ev[4 * first() + T];
    }

    /** Pending events: each is on the wheel or in the heap. */
    public int size() {
        return onWheel + heapSize;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    public long polledTime() {
        return polledTime;
    }

    public int polledKind() {
        return polledKind;
    }

    public int polledTarget() {
        return polledTarget;
    }

    public long polledArg() {
        return polledArg;
    }

    // ---- both structures ----

    /** The slot of the earliest event, or {@link #NONE}. */
    private int first() {
        int w = onWheel > 0 ? firstOnWheel() : NONE;
        if (heapSize == 0) {
            return w;
        }
        int h = heap[0];
        return w == NONE || before(h, w) ? h : w;
    }

    private boolean before(int a, int b) {
        long ta = ev[4 * a + T];
        long tb = ev[4 * b + T];
        return ta < tb || (ta == tb && ev[4 * a + S] < ev[4 * b + S]);
    }

    private void take(int slot) {
        int e = 4 * slot;
        polledTime = ev[e + T];
        polledArg = ev[e + A];
        long kt = ev[e + KT];
        polledKind = (int) (kt >>> 32);
        polledTarget = (int) kt;
        remove(slot);
        // Every pending event is at or after this one, so the wheel can start at its bucket.
        long bucket = polledTime >> BUCKET_SHIFT;
        if (bucket > wheelStart) {
            wheelStart = bucket;
        }
    }

    private void remove(int slot) {
        int h = link[4 * slot + HEAP];
        if (h == ON_WHEEL) {
            wheelUnlink(slot);
        } else {
            heapRemove(h);
        }
        link[4 * slot + GEN]++;
        freeSlots[freeCount++] = slot;
    }

    private void grow() {
        int old = heap.length;
        int n = old * 2;
        ev = Arrays.copyOf(ev, 4 * n);
        link = Arrays.copyOf(link, 4 * n);
        heap = Arrays.copyOf(heap, n);
        freeSlots = Arrays.copyOf(freeSlots, n);
        // Every old slot is in use when none is free; the new ones are free.
        for (int i = n - 1; i >= old; i--) {
            freeSlots[freeCount++] = i;
        }
    }

    // ---- the wheel ----

    private void wheelInsert(int slot, int bucket) {
        int[] l = link;
        l[4 * slot + HEAP] = ON_WHEEL;
        long t = ev[4 * slot + T];
        // Later sequence than everything queued: the place is after the last entry that is not later in time.
        int after = ends[2 * bucket + 1];
        while (after != NONE && ev[4 * after + T] > t) {
            after = l[4 * after + PREV];
        }
        int before = after == NONE ? ends[2 * bucket] : l[4 * after + NEXT];
        l[4 * slot + PREV] = after;
        l[4 * slot + NEXT] = before;
        if (after == NONE) {
            ends[2 * bucket] = slot;
        } else {
            l[4 * after + NEXT] = slot;
        }
        if (before == NONE) {
            ends[2 * bucket + 1] = slot;
        } else {
            l[4 * before + PREV] = slot;
        }
        occupied[bucket >>> 6] |= 1L << bucket;
        onWheel++;
    }

    private void wheelUnlink(int slot) {
        int[] l = link;
        int bucket = (int) (ev[4 * slot + T] >> BUCKET_SHIFT) & WHEEL_MASK;
        int p = l[4 * slot + PREV];
        int n = l[4 * slot + NEXT];
        if (p == NONE) {
            ends[2 * bucket] = n;
        } else {
            l[4 * p + NEXT] = n;
        }
        if (n == NONE) {
            ends[2 * bucket + 1] = p;
        } else {
            l[4 * n + PREV] = p;
        }
        if (ends[2 * bucket] == NONE) {
            occupied[bucket >>> 6] &= ~(1L << bucket);
        }
        onWheel--;
    }

    /** The head of the first non-empty bucket from the wheel's start; the wheel must not be empty. */
    private int firstOnWheel() {
        int b = (int) wheelStart & WHEEL_MASK;
        int word = b >>> 6;
        long bits = occupied[word] & (-1L << b);
        // Buckets before the start within its word are a lap later: they come last, when the scan wraps to it.
        while (bits == 0) {
            word = (word + 1) & (WORDS - 1);
            bits = occupied[word];
        }
        return ends[2 * ((word << 6) + Long.numberOfTrailingZeros(bits))];
    }

    // ---- the heap of far events ----

    private void heapInsert(int slot) {
        int i = heapSize++;
        heap[i] = slot;
        link[4 * slot + HEAP] = i;
        heapUp(i);
    }

    private void heapRemove(int i) {
        int last = --heapSize;
        if (i != last) {
            int moved = heap[last];
            heap[i] = moved;
            link[4 * moved + HEAP] = i;
            heapUp(i);
            if (heap[i] == moved) {
                heapDown(i);
            }
        }
    }

    private void heapUp(int i) {
        int slot = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int ps = heap[parent];
            if (!before(slot, ps)) {
                break;
            }
            heap[i] = ps;
            link[4 * ps + HEAP] = i;
            i = parent;
        }
        heap[i] = slot;
        link[4 * slot + HEAP] = i;
    }

    private void heapDown(int i) {
        int slot = heap[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= heapSize) {
                break;
            }
            if (c + 1 < heapSize && before(heap[c + 1], heap[c])) {
                c++;
            }
            int cs = heap[c];
            if (!before(cs, slot)) {
                break;
            }
            heap[i] = cs;
            link[4 * cs + HEAP] = i;
            i = c;
        }
        heap[i] = slot;
        link[4 * slot + HEAP] = i;
    }
}
