package dev.lifeguard.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Auto Scaling's lifecycle-action calls on the WireMock stand-in, answered from {@link LiveActions}
 * as Auto Scaling would: DescribeAutoScalingInstances, RecordLifecycleActionHeartbeat and
 * CompleteLifecycleAction. Requests stay in WireMock's journal, so tests verify them as before.
 */
public final class LocalAutoScaling implements ResponseDefinitionTransformerV2 {
    static final String NAME = "local-auto-scaling-actions";

    private final LiveActions actions;

    LocalAutoScaling(LiveActions actions) {
        this.actions = actions;
    }

    /**
     * A WireMock server on 127.0.0.1 answering the lifecycle-action calls from {@code actions};
     * other Auto Scaling calls are the caller's to stub.
     */
    public static WireMockServer start(LiveActions actions) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new LocalAutoScaling(actions)));
        server.start();
        for (String action : new String[] {"CompleteLifecycleAction", "RecordLifecycleActionHeartbeat", "DescribeAutoScalingInstances",
                "TerminateInstanceInAutoScalingGroup"}) {
            server.stubFor(post(urlEqualTo("/"))
                    .withRequestBody(containing("Action=" + action))
                    .atPriority(10)
                    .willReturn(aResponse().withTransformers(NAME)));
        }
        return server;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        Map<String, String> form = FleetStandIn.form(serveEvent.getRequest().getBodyAsString());
        String action = form.getOrDefault("Action", "");
        return switch (action) {
            case "DescribeAutoScalingInstances" -> xml(200, actions.describeResponse(ids(form)));
            case "RecordLifecycleActionHeartbeat" -> answer(action, actions.heartbeat(form));
            case "CompleteLifecycleAction" -> answer(action, actions.complete(form));
            case "TerminateInstanceInAutoScalingGroup" -> terminated(form, actions.terminate(form));
            default -> xml(400, error("InvalidAction", "The action " + action + " is not valid for this stand-in"));
        };
    }

    private static List<String> ids(Map<String, String> form) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; form.containsKey("InstanceIds.member." + i); i++) {
            ids.add(form.get("InstanceIds.member." + i));
        }
        return ids;
    }

    private static ResponseDefinition answer(String action, String refused) {
        if (refused != null) {
            return xml(400, error("ValidationError", refused));
        }
        return xml(200, "<" + action + "Response xmlns=\"" + FleetStandIn.AUTO_SCALING_NS + "\"><" + action + "Result/>"
                + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></" + action + "Response>");
    }

    /** TerminateInstanceInAutoScalingGroup's answer: the activity Auto Scaling starts. */
    private static ResponseDefinition terminated(Map<String, String> form, String refused) {
        if (refused != null) {
            return xml(400, error("ValidationError", refused));
        }
        String id = LiveActions.xml(form.getOrDefault("InstanceId", ""));
        return xml(200, "<TerminateInstanceInAutoScalingGroupResponse xmlns=\"" + FleetStandIn.AUTO_SCALING_NS + "\">"
                + "<TerminateInstanceInAutoScalingGroupResult><Activity><ActivityId>" + UUID.randomUUID() + "</ActivityId>"
                + "<AutoScalingGroupName>group</AutoScalingGroupName><Description>Terminating EC2 instance: " + id
                + "</Description><Cause>At a user request, an instance was taken out of service in response to a"
                + " user request.</Cause><StartTime>2026-12-03T12:00:00Z</StartTime><StatusCode>InProgress</StatusCode>"
                + "<Progress>0</Progress></Activity></TerminateInstanceInAutoScalingGroupResult>"
                + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata>"
                + "</TerminateInstanceInAutoScalingGroupResponse>");
    }

    private static String error(String code, String message) {
        return "<ErrorResponse xmlns=\"" + FleetStandIn.AUTO_SCALING_NS + "\"><Error><Type>Sender</Type><Code>" + code
                + "</Code><Message>" + LiveActions.xml(message) + "</Message></Error><RequestId>" + UUID.randomUUID()
                + "</RequestId></ErrorResponse>";
    }

    private static ResponseDefinition xml(int status, String body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "text/xml").withBody(body).build();
    }
}
