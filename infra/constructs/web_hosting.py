"""The demo page (``web/``) on S3 behind CloudFront: optional (``-c web_hosting=true``).

The bucket is private and only CloudFront reads it, through origin access control (OAC), so the
files are never public on S3. Both bill per request and per GB: an unused demo costs nothing but
a few kilobytes of storage. ``config.json`` next to the page tells it the API's URL and the
Cognito settings of this stack: with the stack's own pool the page signs in through Cognito's
hosted UI (authorization code + PKCE, ``hosted_sign_in.py``); with a pool of one's own it takes
a pasted ID token (docs/deploy.md).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, CfnElement, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct, IConstruct

from infra.constructs.hosted_sign_in import HostedSignIn
from infra.nag import acknowledge

_CACHE_SECONDS = 300
"""Browsers and CloudFront keep the page for 5 minutes; a deployment also invalidates it."""


class WebHosting(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, web_dir: Path) -> None:
        super().__init__(scope, construct_id)
        self._web_dir = web_dir
        self.page_config: dict[str, object] = {}
        """What ``config.json`` holds, once ``publish`` has run (with tokens; tests resolve it)."""
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            # Only rebuildable files live here; an emptied bucket goes with the stack.
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="gamify demo page",
            default_root_object="index.html",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self._security_headers(),
            ),
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "Holds only the public demo page's static files, served through CloudFront; "
            "access logs would add a second bucket and cost for no audit value.",
        )
        for finding, reason in (
            ("AwsSolutions-CFR1", "A demo page for every region: no geographic restriction."),
            (
                "AwsSolutions-CFR2",
                "Static files only, no forms or data: AWS WAF's monthly fee per web ACL would be "
                "the demo's only idle cost. The API behind it is authenticated and throttled.",
            ),
            (
                "AwsSolutions-CFR3",
                "Access logs of a static demo page are not needed; the API keeps its own logs.",
            ),
            (
                "AwsSolutions-CFR4",
                "The default *.cloudfront.net certificate is used (no custom domain); CloudFront "
                "then negotiates TLS itself. Use a certificate of your own for a real site.",
            ),
        ):
            acknowledge(self.distribution, finding, reason)

    @property
    def origin(self) -> str:
        """The page's origin, as the API's CORS list needs it (``https://d123.cloudfront.net``)."""
        return f"https://{self.distribution.distribution_domain_name}"

    def publish(
        self,
        *,
        api_url: str,
        user_pool_id: str,
        user_pool_client_id: str,
        hosted_sign_in: HostedSignIn | None = None,
    ) -> None:
        """Upload ``web/`` and a ``config.json`` naming this stack's API and user pool, and the
        hosted UI's domain and the page's client when it signs in there (``cognito.domain``)."""
        cognito: dict[str, str] = {
            "region": Aws.REGION,
            "userPoolId": user_pool_id,
            "clientId": user_pool_client_id,
        }
        if hosted_sign_in is not None:
            cognito |= {
                "clientId": hosted_sign_in.client_id,
                "domain": hosted_sign_in.url,
                "redirectUri": hosted_sign_in.redirect_uri,
            }
            # The page exchanges the code with a fetch (connect-src); the sign-in and sign-out
            # pages are navigations, which connect-src does not govern.
            policy = self._headers_policy.node.default_child
            assert isinstance(policy, cloudfront.CfnResponseHeadersPolicy)
            policy.add_property_override(
                "ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy."
                "ContentSecurityPolicy",
                content_security_policy(f"{hosted_sign_in.url}/oauth2/token"),
            )
        config = {"apiUrl": api_url, "devSignIn": False, "cognito": cognito}
        self.page_config = config
        deployment = s3deploy.BucketDeployment(
            self,
            "Files",
            sources=[
                s3deploy.Source.asset(str(self._web_dir)),
                s3deploy.Source.json_data("config.json", config),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            cache_control=[s3deploy.CacheControl.from_string(f"public, max-age={_CACHE_SECONDS}")],
            memory_limit=256,
        )
        _acknowledge_deployment_handler(self, deployment, self.bucket)
        _upload_after_the_handlers_log_group(deployment)

    def _security_headers(self) -> cloudfront.ResponseHeadersPolicy:
        """Scripts only from the page's origin; the API is the only other host it talks to
        (and the sign-in's token endpoint, which ``publish`` adds)."""
        self._headers_policy = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
            ),
        )
        return self._headers_policy


def content_security_policy(*connect_also: str) -> str:
    """The page's CSP: its own scripts, the API, and ``connect_also`` (exact URLs) for fetches."""
    connect = " ".join(
        ["'self'", f"https://*.execute-api.{Aws.REGION}.amazonaws.com", *connect_also]
    )
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' https: data:; connect-src {connect}; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


def _acknowledge_deployment_handler(
    scope: Construct, deployment: s3deploy.BucketDeployment, bucket: s3.Bucket
) -> None:
    """CDK's upload function is a singleton at stack level, outside this construct; it runs only
    while CloudFormation deploys, with CDK's own policy and runtime."""
    handlers = _deployment_handlers(scope)
    bucket_resource = bucket.node.default_child
    assert isinstance(bucket_resource, CfnElement)
    bucket_id = Stack.of(scope).get_logical_id(bucket_resource)
    findings = {
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]": "CDK's BucketDeployment handler writes its logs with the "
        "AWS-managed basic execution policy.",
        "AwsSolutions-L1": "CDK pins the BucketDeployment handler's runtime (with its AWS CLI "
        "layer); it runs only during deployments, never on a request.",
        "AwsSolutions-IAM5[Resource::*]": "cloudfront:CreateInvalidation / GetInvalidation, "
        "which CDK grants on * for the handler to invalidate the demo distribution.",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-"
        "<AWS::AccountId>-<AWS::Region>/*]": "Reads the uploaded web/ asset from CDK's own "
        "bootstrap asset bucket.",
        f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]": "Writes and prunes the demo "
        "page's files: every object of the demo bucket, and nothing else.",
    }
    for action in ("GetBucket*", "GetObject*", "List*", "Abort*", "DeleteObject*"):
        findings[f"AwsSolutions-IAM5[Action::s3:{action}]"] = (
            "CDK's read/write grant on the asset and demo buckets (s3:" + action + "), used "
            "only to copy web/ into the demo bucket during a deployment."
        )
    for handler in [*handlers, deployment.handler_role]:
        for finding, reason in findings.items():
            acknowledge(handler, finding, reason)


def _deployment_handlers(scope: Construct) -> list[IConstruct]:
    """CDK's upload functions: singletons at stack level, outside the deployment construct."""
    return [
        child
        for child in Stack.of(scope).node.children
        if child.node.id.startswith("Custom::CDKBucketDeployment")
    ]


def _upload_after_the_handlers_log_group(deployment: s3deploy.BucketDeployment) -> None:
    """CDK gives its upload function a ``/aws/lambda/<name>`` group with a retention but lets
    the upload run before the group exists: the first run could create it unexpiring (and the
    stack's own creation of the group then fail). The upload waits for the group."""
    uploads = [c for c in deployment.node.children if isinstance(c, CustomResource)]
    groups = [
        group
        for handler in _deployment_handlers(deployment)
        if (group := handler.node.try_find_child("LogGroup")) is not None
    ]
    for upload in uploads:
        for group in groups:
            upload.node.add_dependency(group)
