package dev.lifeguard.cli;

import java.lang.reflect.Proxy;

/**
 * AWS clients for {@code plan} that refuse every call, naming it: the real steps run their own
 * rendering and checks (their dry run) with these, and a step whose dry run would read a
 * service (Route53 listing a zone) says so instead of calling it.
 */
final class NoCalls {
    private NoCalls() {
    }

    /** A call {@code plan} did not make. */
    static final class NotCalled extends RuntimeException {
        NotCalled(String service, String operation) {
            super(service + " " + operation);
        }
    }

    static <T> T client(Class<T> type, String service) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) ->
                switch (method.getName()) {
                    case "serviceName" -> service;
                    case "close" -> null;
                    case "toString" -> "plan's " + service + " client, which calls nothing";
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    default -> throw new NotCalled(service, Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1));
                });
        return type.cast(proxy);
    }
}
