// CausedBy throws an exception wrapped twice, with a suppressed
// exception from try-with-resources, so the trace has "Caused by:",
// "Suppressed:" and "... N more" sections.
public class CausedBy {
    static class Resource implements AutoCloseable {
        @Override
        public void close() {
            throw new IllegalStateException("close failed");
        }
    }

    static int parse(String s) {
        return Integer.parseInt(s);
    }

    static void load(String s) throws Exception {
        try (Resource r = new Resource()) {
            parse(s);
        } catch (NumberFormatException e) {
            throw new java.io.IOException("bad config value", e);
        }
    }

    static void start() {
        try {
            load("x1");
        } catch (Exception e) {
            throw new RuntimeException("startup failed", e);
        }
    }

    public static void main(String[] args) {
        start();
    }
}
