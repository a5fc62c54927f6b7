import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

// Busy is a healthy program caught mid-work: two threads compute, one
// waits on a condition (Object.wait), one holds a monitor while it sleeps
// and another queues behind it, and an idle pool thread parks on its
// queue. Contention, but no cycle: the negative case for deadlock
// detection.
public class Busy {
    static final Object signal = new Object();
    static final Object cache = new Object();
    static volatile long sink;

    static void compute() {
        long x = 0;
        while (true) {
            for (int i = 0; i < 1_000_000; i++) {
                x += i * 31L ^ (x >>> 3);
            }
            sink = x;
        }
    }

    static void awaitSignal() {
        synchronized (signal) {
            try {
                signal.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void refresh() {
        synchronized (cache) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void lookup() {
        synchronized (cache) {
            sink++;
        }
    }

    public static void main(String[] args) throws Exception {
        new Thread(Busy::compute, "compute-1").start();
        new Thread(Busy::compute, "compute-2").start();
        new Thread(Busy::awaitSignal, "signal-waiter").start();
        new Thread(Busy::refresh, "cache-refresher").start();
        Thread.sleep(200);
        new Thread(Busy::lookup, "cache-reader").start();
        ExecutorService pool = Executors.newFixedThreadPool(1);
        pool.submit(() -> sink++).get();
        System.out.println("busy");
        pool.awaitTermination(1, TimeUnit.HOURS);
    }
}
