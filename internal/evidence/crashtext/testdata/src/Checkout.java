import java.util.Map;

// Checkout fails the way service code often does: a parse error deep in
// configuration loading is wrapped twice on its way up, and closing a
// resource fails too, so the uncaught exception has "Caused by:"
// sections, "... N more" elisions and a "Suppressed:" exception.
public class Checkout {
    static final class Ledger implements AutoCloseable {
        @Override
        public void close() {
            throw new IllegalStateException("ledger flush failed");
        }
    }

    static int parseLimit(Map<String, String> cfg) {
        return Integer.parseInt(cfg.get("limit"));
    }

    static int loadLimit(Map<String, String> cfg) {
        try (Ledger ledger = new Ledger()) {
            return parseLimit(cfg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad checkout limit", e);
        }
    }

    static void checkout(Map<String, String> cfg) {
        try {
            loadLimit(cfg);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("checkout unavailable", e);
        }
    }

    public static void main(String[] args) {
        checkout(Map.of("limit", "12x"));
    }
}
