import java.util.concurrent.CountDownLatch;

// MonitorDeadlock takes two monitors in opposite orders on two threads,
// t1 and t2, so that each ends up waiting for the monitor the other holds.
// The latch makes the interleaving certain rather than likely.
public class MonitorDeadlock {
    static final Object ACCOUNTS = new Object();
    static final Object LEDGER = new Object();
    static final CountDownLatch bothLocked = new CountDownLatch(2);

    static void transfer() {
        synchronized (ACCOUNTS) {
            meet();
            synchronized (LEDGER) {
                System.out.println("transfer done");
            }
        }
    }

    static void audit() {
        synchronized (LEDGER) {
            meet();
            synchronized (ACCOUNTS) {
                System.out.println("audit done");
            }
        }
    }

    static void meet() {
        bothLocked.countDown();
        try {
            bothLocked.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Thread t1 = new Thread(MonitorDeadlock::transfer, "t1");
        Thread t2 = new Thread(MonitorDeadlock::audit, "t2");
        t1.start();
        t2.start();
        System.out.println("started t1 and t2");
        t1.join();
        t2.join();
    }
}
