package io.github.insideoutgateway.examples;

import java.util.List;
import java.util.Map;

import io.github.insideoutgateway.cdk.HttpProxyApi;
import io.github.insideoutgateway.cdk.HttpProxyTarget;
import io.github.insideoutgateway.cdk.HttpTargetOptions;
import io.github.insideoutgateway.cdk.InvokerRequest;
import io.github.insideoutgateway.cdk.InvokerSchedule;
import io.github.insideoutgateway.cdk.ScheduledInvoker;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/** The quickstart app in Java: the same stack as ../typescript/app.ts. */
public final class QuickstartApp {
    private QuickstartApp() {
    }

    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "InsideOutQuickstart", StackProps.builder()
                .env(Environment.builder().account("111111111111").region("eu-west-1").build())
                .build());

        // cloudWatchRole: a fresh account has no API Gateway CloudWatch role, and
        // the stage cannot enable logging without one; leave it out where the
        // account's role is already set (README: "The account CloudWatch role")
        HttpProxyApi api = HttpProxyApi.Builder.create(stack, "Egress")
                .cloudWatchRole(true)
                .build();

        HttpProxyTarget forecast = api.addTarget("forecast", HttpTargetOptions.builder()
                .url("https://api.open-meteo.example/v1/forecast/{city}")
                .queryParameters(List.of("days"))
                .staticQueryParameters(Map.of("units", "metric"))
                .build());

        HttpProxyTarget status = api.addTarget("status", HttpTargetOptions.builder()
                .url("https://status.partner.example/api")
                .proxy(true)
                .build());

        ScheduledInvoker.Builder.create(stack, "Poller")
                .schedule(InvokerSchedule.rate(Duration.minutes(15)))
                .requests(List.of(
                        InvokerRequest.builder().target(forecast)
                                .pathParameters(Map.of("city", "paris"))
                                .queryParameters(Map.of("days", "3"))
                                .build(),
                        InvokerRequest.builder().target(forecast)
                                .pathParameters(Map.of("city", "oslo"))
                                .queryParameters(Map.of("days", "3"))
                                .build(),
                        InvokerRequest.builder().target(status).proxyPath("v2/summary").build()))
                .build();

        app.synth();
    }
}
