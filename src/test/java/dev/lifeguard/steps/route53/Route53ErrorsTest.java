package dev.lifeguard.steps.route53;

import dev.lifeguard.accounts.PerAccount;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.PermanentStepException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Route53Exception;

/**
 * How the Route53 steps take Route53's errors, answered over the wire by WireMock in Route53's
 * REST-XML error format: answers no retry can change fail the step permanently with AWS's
 * message; others stay ordinary failures.
 */
class Route53ErrorsTest {
    private static final String ZONE = "Z0123456789ABCDEFGHIJ";
    private static WireMockServer route53Api;
    private static Route53Client route53;

    @BeforeAll
    static void start() {
        route53Api = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        route53Api.start();
        route53 = MotoZones.client("http://127.0.0.1:" + route53Api.port(), new AtomicInteger());
    }

    @AfterAll
    static void stop() {
        route53.close();
        route53Api.stop();
    }

    @BeforeEach
    void reset() {
        route53Api.resetAll();
    }

    private static void answer(int status, String code, String message) {
        route53Api.stubFor(any(anyUrl()).willReturn(error(status, code, message)));
    }

    /** An error as Route53 sends it. */
    private static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml")
                .withBody("<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
                        + "<Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                        + "<RequestId>6b2f3c1e-7a4d-4e0b-9f5a-2c8d1e3f4a5b</RequestId></ErrorResponse>");
    }

    private static Map<String, Object> cleanup() {
        Map<String, Object> config = new HashMap<>();
        config.put("zones", List.of(ZONE));
        config.put("names", List.of("{instanceId}.example.com"));
        return config;
    }

    @ParameterizedTest(name = "{1} ({0}) is permanent")
    @CsvSource(delimiter = '|', value = {
        "403 | AccessDenied     | User: arn:aws:sts::123456789012:assumed-role/lifeguard/task is not authorized to perform: route53:ListResourceRecordSets",
        "404 | NoSuchHostedZone | No hosted zone found with ID: Z0123456789ABCDEFGHIJ",
        "400 | InvalidInput     | Invalid XML ; cvc-maxLength-valid",
    })
    void answersNoRetryCanChangeFailTheStepPermanentlyWithAwsMessage(int status, String code, String message) {
        answer(status, code, message);

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new Route53Cleanup(PerAccount.only(route53)).run(
                MotoZones.request(MotoZones.terminated(), MotoZones.facts(), cleanup(), false, Heartbeat.NONE)));

        assertEquals("dns: Route53 refused listing zone " + ZONE + " (" + code + "): " + message, error.getMessage());
        assertTrue(error.getCause() instanceof Route53Exception, () -> String.valueOf(error.getCause()));
    }

    @Test
    void anUpsertThatIsDeniedFailsPermanently() {
        // The read finds nothing; the change is denied.
        route53Api.stubFor(get(urlMatching(".*/rrset.*")).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                .withBody("<?xml version=\"1.0\"?>\n<ListResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
                        + "<ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>")));
        route53Api.stubFor(post(urlMatching(".*/rrset.*")).willReturn(error(403, "AccessDenied",
                "not authorized to perform: route53:ChangeResourceRecordSets")));
        Map<String, Object> config = new HashMap<>();
        config.put("zone", ZONE);
        config.put("record", "{instanceId}.example.com");

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new Route53Upsert(PerAccount.only(route53)).run(
                MotoZones.request(MotoZones.launched(), MotoZones.facts(), config, false, Heartbeat.NONE)));

        assertEquals("dns: Route53 refused the UPSERT of " + MotoZones.INSTANCE + ".example.com. in zone " + ZONE
                + " (AccessDenied): not authorized to perform: route53:ChangeResourceRecordSets", error.getMessage());
        route53Api.verify(1, postRequestedFor(urlMatching(".*/rrset.*")));
    }

    @Test
    void aChangeBatchThatNoLongerMatchesStaysAnOrdinaryFailure() {
        answer(400, "InvalidChangeBatch", "Tried to delete resource record set but it was not found");

        Route53Exception error = assertThrows(Route53Exception.class, () -> new Route53Cleanup(PerAccount.only(route53)).run(
                MotoZones.request(MotoZones.terminated(), MotoZones.facts(), cleanup(), false, Heartbeat.NONE)));

        assertFalse(error instanceof software.amazon.awssdk.services.route53.model.InvalidInputException);
        assertEquals("InvalidChangeBatch", error.awsErrorDetails().errorCode());
    }
}
