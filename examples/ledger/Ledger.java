import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;

/**
 * ledger: the two-lock deadlock of TAG's design. f() takes the accounts
 * lock then the journal lock; g() takes them the other way round. Under
 * load, one thread in f() and one in g() each hold one lock and wait
 * forever for the other (the fix: one global lock order).
 *
 * Run: java Ledger stress [seconds]  — exits 3 when the JVM reports a
 * deadlock (ThreadMXBean.findDeadlockedThreads), 0 if none happened in
 * time. While it is deadlocked, jstack shows it.
 */
public class Ledger {
    private final Object accounts = new Object();
    private final Object journal = new Object();
    private long balance;
    private long entries;

    /** Posts an amount: accounts, then journal. */
    void f(long amount) {
        synchronized (accounts) {
            balance += amount;
            pause();
            synchronized (journal) {
                entries++;
            }
        }
    }

    /** Reconciles: journal, then accounts (BUG: the opposite order). */
    void g() {
        synchronized (journal) {
            entries--;
            pause();
            synchronized (accounts) {
                balance -= 0;
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Ledger l = new Ledger();
        CountDownLatch start = new CountDownLatch(1);
        Thread poster = new Thread(() -> { await(start); while (true) l.f(1); }, "poster");
        Thread reconciler = new Thread(() -> { await(start); while (true) l.g(); }, "reconciler");
        poster.setDaemon(true);
        reconciler.setDaemon(true);
        poster.start();
        reconciler.start();
        start.countDown();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            long[] ids = mx.findDeadlockedThreads();
            if (ids != null) {
                System.out.println("DEADLOCK " + ids.length + " threads pid " + ProcessHandle.current().pid());
                System.out.flush();
                // Stay deadlocked so a dump can be taken, until told to stop.
                System.in.read();
                System.exit(3);
            }
            Thread.sleep(20);
        }
        System.out.println("no deadlock in " + seconds + "s");
        System.exit(0);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
