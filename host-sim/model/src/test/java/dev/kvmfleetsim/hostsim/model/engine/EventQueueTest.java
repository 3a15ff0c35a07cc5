package dev.kvmfleetsim.hostsim.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link EventQueue}: (time, sequence) order, growth, agreement with a {@link PriorityQueue}. */
class EventQueueTest {

    @Test
    void newQueueIsEmptyAndPollReturnsFalse() {
        EventQueue q = new EventQueue(8);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
        assertThat(q.poll()).isFalse();
    }

    @Test
    void eventsComeOutInTimeOrderWithTheirPayload() {
        EventQueue q = new EventQueue(16);
        q.schedule(300, 3, 30, 3000L);
        q.schedule(100, 1, 10, 1000L);
        q.schedule(200, 2, 20, 2000L);
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.peekTime()).isEqualTo(100);
        for (int i = 1; i <= 3; i++) {
            assertThat(q.poll()).isTrue();
            assertThat(q.polledTime()).isEqualTo(i * 100L);
            assertThat(q.polledKind()).isEqualTo(i);
            assertThat(q.polledTarget()).isEqualTo(i * 10);
            assertThat(q.polledArg()).isEqualTo(i * 1000L);
        }
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.poll()).isFalse();
    }

    @Test
    void eventsAtTheSameTimeComeOutInSchedulingOrder() {
        EventQueue q = new EventQueue(16);
        for (int i = 0; i < 200; i++) {
            q.schedule(42, 0, 0, i);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(q.poll()).isTrue();
            assertThat(q.polledArg()).isEqualTo(i);
        }
    }

    @Test
    void tiesStayFifoWhenInterleavedWithOtherTimes() {
        EventQueue q = new EventQueue(16);
        q.schedule(20, 0, 0, 1);
        q.schedule(10, 0, 0, 2);
        q.schedule(20, 0, 0, 3);
        q.schedule(10, 0, 0, 4);
        q.schedule(20, 0, 0, 5);
        long[] expected = {2, 4, 1, 3, 5};
        for (long e : expected) {
            q.poll();
            assertThat(q.polledArg()).isEqualTo(e);
        }
    }

    @Test
    void tieWithEventScheduledAfterAPollStillRunsLast() {
        EventQueue q = new EventQueue(16);
        q.schedule(5, 0, 0, 1);
        q.schedule(5, 0, 0, 2);
        q.poll();
        q.schedule(5, 0, 0, 3);
        q.poll();
        assertThat(q.polledArg()).isEqualTo(2);
        q.poll();
        assertThat(q.polledArg()).isEqualTo(3);
    }

    @Test
    void growsBeyondItsInitialCapacity() {
        EventQueue q = new EventQueue(1);
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            q.schedule((long) (n - i) * 7 % 1_001, i % 5, i, i);
        }
        assertThat(q.size()).isEqualTo(n);
        long lastTime = Long.MIN_VALUE;
        long lastArgAtTime = -1;
        int polled = 0;
        while (q.poll()) {
            polled++;
            assertThat(q.polledTime()).isGreaterThanOrEqualTo(lastTime);
            if (q.polledTime() == lastTime) {
                assertThat(q.polledArg()).as("FIFO among ties").isGreaterThan(lastArgAtTime);
            }
            assertThat(q.polledTarget()).isEqualTo((int) q.polledArg());
            assertThat(q.polledKind()).isEqualTo((int) (q.polledArg() % 5));
            lastTime = q.polledTime();
            lastArgAtTime = q.polledArg();
        }
        assertThat(polled).isEqualTo(n);
    }

    @Test
    void matchesPriorityQueueOfTimeAndSequenceUnderRandomOperations() {
        Random rnd = new Random(0xC0FFEEL);
        EventQueue q = new EventQueue(4);
        // Each reference entry is {time, seq, kind, target}; seq is also the event argument.
        PriorityQueue<long[]> ref =
                new PriorityQueue<>(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        long seq = 0;
        long now = 0;
        int ops = 200_000;
        for (int i = 0; i < ops; i++) {
            boolean schedule = ref.isEmpty() || rnd.nextInt(100) < 55;
            if (schedule) {
                // Small time range around "now" so that many events tie.
                long at = now + rnd.nextInt(50);
                int kind = rnd.nextInt(8);
                int target = rnd.nextInt(64);
                q.schedule(at, kind, target, seq);
                ref.add(new long[] {at, seq, kind, target});
                seq++;
            } else {
                long[] e = ref.poll();
                assertThat(q.poll()).isTrue();
                assertThat(q.polledTime()).isEqualTo(e[0]);
                assertThat(q.polledArg()).as("insertion sequence").isEqualTo(e[1]);
                assertThat(q.polledKind()).isEqualTo((int) e[2]);
                assertThat(q.polledTarget()).isEqualTo((int) e[3]);
                now = e[0];
            }
            assertThat(q.size()).isEqualTo(ref.size());
            if (!ref.isEmpty()) {
                assertThat(q.peekTime()).isEqualTo(ref.peek()[0]);
            }
        }
        assertDrainsInOrder(q, ref);
    }

    @Test
    void cancelAndPollUntilMatchPriorityQueueForNearEvents() {
        // Every event within a few buckets of the wheel's start: many ties, crowded buckets.
        cancelAndPollUntilMatchPriorityQueue(new Random(0xBADC0DEL), r -> r.nextInt(40));
    }

    @Test
    void cancelAndPollUntilMatchPriorityQueueAcrossWheelAndHeap() {
        // Delays from a few ns to several wheel horizons: events move between the wheel and the far-event heap, the
        // wheel's start jumps and its scan wraps around.
        long horizon = (long) EventQueue.WHEEL_BUCKETS * EventQueue.BUCKET_NS;
        cancelAndPollUntilMatchPriorityQueue(new Random(0xFA2L), r -> switch (r.nextInt(4)) {
            case 0 -> r.nextInt(8);
            case 1 -> r.nextInt(EventQueue.BUCKET_NS * 4);
            case 2 -> (long) (r.nextDouble() * horizon);
            default -> (long) (r.nextDouble() * 5 * horizon);
        });
    }

    private static void cancelAndPollUntilMatchPriorityQueue(
            Random rnd, java.util.function.ToLongFunction<Random> delay) {
        // Peeks rarely, as the simulation's loop does, so that poll, pollUntil, schedule and cancel follow each other
        // directly.
        EventQueue q = new EventQueue(4);
        PriorityQueue<long[]> ref =
                new PriorityQueue<>(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        java.util.Map<Long, long[]> bySeq = new java.util.HashMap<>();
        java.util.List<long[]> handles = new java.util.ArrayList<>(); // {handle, seq}
        long seq = 0;
        long now = 0;
        for (int i = 0; i < 300_000; i++) {
            int op = rnd.nextInt(100);
            if (op < 45 || ref.isEmpty()) {
                long at = now + delay.applyAsLong(rnd);
                long h = q.schedule(at, 1, 2, seq);
                long[] e = {at, seq};
                ref.add(e);
                bySeq.put(seq, e);
                handles.add(new long[] {h, seq});
                seq++;
            } else if (op < 60 && !handles.isEmpty()) {
                long[] hs = handles.remove(rnd.nextInt(handles.size()));
                long[] e = bySeq.remove(hs[1]);
                boolean pending = e != null;
                assertThat(q.isPending(hs[0])).isEqualTo(pending);
                assertThat(q.cancel(hs[0])).as("cancel of seq %d", hs[1]).isEqualTo(pending);
                if (pending) {
                    ref.remove(e);
                }
                assertThat(q.cancel(hs[0])).as("second cancel").isFalse();
            } else if (op < 80) {
                long end = now + delay.applyAsLong(rnd) / 2;
                long[] e = ref.peek();
                boolean due = e[0] <= end;
                assertThat(q.pollUntil(end)).isEqualTo(due);
                if (due) {
                    ref.poll();
                    bySeq.remove(e[1]);
                    assertThat(q.polledTime()).isEqualTo(e[0]);
                    assertThat(q.polledArg()).isEqualTo(e[1]);
                    now = e[0];
                }
            } else {
                long[] e = ref.poll();
                bySeq.remove(e[1]);
                assertThat(q.poll()).isTrue();
                assertThat(q.polledTime()).isEqualTo(e[0]);
                assertThat(q.polledArg()).as("insertion sequence").isEqualTo(e[1]);
                now = e[0];
            }
            assertThat(q.size()).isEqualTo(ref.size());
            if (i % 97 == 0 && !ref.isEmpty()) {
                assertThat(q.peekTime()).isEqualTo(ref.peek()[0]);
            }
        }
        assertDrainsInOrder(q, ref);
    }

    /** Polls both queues to the end: the same events (by sequence, the event argument) in the same order. */
    private static void assertDrainsInOrder(EventQueue q, PriorityQueue<long[]> ref) {
        while (!ref.isEmpty()) {
            long[] e = ref.poll();
            assertThat(q.poll()).isTrue();
            assertThat(q.polledArg()).isEqualTo(e[1]);
        }
        assertThat(q.poll()).isFalse();
    }
}
