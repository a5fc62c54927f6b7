import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

// LockDeadlock is MonitorDeadlock with java.util.concurrent locks: the JVM
// reports the cycle as ownable synchronizers, and a thread parked on a
// ReentrantLock names no holder in its own stack.
public class LockDeadlock {
    static final ReentrantLock inventory = new ReentrantLock();
    static final ReentrantLock orders = new ReentrantLock();
    static final CountDownLatch bothLocked = new CountDownLatch(2);

    static void reserve() {
        inventory.lock();
        try {
            meet();
            orders.lock();
            try {
                System.out.println("reserved");
            } finally {
                orders.unlock();
            }
        } finally {
            inventory.unlock();
        }
    }

    static void ship() {
        orders.lock();
        try {
            meet();
            inventory.lock();
            try {
                System.out.println("shipped");
            } finally {
                inventory.unlock();
            }
        } finally {
            orders.unlock();
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
        Thread a = new Thread(LockDeadlock::reserve, "reserver");
        Thread b = new Thread(LockDeadlock::ship, "shipper");
        a.start();
        b.start();
        System.out.println("started reserver and shipper");
        a.join();
        b.join();
    }
}
