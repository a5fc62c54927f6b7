// TwoErrors prints a handled exception the way a logger would, then dies
// of an uncaught one: one stderr excerpt, two exceptions.
public class TwoErrors {
    static Object lookup(String key) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
        return null;
    }

    public static void main(String[] args) {
        try {
            lookup("");
        } catch (IllegalArgumentException e) {
            System.err.println("WARN request 41 failed, retrying");
            e.printStackTrace();
        }
        Object v = lookup("user:42");
        System.err.println(v.toString());
    }
}
