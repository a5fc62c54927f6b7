import java.lang.reflect.Method;
import java.util.List;

// Npe dereferences null inside a lambda in a stream, called through
// reflection, so the trace has module-prefixed JDK frames, lambda
// frames and a "(Native Method)" frame.
public class Npe {
    static String name;

    static int length(String s) {
        return name.length() + s.length();
    }

    public static void run() {
        List.of("a", "b").stream().map(Npe::length).forEach(n -> {});
    }

    public static void main(String[] args) throws Throwable {
        Method m = Npe.class.getMethod("run");
        try {
            m.invoke(null);
        } catch (java.lang.reflect.InvocationTargetException e) {
            e.printStackTrace();
        }
    }
}
