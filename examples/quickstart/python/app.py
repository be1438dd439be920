# The quickstart app in Python: the same stack as ../typescript/app.ts.
import aws_cdk as cdk
from cdk_inside_out_gateway import (
    HttpProxyApi,
    InvokerRequest,
    InvokerSchedule,
    ScheduledInvoker,
)

app = cdk.App()
stack = cdk.Stack(
    app,
    "InsideOutQuickstart",
    env=cdk.Environment(account="111111111111", region="eu-west-1"),
)

# cloud_watch_role: a fresh account has no API Gateway CloudWatch role, and
# the stage cannot enable logging without one; leave it out where the
# account's role is already set (README: "The account CloudWatch role")
api = HttpProxyApi(stack, "Egress", cloud_watch_role=True)

forecast = api.add_target(
    "forecast",
    url="https://api.open-meteo.example/v1/forecast/{city}",
    query_parameters=["days"],
    static_query_parameters={"units": "metric"},
)

status = api.add_target(
    "status",
    url="https://status.partner.example/api",
    proxy=True,
)

ScheduledInvoker(
    stack,
    "Poller",
    schedule=InvokerSchedule.rate(cdk.Duration.minutes(15)),
    requests=[
        InvokerRequest(target=forecast, path_parameters={"city": "paris"}, query_parameters={"days": "3"}),
        InvokerRequest(target=forecast, path_parameters={"city": "oslo"}, query_parameters={"days": "3"}),
        InvokerRequest(target=status, proxy_path="v2/summary"),
    ],
)

app.synth()
