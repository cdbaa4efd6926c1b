package dev.lifeguard.routes;

import org.apache.camel.builder.AdviceWithRouteBuilder;

/**
 * Test behaviour woven into the start of the launching route, for instance ids reserved for
 * tests: one fails only on its first delivery, one on every delivery, one is slow.
 */
public class FailingStep extends AdviceWithRouteBuilder {
    static final String FAILS_ONCE = "i-0000000000000f001";
    static final String FAILS_ALWAYS = "i-0000000000000fa11";
    /** Takes longer than the visibility timeout, as a Nomad drain does. */
    static final String SLOW = "i-00000000000005104";

    @Override
    public void configure() {
        weaveAddFirst()
                .filter(simple("${body.instanceId} == '" + FAILS_ONCE + "' && ${header.ApproximateReceiveCount} == 1"))
                    .throwException(new IllegalStateException("salt-key -a failed: master unreachable"))
                .end()
                .filter(simple("${body.instanceId} == '" + FAILS_ALWAYS + "'"))
                    .throwException(new IllegalStateException("highstate failed on every attempt"))
                .end()
                .filter(simple("${body.instanceId} == '" + SLOW + "'"))
                    .delay(5000)
                .end();
    }
}
