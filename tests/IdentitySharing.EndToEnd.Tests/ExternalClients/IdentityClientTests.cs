using System.Globalization;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests.ExternalClients;

/// <summary>
/// The identity RPCs as clients nobody here wrote see them: stubs generated from protos/ by
/// grpc-js and grpcio, calling the real host against the upstream fakes. The tests judge the
/// JSON each client printed, google.rpc.Status details included.
/// </summary>
public abstract class IdentityClientTests(HostFixture host, IdentityClient client) : IClassFixture<HostFixture>
{
    private const int Ok = 0, InvalidArgument = 3, DeadlineExceeded = 4, ResourceExhausted = 8, FailedPrecondition = 9;
    private const string Domain = "identitysharing.v1";

    [Fact]
    public async Task GenerateShareToken_returns_the_token_sumsub_minted()
    {
        host.Reset();
        var before = DateTimeOffset.UtcNow;

        var observed = await CallAsync("GenerateShareToken",
            """{"applicant_id":"5f1c0ffee0ddba11","for_client_id":"partner.example_1","ttl_seconds":600}""");

        observed.Code.Should().Be(Ok, observed.Printed);
        var response = observed.Response!.Value;
        response.GetProperty("token").GetString().Should().StartWith("_act-fake-");
        response.GetProperty("for_client_id").GetString().Should().Be("partner.example_1");
        DateTimeOffset.Parse(response.GetProperty("expires_at").GetString()!, CultureInfo.InvariantCulture)
            .Should().BeOnOrAfter(before.AddSeconds(599)).And.BeOnOrBefore(DateTimeOffset.UtcNow.AddSeconds(601));
        host.Sumsub.Requests.Should().ContainSingle().Which.SignatureValid.Should().BeTrue();
    }

    [Fact]
    public async Task ImportApplicant_with_every_field_returns_the_new_applicant()
    {
        host.Reset();

        var observed = await CallAsync("ImportApplicant", $$"""
            {"share_token":"_act-partner-token+/=","reset_id_doc_set_types":["SELFIE","IDENTITY"],
             "user_id":"customer-42","level_name":"basic-kyc-level","account":"{{HostFixture.MainAccount}}",
             "request_id":"{{Guid.NewGuid()}}"}
            """);

        observed.Code.Should().Be(Ok, observed.Printed);
        var applicant = observed.Response!.Value.GetProperty("applicant");
        applicant.GetProperty("id").GetString().Should().StartWith("fakeapplicant");
        applicant.GetProperty("client_id").GetString().Should().Be(HostFixture.MainClientId);
        applicant.GetProperty("external_user_id").GetString().Should().Be("customer-42");
        applicant.GetProperty("level_name").GetString().Should().Be("basic-kyc-level");
        applicant.GetProperty("review_status").GetString().Should().Be("completed");
        DateTimeOffset.Parse(applicant.GetProperty("created_at").GetString()!, CultureInfo.InvariantCulture)
            .Should().Be(host.Sumsub.Imported("customer-42")!.CreatedAt);

        var sent = host.Sumsub.Requests.Should().ContainSingle().Subject;
        sent.SignatureValid.Should().BeTrue();
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(host.Sumsub.BaseUrl, sent.Target).Query);
        query["shareToken"].Should().Be("_act-partner-token+/=");
        query["resetIdDocSetTypes"].Should().Be("SELFIE,IDENTITY");
        query["userId"].Should().Be("customer-42");
        query["levelName"].Should().Be("basic-kyc-level");
    }

    [Fact]
    public async Task ShareWithBanxa_echoes_the_identity_reference_banxa_accepted()
    {
        host.Reset();

        var observed = await CallAsync("ShareWithBanxa", ValidBanxaRequest);

        observed.Code.Should().Be(Ok, observed.Printed);
        observed.Response!.Value.GetProperty("identity_reference").GetString().Should().Be("customer-0001");
        host.Banxa.Requests.Should().ContainSingle().Which.SignatureValid.Should().BeTrue();
    }

    [Fact]
    public async Task Bad_fields_are_invalid_argument_with_a_field_violation_each_before_any_upstream_call()
    {
        host.Reset();

        var observed = await CallAsync("ShareWithBanxa",
            """{"applicant_id":"","identity_reference":"not allowed!","email":"no-at-sign","mobile_number":"12"}""");

        observed.Code.Should().Be(InvalidArgument, observed.Printed);
        observed.CodeName.Should().Be("INVALID_ARGUMENT");
        observed.ViolatedFields.Should().BeEquivalentTo("applicant_id", "identity_reference", "email", "mobile_number");
        observed.Detail("bad_request")!.Value.GetProperty("field_violations").EnumerateArray()
            .Should().OnlyContain(v => !string.IsNullOrWhiteSpace(v.GetProperty("description").GetString()));
        observed.Details!.Value.GetProperty("status_code").GetInt32().Should().Be(InvalidArgument);
        host.Sumsub.Requests.Should().BeEmpty();
        host.Banxa.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_share_token_sumsub_rejects_is_failed_precondition_with_error_info()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(401,
            """{"description":"Token is invalid or expired","code":401,"correlationId":"corr-rejected-token"}"""));

        var observed = await CallAsync("ImportApplicant", """{"share_token":"_act-used-token"}""");

        observed.Code.Should().Be(FailedPrecondition, observed.Printed);
        observed.CodeName.Should().Be("FAILED_PRECONDITION");
        observed.Message.Should().NotContain("_act-used-token");
        var info = observed.Detail("error_info")!.Value;
        info.GetProperty("reason").GetString().Should().NotBeNullOrEmpty();
        info.GetProperty("domain").GetString().Should().Be(Domain);
        var metadata = info.GetProperty("metadata");
        metadata.GetProperty("upstream").GetString().Should().Be("sumsub");
        metadata.GetProperty("upstream_status").GetString().Should().Be("401");
        metadata.GetProperty("upstream_correlation_id").GetString().Should().Be("corr-rejected-token");
    }

    [Fact]
    public async Task An_upstream_rate_limit_is_resource_exhausted_with_retry_info()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse
        {
            Status = 429,
            Body = """{"description":"Too many requests","code":429}""",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "7" },
        });

        var observed = await CallAsync("GenerateShareToken", """{"applicant_id":"5f1c0ffee0ddba11","for_client_id":"partner"}""");

        observed.Code.Should().Be(ResourceExhausted, observed.Printed);
        observed.CodeName.Should().Be("RESOURCE_EXHAUSTED");
        observed.Detail("retry_info")!.Value.GetProperty("retry_delay_seconds").GetDouble().Should().Be(7);
    }

    [Fact]
    public async Task A_client_deadline_shorter_than_a_slow_upstream_is_deadline_exceeded()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse { Delay = TimeSpan.FromSeconds(60), Body = "{}" });

        var observed = await CallAsync("GenerateShareToken", """{"applicant_id":"5f1c0ffee0ddba11","for_client_id":"partner"}""",
            deadline: TimeSpan.FromSeconds(1));

        observed.Code.Should().Be(DeadlineExceeded, observed.Printed);
        observed.CodeName.Should().Be("DEADLINE_EXCEEDED");
        observed.Response.Should().BeNull();
    }

    private const string ValidBanxaRequest =
        """{"applicant_id":"5f1c0ffee0ddba11","identity_reference":"customer-0001","email":"ada@example.com","mobile_number":"+447700900123"}""";

    private Task<ClientObservation> CallAsync(string method, string requestJson, TimeSpan? deadline = null) =>
        client.CallAsync(host.Address, method, requestJson, deadline);
}

public sealed class NodeGrpcJsIdentityClientTests(HostFixture host) : IdentityClientTests(host, new NodeIdentityClient());

public sealed class PythonGrpcioIdentityClientTests(HostFixture host) : IdentityClientTests(host, new PythonIdentityClient());
