package dev.lifeguard.local;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EC2 DescribeInstances for local mode only (the tests use moto_server's EC2): any instance
 * asked for by id exists, already terminated, with a private address derived from its id, so
 * the bundled samples show facts being learnt and cleanup going ahead. Searches by address or
 * name find nothing alive.
 */
final class LocalEc2 implements ResponseDefinitionTransformerV2 {
    static final String NAME = "local-ec2-describe-instances";
    /** Asked by id, or (as Lifeguard does, in batches) through the instance-id filter. */
    private static final Pattern INSTANCE_ID = Pattern.compile("(?:^|&)(?:InstanceId\\.\\d+|Filter\\.1\\.Value\\.\\d+)=(i-[0-9a-f]+)");

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
        String form = URLDecoder.decode(serveEvent.getRequest().getBodyAsString(), StandardCharsets.UTF_8);
        Matcher id = INSTANCE_ID.matcher(form);
        StringBuilder instances = new StringBuilder();
        while (id.find()) {
            String instanceId = id.group(1);
            int hash = Math.abs(instanceId.hashCode());
            String ip = "10.0." + (hash % 250 + 1) + "." + (hash / 250 % 250 + 1);
            instances.append("<item><reservationId>r-local</reservationId><ownerId>000000000000</ownerId><instancesSet><item>"
                    + "<instanceId>" + instanceId + "</instanceId>"
                    + "<instanceState><code>48</code><name>terminated</name></instanceState>"
                    + "<privateIpAddress>" + ip + "</privateIpAddress>"
                    + "<privateDnsName>ip-" + ip.replace('.', '-') + ".ec2.internal</privateDnsName>"
                    + "</item></instancesSet></item>");
        }
        return new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder()
                .withStatus(200)
                .withHeader("Content-Type", "text/xml")
                .withBody("<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                        + "<requestId>local</requestId><reservationSet>" + instances + "</reservationSet></DescribeInstancesResponse>")
                .build();
    }
}
