package dev.lifeguard.routes;

import org.apache.camel.builder.AdviceWithRouteBuilder;

/**
 * Makes the first step of the launching route fail for two instance ids reserved for tests:
 * one fails only on its first delivery, the other on every delivery.
 */
public class FailingStep extends AdviceWithRouteBuilder {
    static final String FAILS_ONCE = "i-0000000000000f001";
    static final String FAILS_ALWAYS = "i-0000000000000fa11";

    @Override
    public void configure() {
        weaveAddFirst()
                .filter(simple("${body.instanceId} == '" + FAILS_ONCE + "' && ${header.ApproximateReceiveCount} == 1"))
                    .throwException(new IllegalStateException("salt-key -a failed: master unreachable"))
                .end()
                .filter(simple("${body.instanceId} == '" + FAILS_ALWAYS + "'"))
                    .throwException(new IllegalStateException("highstate failed on every attempt"))
                .end();
    }
}
