// Threads fails in a worker thread with a nested class and an inner
// constructor, so the header carries a thread name and frames carry
// "$" class names and "<init>".
public class Threads {
    static class Worker implements Runnable {
        private final int[] data;

        Worker(int n) {
            data = new int[n];
        }

        public void run() {
            new Checker(data);
        }
    }

    static class Checker {
        Checker(int[] data) {
            if (data.length < 4) {
                throw new IllegalArgumentException("need at least 4 items, got " + data.length);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Thread t = new Thread(new Worker(2), "worker-1");
        t.start();
        t.join();
    }
}
