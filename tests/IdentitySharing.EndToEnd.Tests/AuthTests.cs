using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IdentitySharing.Contracts.V1;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>The auth matrix over the wire: no key, wrong key, right key on allowed and disallowed methods, rate limits.</summary>
public sealed class AuthTests(AuthHostFixture host) : IClassFixture<AuthHostFixture>
{
    private const string HealthCheck = "/grpc.health.v1.Health/Check";
    private const int Ok = 0, PermissionDenied = 7, ResourceExhausted = 8, Unauthenticated = 16;

    private static ShareWithBanxaRequest BanxaRequest => new() { ApplicantId = "abc123", IdentityReference = "c-1", Email = "auth.probe@example.com", MobileNumber = "+447700955502" };

    [Fact]
    public async Task A_call_without_credentials_is_unauthenticated_and_never_reaches_the_upstream()
    {
        host.Reset();
        var result = await host.Client.ShareWithBanxa(BanxaRequest);

        result.StatusCode.Should().Be(Unauthenticated);
        // Like every failure, it carries a google.rpc.Status matching the status (and no details).
        result.StatusDetails.Should().NotBeNull();
        result.StatusDetails!.Code.Should().Be(Unauthenticated);
        result.StatusDetails.Message.Should().Be(result.StatusMessage).And.NotBeEmpty();
        result.StatusDetails.Details.Should().BeEmpty();
        host.Banxa.Requests.Should().BeEmpty();
        host.Sumsub.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_key_is_unauthenticated_and_is_not_echoed()
    {
        var wrongKey = AuthHostFixture.NewKey();
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/ShareWithBanxa", BanxaRequest, ShareWithBanxaResponse.Parser, AuthHostFixture.Bearer(wrongKey));

        result.StatusCode.Should().Be(Unauthenticated);
        result.StatusMessage.Should().NotContain(wrongKey);
        host.Logs.AllText.Should().NotContain(wrongKey);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer two words")]
    [InlineData("Bearer key\twith-tab")]
    [InlineData("Bearerkey")]
    [InlineData("token-without-scheme")]
    public async Task A_malformed_authorization_value_is_unauthenticated(string authorization)
    {
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken",
            new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" },
            GenerateShareTokenResponse.Parser,
            [new("authorization", authorization)]);

        result.StatusCode.Should().Be(Unauthenticated);
    }

    [Fact]
    public async Task A_very_long_authorization_value_is_unauthenticated()
    {
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken",
            new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" },
            GenerateShareTokenResponse.Parser,
            AuthHostFixture.Bearer(new string('k', 12 * 1024)));

        result.StatusCode.Should().Be(Unauthenticated);
    }

    [Fact]
    public async Task Two_authorization_values_are_unauthenticated_even_if_one_is_right()
    {
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/ShareWithBanxa",
            BanxaRequest,
            ShareWithBanxaResponse.Parser,
            [.. AuthHostFixture.Bearer(host.BillingKey), .. AuthHostFixture.Bearer(AuthHostFixture.NewKey())]);

        result.StatusCode.Should().Be(Unauthenticated);
    }

    [Fact]
    public async Task The_right_key_on_an_allowed_method_succeeds_as_that_caller()
    {
        host.Reset();
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/ShareWithBanxa", BanxaRequest, ShareWithBanxaResponse.Parser, AuthHostFixture.Bearer(host.BillingKey));

        result.StatusCode.Should().Be(Ok, result.StatusMessage);
        result.Response!.IdentityReference.Should().Be("c-1");
        host.Callers.Seen.Should().Contain(("billing", "ShareWithBanxa"));
        host.Logs.Lines.Should().Contain(line => line.Contains("IdentitySharing.Rpc") && line.Contains("RPC ShareWithBanxa") && line.Contains("by billing") && line.Contains("ended OK"));
    }

    [Fact]
    public async Task The_right_key_on_a_method_outside_the_allow_list_is_permission_denied()
    {
        host.Reset();
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken",
            new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" },
            GenerateShareTokenResponse.Parser,
            AuthHostFixture.Bearer(host.BillingKey));

        result.StatusCode.Should().Be(PermissionDenied);
        result.StatusMessage.Should().Contain("billing").And.Contain("GenerateShareToken");
        result.StatusDetails.Should().NotBeNull();
        result.StatusDetails!.Code.Should().Be(PermissionDenied);
        result.StatusDetails.Message.Should().Be(result.StatusMessage);
        result.StatusDetails.Details.Should().BeEmpty();
        host.Sumsub.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_caller_allowed_every_method_may_call_any_and_its_hash_matches_case_insensitively()
    {
        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken",
            new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" },
            GenerateShareTokenResponse.Parser,
            AuthHostFixture.Bearer(host.OpsKey));

        result.StatusCode.Should().Be(Ok, result.StatusMessage);
        host.Callers.Seen.Should().Contain(("ops", "GenerateShareToken"));
    }

    [Fact]
    public async Task Health_is_reachable_without_a_key()
    {
        var result = await host.Client.CallAsync(HealthCheck, new Empty(), Empty.Parser);

        result.StatusCode.Should().Be(Ok);
    }

    [Fact]
    public async Task A_caller_over_its_rate_limit_gets_resource_exhausted_with_retry_info()
    {
        var request = new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" };
        var results = new List<int>();
        Testing.Grpc.GrpcCallResult<GenerateShareTokenResponse>? limited = null;
        // Burst 2, one permit per 1000 s: the third call cannot find a token.
        for (var i = 0; i < 3; i++)
        {
            limited = await host.Client.CallAsync(
                "/identitysharing.v1.IdentitySharingService/GenerateShareToken", request, GenerateShareTokenResponse.Parser, AuthHostFixture.Bearer(host.LimitedKey));
            results.Add(limited.StatusCode);
        }

        results.Should().Equal(Ok, Ok, ResourceExhausted);
        limited!.Detail<RetryInfo>().Should().NotBeNull();
        limited.Detail<RetryInfo>()!.RetryDelay.ToTimeSpan().Should().BePositive();

        // Other callers keep their own buckets.
        var other = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken", request, GenerateShareTokenResponse.Parser, AuthHostFixture.Bearer(host.OpsKey));
        other.StatusCode.Should().Be(Ok);
    }

    [Fact]
    public async Task Keys_are_never_logged_and_upstream_urls_are_not_logged_by_the_http_client_factory()
    {
        host.Reset();
        await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/ImportApplicant",
            new ImportApplicantRequest { ShareToken = "_act-auth-log-probe-token", UserId = "u-1" },
            ImportApplicantResponse.Parser,
            AuthHostFixture.Bearer(host.OpsKey));

        var logs = host.Logs.AllText;
        logs.Should().Contain("RPC ImportApplicant");
        logs.Should().NotContain("_act-auth-log-probe-token");
        logs.Should().NotContain("System.Net.Http.HttpClient.");
        foreach (var key in new[] { host.BillingKey, host.OpsKey, host.LimitedKey })
        {
            logs.Should().NotContain(key);
        }
    }
}
