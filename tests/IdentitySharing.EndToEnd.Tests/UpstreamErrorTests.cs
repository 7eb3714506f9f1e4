using Google.Rpc;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>Every row of the error table, driven by what the upstream fakes answer.</summary>
public sealed class UpstreamErrorTests(HostFixture host) : IClassFixture<HostFixture>
{
    private const int NotFound = 5, FailedPrecondition = 9, Internal = 13, ResourceExhausted = 8, Unavailable = 14, InvalidArgument = 3, DeadlineExceeded = 4;

    public static TheoryData<int, string, int, string?> SumsubShareTokenAnswers => new()
    {
        { 401, """{"description":"Invalid signature","code":401,"correlationId":"c-401"}""", Internal, "c-401" },
        { 403, """{"description":"Forbidden","code":403,"correlationId":"c-403"}""", Internal, "c-403" },
        { 404, """{"description":"Applicant not found","code":404,"correlationId":"c-404"}""", NotFound, "c-404" },
        { 409, """{"description":"Applicant deactivated","code":409,"correlationId":"c-409"}""", FailedPrecondition, "c-409" },
        { 400, """{"description":"Not in partners list","code":400,"errorCode":10501,"errorName":"not-in-partners-list"}""", FailedPrecondition, null },
        { 500, """{"description":"Internal error","code":500,"correlationId":"c-500"}""", Unavailable, "c-500" },
        { 503, "<html>down</html>", Unavailable, null },
    };

    [Theory]
    [MemberData(nameof(SumsubShareTokenAnswers))]
    public async Task GenerateShareToken_maps_each_sumsub_status(int httpStatus, string body, int expectedCode, string? correlationId)
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(httpStatus, body));

        var call = await host.Client.GenerateShareToken(ValidTokenRequest());

        call.StatusCode.Should().Be(expectedCode, call.StatusMessage);
        call.StatusDetails!.Code.Should().Be(expectedCode);
        var info = call.Detail<ErrorInfo>()!;
        info.Domain.Should().Be("identitysharing.v1");
        info.Metadata["upstream"].Should().Be("sumsub");
        info.Metadata["upstream_status"].Should().Be(httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (correlationId is not null)
        {
            info.Metadata["upstream_correlation_id"].Should().Be(correlationId);
        }
    }

    [Fact]
    public async Task Our_rejected_credentials_are_internal_and_never_blamed_on_the_caller_or_leaked()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(401, """{"description":"App token invalid","code":401}"""));

        var call = await host.Client.GenerateShareToken(ValidTokenRequest());

        call.StatusCode.Should().Be(Internal);
        call.StatusMessage.Should().NotContain(host.Sumsub.SecretKey).And.NotContain(host.Sumsub.AppToken);
        call.Detail<BadRequest>().Should().BeNull("the caller's request was fine");
    }

    [Theory]
    [InlineData(401, """{"description":"Token is invalid or expired","code":401}""")]
    [InlineData(400, """{"description":"Invalid share token","code":400,"errorCode":10503,"errorName":"invalid-share-token"}""")]
    [InlineData(400, """{"description":"Non-suitable share token","code":400,"errorCode":10504,"errorName":"non-suitable-share-token"}""")]
    public async Task ImportApplicant_with_a_rejected_share_token_is_a_failed_precondition(int httpStatus, string body)
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(httpStatus, body));

        var call = await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-used-token" });

        call.StatusCode.Should().Be(FailedPrecondition, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Metadata["upstream"].Should().Be("sumsub");
        call.StatusMessage.Should().NotContain("_act-used-token");
    }

    [Fact]
    public async Task Rate_limiting_is_resource_exhausted_with_retry_info()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse
        {
            Status = 429,
            Body = """{"description":"Too many requests","code":429}""",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "7" },
        });

        var call = await host.Client.GenerateShareToken(ValidTokenRequest());

        call.StatusCode.Should().Be(ResourceExhausted);
        call.Detail<RetryInfo>()!.RetryDelay.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(7));
    }

    [Theory]
    [InlineData(FaultMode.CloseConnection)]
    [InlineData(FaultMode.ResetMidResponse)]
    [InlineData(FaultMode.MalformedJson)]
    [InlineData(FaultMode.HugeBody)]
    public async Task Broken_upstream_answers_are_unavailable(FaultMode fault)
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.WithFault(fault));

        var call = await host.Client.GenerateShareToken(ValidTokenRequest(), timeout: TimeSpan.FromSeconds(30));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
    }

    [Fact]
    public async Task A_refused_connection_is_unavailable()
    {
        var call = await host.Client.GenerateShareToken(ValidTokenRequest(HostFixture.UnreachableAccount));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
    }

    [Fact]
    public async Task An_upstream_slower_than_the_deadline_ends_in_deadline_exceeded()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse { Delay = TimeSpan.FromSeconds(30), Body = "{}" });

        var call = await host.Client.GenerateShareToken(ValidTokenRequest(), timeout: TimeSpan.FromMilliseconds(500));

        call.StatusCode.Should().Be(DeadlineExceeded, call.StatusMessage);
    }

    [Fact]
    public async Task Banxa_422_becomes_invalid_argument_with_banxas_fields_under_proto_names()
    {
        host.Reset();
        host.Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422,
            """{"message":"The given data was invalid.","errors":{"email":["The email has already been taken."],"mobileNumber":["Invalid number."]},"status":422}"""));

        var call = await host.Client.ShareWithBanxa(ValidBanxaRequest());

        call.StatusCode.Should().Be(InvalidArgument, call.StatusMessage);
        call.Detail<BadRequest>()!.FieldViolations.Select(v => v.Field).Should().BeEquivalentTo("email", "mobile_number");
    }

    [Fact]
    public async Task A_banxa_422_with_a_100_KB_message_is_invalid_argument_within_a_16_KiB_header_limit()
    {
        host.Reset();
        var huge = string.Concat(Enumerable.Repeat("The email address is not valid. ", 3_200)); // 102,400 characters
        host.Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422,
            $$"""{"message":"The given data was invalid.","errors":{"email":["{{huge}}"]},"status":422}"""));
        // grpc-go's default limit for a response's header list (and so a status's): 16 KiB.
        using var strictClient = new GrpcWireClient(host.Address, new SocketsHttpHandler { MaxResponseHeadersLength = 16 });

        var call = await strictClient.ShareWithBanxa(ValidBanxaRequest());

        call.StatusCode.Should().Be(InvalidArgument, call.StatusMessage);
        call.StatusMessage!.Length.Should().BeLessThanOrEqualTo(300);
        call.StatusMessage.Should().StartWith("Invalid field email: The email address is not valid.");
        call.Detail<BadRequest>()!.FieldViolations.Should().ContainSingle()
            .Which.Description.Length.Should().BeInRange(100, 200);
        var statusSize = call.Headers.Concat(call.Trailers).Sum(h => h.Key.Length + h.Value.Length);
        statusSize.Should().BeLessThan(4_096);
    }

    [Fact]
    public async Task A_banxa_422_quoting_personal_data_in_other_forms_reaches_the_caller_redacted()
    {
        host.Reset();
        host.Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, """
            {"message":"invalid","errors":{"mobileNumber":["The number +44 7700 900123 (07700-900-123) is invalid."],
              "email":["ada%40example.com is taken, like grace.hopper@navy.example."]},"status":422}
            """));

        var call = await host.Client.ShareWithBanxa(ValidBanxaRequest());

        call.StatusCode.Should().Be(InvalidArgument, call.StatusMessage);
        var violations = call.Detail<BadRequest>()!.FieldViolations;
        violations.Single(v => v.Field == "mobile_number").Description.Should().StartWith("The number [redacted]").And.EndWith(" is invalid.").And.NotContainAny("0", "1", "2", "3", "4", "7", "9");
        violations.Single(v => v.Field == "email").Description.Should().Be("[redacted] is taken, like [redacted].");
        var everything = call.StatusMessage + string.Join("|", violations.Select(v => v.Description))
            + string.Join("|", call.Detail<ErrorInfo>()!.Metadata.Values);
        everything.Should().NotContain("@").And.NotContain("%40").And.NotContain("ada").And.NotContain("grace")
            .And.NotContain("7700").And.NotContain("900123").And.NotContain("900-123");
        host.Logs.AllText.Should().NotContain("grace.hopper").And.NotContain("7700 900123").And.NotContain("ada%40example");
    }

    [Theory]
    [InlineData(401, """{"message":"Unauthenticated.","status":401}""", Internal)]
    [InlineData(404, """{"message":"Not Found","status":404}""", NotFound)]
    [InlineData(500, """{"message":"Server Error","status":500,"traceId":"t-1"}""", Unavailable)]
    [InlineData(429, """{"message":"Too Many Attempts.","status":429}""", ResourceExhausted)]
    public async Task Banxa_failures_map_to_the_error_table(int httpStatus, string body, int expectedCode)
    {
        host.Reset();
        host.Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(httpStatus, body));

        var call = await host.Client.ShareWithBanxa(ValidBanxaRequest());

        call.StatusCode.Should().Be(expectedCode, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Metadata["upstream"].Should().Be("banxa");
    }

    [Fact]
    public async Task Banxa_is_not_called_when_minting_its_token_fails()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(404, """{"description":"Applicant not found","code":404}"""));

        var call = await host.Client.ShareWithBanxa(ValidBanxaRequest());

        call.StatusCode.Should().Be(NotFound);
        host.Banxa.Requests.Should().BeEmpty();
    }

    private static GenerateShareTokenRequest ValidTokenRequest(string account = "") =>
        new() { ApplicantId = "5f1c0ffee0ddba11", ForClientId = "partner", Account = account };

    private static ShareWithBanxaRequest ValidBanxaRequest() => new()
    {
        ApplicantId = "5f1c0ffee0ddba11",
        IdentityReference = "customer-0001",
        Email = "ada@example.com",
        MobileNumber = "+447700900123",
    };
}
