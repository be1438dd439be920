# The quickstart app in Python: the same stack as ../typescript/app.ts.
import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from cdk_inside_out_gateway import HttpProxyApi

app = cdk.App()
stack = cdk.Stack(
    app,
    "InsideOutQuickstart",
    env=cdk.Environment(account="111111111111", region="eu-west-1"),
)

api = HttpProxyApi(stack, "Egress")

forecast = api.add_target(
    "forecast",
    url="https://api.open-meteo.example/v1/forecast/{city}",
    query_parameters=["days"],
    static_query_parameters={"units": "metric"},
)

api.add_target(
    "status",
    url="https://status.partner.example/api",
    proxy=True,
)

poller = iam.Role(
    stack,
    "PollerRole",
    assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
)
forecast.grant_invoke(poller)

app.synth()
