package dev.lifeguard.steps.salt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A salt-api (rest_cherrypy) stand-in on 127.0.0.1 at a free port that checks each request
 * exactly: the login body, the token header, and the lowstate chunks, whose target is always a
 * literal one-id list. A request no stub matches is answered 404 and fails {@link #paths()}.
 */
final class SaltApiStandIn {
    static final String PASSWORD = "s3cret-Salt-Pa55";
    static final String TOKEN = "6d1b722e3f7fc0fa1c4ce6bbdef0b9e1f8a4d9c2";
    static final String GROUP = "salt-minions";
    static final String INSTANCE = "i-0123456789abcdef0";
    static final String MINION = GROUP + "-" + INSTANCE;
    static final String JID = "20261201170102123456";
    /** salt-api's {@code expire} for {@link #TOKEN}: 2100-01-01. */
    static final double FAR_EXPIRE = 4102444800.5;

    final WireMockServer wire;

    private SaltApiStandIn(WireMockServer wire) {
        this.wire = wire;
    }

    static SaltApiStandIn start() {
        WireMockServer wire = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wire.start();
        return new SaltApiStandIn(wire);
    }

    void stop() {
        wire.stop();
    }

    void reset() {
        wire.resetAll();
    }

    // ---------------------------------------------------------------- what salt-api is asked

    /** {@code POST /login} exactly as the steps send it: JSON credentials, no token. */
    MappingBuilder login() {
        return post(urlEqualTo("/login"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("X-Auth-Token", absent())
                .withRequestBody(equalToJson("{\"username\": \"lifeguard\", \"password\": \"" + PASSWORD + "\", \"eauth\": \"pam\"}"));
    }

    void stubLogin() {
        wire.stubFor(login().willReturn(loginAnswer(TOKEN, FAR_EXPIRE)));
    }

    static ResponseDefinitionBuilder loginAnswer(String token, double expire) {
        return json("{\"return\": [{\"token\": \"" + token + "\", \"expire\": " + expire + ", \"start\": 1764608000.5,"
                + " \"user\": \"lifeguard\", \"eauth\": \"pam\", \"perms\": [\"@wheel\", \".*\"]}]}");
    }

    /** A lowstate request answered only when its body is exactly {@code [chunk]} and it carries {@link #TOKEN}. */
    void stubLowstate(String chunk, String reply) {
        stubLowstate(TOKEN, chunk, reply);
    }

    void stubLowstate(String token, String chunk, String reply) {
        wire.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Auth-Token", equalTo(token))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Accept", equalTo("application/json"))
                .withRequestBody(equalToJson("[" + chunk + "]"))
                .willReturn(json(reply)));
    }

    /** The requests of a launch with {@code highstate}: the key of {@code minion} pending, accepted, and a state.apply whose job has ended. */
    void stubLaunch(String minion, String jid) {
        stubLowstate(wheel("key.name_match", "\"" + minion + "\""), wheelReturn("{\"minions_pre\": [\"" + minion + "\"]}"));
        stubLowstate(wheel("key.accept_dict", "{\"minions_pre\": [\"" + minion + "\"]}"),
                wheelReturn("{\"minions\": [\"" + minion + "\"]}"));
        stubLowstate("{\"client\": \"local_async\", \"tgt\": [\"" + minion + "\"], \"tgt_type\": \"list\","
                        + " \"fun\": \"state.apply\", \"arg\": []}",
                "{\"return\": [{\"jid\": \"" + jid + "\", \"minions\": [\"" + minion + "\"]}]}");
        wire.stubFor(job(jid).willReturn(json(finishedJob(minion, jid, "true", "true"))));
    }

    static MappingBuilder job(String jid) {
        return get(urlEqualTo("/jobs/" + jid)).withHeader("X-Auth-Token", equalTo(TOKEN));
    }

    static String wheel(String fun, String match) {
        return "{\"client\": \"wheel\", \"fun\": \"" + fun + "\", \"match\": " + match + "}";
    }

    static String wheelReturn(String value) {
        return "{\"return\": [{\"tag\": \"salt/wheel/20261201170102000000\", \"data\": {\"fun\": \"wheel.key\", \"jid\": \"20261201170102000000\","
                + " \"user\": \"lifeguard\", \"_stamp\": \"2026-12-01T17:01:02.000000\", \"return\": " + value + ", \"success\": true}}]}";
    }

    /** {@code GET /jobs/JID} of a state run of two states (one changed) that has ended. */
    static String finishedJob(String minion, String jid, String first, String second) {
        String states = "{\"file_|-motd_|-/etc/motd_|-managed\": {\"__id__\": \"motd\", \"result\": " + first + ", \"comment\": \"File updated\","
                + " \"changes\": {\"diff\": \"...\"}}, \"cmd_|-purge_cache_|-rm -rf /var/cache/app_|-run\": {\"__id__\": \"purge_cache\","
                + " \"result\": " + second + ", \"comment\": \"Command \\\"rm\\\" run" + ("true".equals(second) ? "" : " failed") + "\", \"changes\": {}}}";
        return "{\"info\": [{\"jid\": \"" + jid + "\", \"Function\": \"state.sls\", \"Minions\": [\"" + minion + "\"], \"Result\": {\""
                + minion + "\": {\"return\": " + states + ", \"retcode\": " + ("true".equals(second) ? 0 : 2) + ", \"success\": true}}}],"
                + " \"return\": [{\"" + minion + "\": " + states + "}]}";
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** The requests salt-api was asked, oldest first; a request no stub matched fails the test there. */
    List<ServeEvent> served() {
        List<ServeEvent> events = new ArrayList<>(wire.getAllServeEvents());
        Collections.reverse(events);
        events.forEach(e -> assertTrue(e.getWasMatched(), "no stub matched " + e.getRequest()));
        return events;
    }

    /** The paths salt-api was asked, in order. */
    List<String> paths() {
        return served().stream().map(e -> e.getRequest().getUrl()).toList();
    }

    int logins() {
        return (int) paths().stream().filter("/login"::equals).count();
    }

    // ---------------------------------------------------------------- the steps' side

    Map<String, Object> settings() {
        return Map.of("transport", "api", "url", wire.baseUrl(), "eauth", "pam", "username", "lifeguard",
                "password", "env:SALT_API_PASSWORD");
    }

    StepRequest request(String type, Map<String, Object> extra) {
        return request(type, INSTANCE, extra);
    }

    StepRequest request(String type, String instanceId, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(settings());
        config.putAll(extra);
        return new StepRequest(event(GROUP, instanceId), InstanceFacts.unknown(instanceId), new StepConfig(type, config), false,
                Heartbeat.NONE);
    }

    static LifecycleEvent event(String group, String instanceId) {
        return new LifecycleEvent(Kind.LAUNCHING, Kind.LAUNCHING.eventName(), Envelope.DIRECT, group, instanceId, "hook",
                UUID.randomUUID().toString(), null, null, "m-1", null, null, null, null, null, null);
    }
}
