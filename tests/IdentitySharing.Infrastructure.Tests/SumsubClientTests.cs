using System.Text;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests;

public sealed class SumsubClientTests : UpstreamFakesTestBase
{
    private static readonly AccountName Main = AccountName.Create("main");
    private static readonly ApplicantId Applicant = ApplicantId.Create("5cb56e8e0a975a35f333cb83");
    private static readonly ClientId Recipient = ClientId.Create("partner.com_42");
    private const string TokenValue = "_act-share+token/with=odd&chars?";

    private Task<Result<IssuedShareToken>> GenerateAsync(ShareTokenTtl? ttl = null, CancellationToken? cancellationToken = null) =>
        Adapters.Sumsub.GenerateShareTokenAsync(Main, Applicant, Recipient, ttl ?? ShareTokenTtl.Default, cancellationToken ?? TestContext.Current.CancellationToken);

    private Task<Result<ImportedApplicant>> ImportAsync(ApplicantImport? import = null) =>
        Adapters.Sumsub.ImportApplicantAsync(Main, import ?? new ApplicantImport(ShareToken.Create(TokenValue), [], null, null), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Generate_share_token_sends_signed_compact_json_without_default_ttl()
    {
        var result = await GenerateAsync();

        result.IsSuccess.Should().BeTrue();
        result.Value.Token.Value.Should().StartWith("_act-fake-");
        result.Value.ForClientId.Should().Be(Recipient);
        var request = Sumsub.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Target.Should().Be("/resources/accessTokens/shareToken");
        request.BodyText.Should().Be("""{"applicantId":"5cb56e8e0a975a35f333cb83","forClientId":"partner.com_42"}""");
        request.Header("Content-Type").Should().Be("application/json");
        request.Header("X-App-Token").Should().Be(Sumsub.AppToken);
        request.SignatureValid.Should().BeTrue();
    }

    [Fact]
    public async Task Signature_is_over_exactly_the_bytes_sent()
    {
        await GenerateAsync(ShareTokenTtl.TryCreate(600, out var ttl, out _) ? ttl : null);

        var request = Sumsub.Requests.Should().ContainSingle().Subject;
        request.BodyText.Should().Be("""{"applicantId":"5cb56e8e0a975a35f333cb83","forClientId":"partner.com_42","ttlInSecs":600}""");
        var expected = VendorSignatures.Sumsub(Sumsub.SecretKey, request.Header("X-App-Access-Ts")!, "POST", request.Target, request.Body);
        request.Header("X-App-Access-Sig").Should().Be(expected);
        long.Parse(request.Header("X-App-Access-Ts")!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 120);
    }

    [Fact]
    public async Task A_wrong_secret_is_rejected_by_the_fake_and_reported_as_our_credentials_problem()
    {
        await using var misconfigured = AdapterHost.ForFakes(Sumsub, Banxa, sumsubSecret: "not-the-secret");

        var result = await misconfigured.Sumsub.GenerateShareTokenAsync(Main, Applicant, Recipient, ShareTokenTtl.Default, TestContext.Current.CancellationToken);

        Sumsub.Requests.Should().ContainSingle().Which.SignatureValid.Should().BeFalse();
        result.Error!.Kind.Should().Be(ErrorKind.UpstreamCredentials);
        result.Error.Message.Should().NotContain("not-the-secret").And.NotContain(Sumsub.AppToken);
    }

    [Fact]
    public async Task Import_encodes_query_values_before_signing_and_sends_no_body()
    {
        var import = new ApplicantImport(
            ShareToken.Create(TokenValue),
            [DocumentSetType.Create("SELFIE"), DocumentSetType.Create("IDENTITY")],
            ExternalUserId.Create("user 1/ü"),
            LevelName.Create("basic kyc"));

        var result = await ImportAsync(import);

        result.IsSuccess.Should().BeTrue();
        var request = Sumsub.Requests.Should().ContainSingle().Subject;
        request.Target.Should().Be(
            "/resources/applicants/-/import?shareToken=_act-share%2Btoken%2Fwith%3Dodd%26chars%3F"
            + "&resetIdDocSetTypes=SELFIE%2CIDENTITY&userId=user%201%2F%C3%BC&levelName=basic%20kyc");
        request.Body.Should().BeEmpty();
        request.SignatureValid.Should().BeTrue();
        result.Value.ExternalUserId.Should().Be("user 1/ü");
        result.Value.LevelName.Should().Be("basic kyc");
    }

    [Fact]
    public async Task Import_leaves_out_empty_options()
    {
        await ImportAsync();

        Sumsub.Requests.Should().ContainSingle().Which.Target.Should().Be(
            "/resources/applicants/-/import?shareToken=_act-share%2Btoken%2Fwith%3Dodd%26chars%3F");
    }

    [Fact]
    public async Task Import_parses_the_applicant_leniently()
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(200, """
            {"id":"65a0b1c2d3e4f5a6b7c8d9e0","createdAt":"2024-02-29 23:59:58","clientId":"us.example_1",
             "externalUserId":"ext-9","levelName":"basic-kyc-level","review":{"reviewStatus":"init","extra":[1,2]},
             "unknownField":{"nested":true},"fixedInfo":null}
            """));

        var applicant = (await ImportAsync()).Value;

        applicant.Should().Be(new ImportedApplicant("65a0b1c2d3e4f5a6b7c8d9e0", "us.example_1", "ext-9",
            new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero), "basic-kyc-level", "init"));
    }

    [Fact]
    public async Task Import_leaves_missing_or_odd_fields_null()
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(200, """{"id":"abc","createdAt":"yesterday","clientId":7,"review":"done"}"""));

        var applicant = (await ImportAsync()).Value;

        applicant.Should().Be(new ImportedApplicant("abc", "7", null, null, null, null));
    }

    [Theory]
    [InlineData("""{"token":""}""")]
    [InlineData("""{"forClientId":"x"}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""not json""")]
    public async Task A_share_token_answer_without_a_token_is_a_bad_response(string body)
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(200, body));

        var error = (await GenerateAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be("UPSTREAM_BAD_RESPONSE");
    }

    [Fact]
    public async Task A_successful_import_answer_without_an_id_leaves_the_outcome_unknown_not_undone()
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(200, """{"clientId":"x"}"""));

        var error = (await ImportAsync()).Error!;

        error.Reason.Should().Be(SumsubImportOutcome.UnknownReason, "a 2xx means Sumsub imported; only its answer is unusable");
        error.MayHaveActed.Should().BeTrue();
    }

    [Theory]
    [InlineData(FaultMode.MalformedJson)]
    [InlineData(FaultMode.HugeBody)]
    [InlineData(FaultMode.HugeBodyDeclared)]
    public async Task An_unreadable_successful_import_answer_leaves_the_outcome_unknown(FaultMode fault)
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.WithFault(fault));

        var error = (await ImportAsync()).Error!;

        error.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        error.MayHaveActed.Should().BeTrue();
    }

    [Theory]
    [InlineData(502, true)]
    [InlineData(504, true)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public async Task A_gateway_error_on_import_leaves_the_outcome_unknown_other_5xx_are_unavailable(int status, bool unknown)
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(status, """{"description":"x","code":0}"""));

        var error = (await ImportAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be(unknown ? SumsubImportOutcome.UnknownReason : "UPSTREAM_UNAVAILABLE");
        error.MayHaveActed.Should().Be(unknown);
    }

    public static TheoryData<bool, int, string, ErrorKind, string, string?> ErrorCases => new()
    {
        // importing, status, body, kind, reason, upstream error code
        { true, 400, """{"description":"invalid","code":400,"correlationId":"c1","errorCode":10503,"errorName":"invalid-share-token"}""", ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", "10503" },
        { true, 400, """{"description":"x","code":400,"errorCode":10504}""", ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", "10504" },
        { false, 400, """{"description":"x","code":400,"errorCode":10501}""", ErrorKind.FailedPrecondition, "RECIPIENT_NOT_A_PARTNER", "10501" },
        { false, 400, """{"description":"x","code":400,"errorCode":"10502"}""", ErrorKind.FailedPrecondition, "INVALID_PARTNER_ID", "10502" },
        { true, 400, """{"description":"x","code":400,"errorCode":10518}""", ErrorKind.FailedPrecondition, "COPY_APPLICANT_DISABLED", "10518" },
        { false, 400, """{"description":"bad","code":400,"correlationId":"c1"}""", ErrorKind.FailedPrecondition, "UPSTREAM_REJECTED_REQUEST", null },
        { false, 400, """{"description":"bad","errorName":"some-error"}""", ErrorKind.FailedPrecondition, "UPSTREAM_REJECTED_REQUEST", "some-error" },
        { true, 401, """{"description":"Token is invalid or expired","code":401}""", ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", null },
        { true, 401, """{"description":"share token has already been used","code":401}""", ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", null },
        { true, 401, """{"description":"Request signature mismatch","code":401}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", null },
        { true, 401, """{"description":"App token does not exist","code":401}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", null },
        { true, 401, "", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", null },
        { false, 401, """{"description":"Token is invalid or expired","code":401}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", null },
        { false, 403, """{"description":"Forbidden","code":403}""", ErrorKind.UpstreamCredentials, "UPSTREAM_PERMISSION_DENIED", null },
        { false, 404, """{"description":"Applicant not found","code":404,"correlationId":"c1"}""", ErrorKind.NotFound, "APPLICANT_NOT_FOUND", null },
        { true, 409, """{"description":"Applicant deleted","code":409}""", ErrorKind.FailedPrecondition, "UPSTREAM_CONFLICT", null },
        { false, 429, """{"description":"Too many requests","code":429}""", ErrorKind.RateLimited, "UPSTREAM_RATE_LIMITED", null },
        { false, 500, """{"description":"Internal error","code":500}""", ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", null },
        { true, 503, "<html>maintenance</html>", ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", null },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task Upstream_errors_map_to_kinds_and_reasons(bool importing, int status, string body, ErrorKind kind, string reason, string? errorCode)
    {
        Sumsub.Script("POST", importing ? FakeSumsub.ImportPath : FakeSumsub.ShareTokenPath, ScriptedResponse.Json(status, body));

        var error = importing ? (await ImportAsync()).Error! : (await GenerateAsync()).Error!;

        error.Kind.Should().Be(kind);
        error.Reason.Should().Be(reason);
        error.Upstream.Should().NotBeNull();
        error.Upstream!.Upstream.Should().Be("sumsub");
        error.Upstream.HttpStatus.Should().Be(status);
        error.Upstream.ErrorCode.Should().Be(errorCode);
        error.Message.Should().NotContain(TokenValue).And.NotContain(Sumsub.SecretKey).And.NotContain(Sumsub.AppToken);
    }

    [Fact]
    public async Task Retry_after_may_be_an_http_date()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(30);
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse
        {
            Status = 429,
            Headers = new Dictionary<string, string> { ["Retry-After"] = at.ToString("R", System.Globalization.CultureInfo.InvariantCulture) },
        });

        (await GenerateAsync()).Error!.RetryAfter.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task An_account_that_was_never_resolved_is_a_programming_error()
    {
        var call = () => Adapters.Sumsub.GenerateShareTokenAsync(AccountName.Create("unknown"), Applicant, Recipient, ShareTokenTtl.Default, TestContext.Current.CancellationToken);

        await call.Should().ThrowAsync<ArgumentException>();
        Sumsub.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Invalid_configuration_fails_when_the_adapters_are_first_resolved()
    {
        await using var broken = AdapterHost.Create(new Dictionary<string, string?> { ["Sumsub:Accounts:main:AppToken"] = "only-a-token" });

        var resolve = () => broken.Sumsub;

        resolve.Should().Throw<InvalidOperationException>()
            .Which.Message.Should().Contain("Sumsub:Accounts:main:SecretKey").And.Contain("Banxa:ApiKey").And.NotContain("only-a-token");
    }

    [Fact]
    public async Task Correlation_id_is_kept()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(404, """{"description":"no","code":404,"correlationId":"corr-123"}"""));

        (await GenerateAsync()).Error!.Upstream!.CorrelationId.Should().Be("corr-123");
    }

    public static TheoryData<string> UnsafeIds => new()
    {
        "ada.lovelace@example.com",
        "+4915112345678",
        "call +49 151 1234 5678",
        "id with spaces",
        "id\u202e-rtl",
        "line\nbreak",
        "<b>html</b>",
        "ü-non-ascii",
        new string('c', 129),
        new string('c', 100_000),
    };

    [Theory]
    [MemberData(nameof(UnsafeIds))]
    public async Task Correlation_ids_and_error_names_that_are_not_plain_identifiers_are_dropped(string unsafeId)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(unsafeId);
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(400,
            $$"""{"description":"bad","code":400,"correlationId":{{json}},"errorName":{{json}}}"""));

        var error = (await GenerateAsync()).Error!;

        error.Reason.Should().Be("UPSTREAM_REJECTED_REQUEST");
        error.Upstream!.CorrelationId.Should().BeNull();
        error.Upstream.ErrorCode.Should().BeNull();
        error.Message.Should().Be("Sumsub rejected the request (HTTP 400).");
    }

    [Fact]
    public async Task Escaped_unpaired_surrogates_read_as_missing_not_a_crash()
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(401,
            """{"description":"Token \ud800 is invalid","code":401,"correlationId":"\udc00","errorName":"\ud83d"}"""));

        var error = (await ImportAsync()).Error!;

        error.Reason.Should().Be("UPSTREAM_CREDENTIALS_REJECTED", "a description that cannot be read says nothing about the share token");
        error.Upstream!.CorrelationId.Should().BeNull();
        error.Upstream.ErrorCode.Should().BeNull();
    }

    [Fact]
    public async Task Correlation_ids_and_error_names_of_at_most_128_identifier_characters_are_kept()
    {
        var longest = "req:1.a_b-" + new string('c', 118);
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(400,
            $$"""{"description":"bad","code":400,"correlationId":"{{longest}}","errorName":"some-error.name_2"}"""));

        var error = (await GenerateAsync()).Error!;

        error.Upstream!.CorrelationId.Should().Be(longest);
        error.Upstream.ErrorCode.Should().Be("some-error.name_2");
        error.Message.Should().Be("Sumsub rejected the request (HTTP 400, error some-error.name_2).");
    }

    [Fact]
    public async Task Rate_limit_uses_retry_after_or_a_default()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse
        {
            Status = 429,
            Body = """{"code":429}""",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "17" },
        });
        (await GenerateAsync()).Error!.RetryAfter.Should().Be(TimeSpan.FromSeconds(17));

        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(429, """{"code":429}"""));
        (await GenerateAsync()).Error!.RetryAfter.Should().BePositive();
    }

    [Fact]
    public async Task Server_faults_carry_a_retry_hint()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse
        {
            Status = 503,
            Headers = new Dictionary<string, string> { ["Retry-After"] = "3" },
        });

        (await GenerateAsync()).Error!.RetryAfter.Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Error_messages_never_echo_the_share_token_or_upstream_descriptions()
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(401,
            $$"""{"description":"Token {{TokenValue}} is invalid or expired","code":401}"""));

        var error = (await ImportAsync()).Error!;

        error.Reason.Should().Be("SHARE_TOKEN_REJECTED");
        error.ToString().Should().NotContain(TokenValue).And.NotContain("_act-share");
    }

    [Theory]
    [InlineData(FaultMode.CloseConnection, "UPSTREAM_UNREACHABLE")]
    [InlineData(FaultMode.ResetMidResponse, "UPSTREAM_UNREACHABLE")]
    [InlineData(FaultMode.MalformedJson, "UPSTREAM_BAD_RESPONSE")]
    [InlineData(FaultMode.HugeBody, "UPSTREAM_BAD_RESPONSE")]
    [InlineData(FaultMode.HugeBodyDeclared, "UPSTREAM_BAD_RESPONSE")]
    public async Task Transport_faults_are_unavailable(FaultMode fault, string reason)
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.WithFault(fault));

        var error = (await GenerateAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be(reason);
        error.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_read()
    {
        var padding = new string(' ', 1024 * 1024 - 200);
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(200, "{\"token\":\"t-1\",\"forClientId\":\"x\"}" + padding));

        (await GenerateAsync()).Value.Token.Value.Should().Be("t-1");
    }

    [Fact]
    public async Task A_stopped_upstream_is_unavailable()
    {
        await Sumsub.StopAsync(TestContext.Current.CancellationToken);

        var error = (await GenerateAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be("UPSTREAM_UNREACHABLE");
    }

    [Fact]
    public async Task Cancelling_the_callers_token_mid_request_says_the_upstream_may_have_acted()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse { Delay = TimeSpan.FromMinutes(5), Body = """{"token":"late"}""" });
        using var cancellation = new CancellationTokenSource();

        var call = GenerateAsync(cancellationToken: cancellation.Token);
        await Eventually.TrueAsync(() => Sumsub.Requests.Count == 1);
        await cancellation.CancelAsync();

        var interrupted = (await call.Invoking(c => c).Should().ThrowAsync<UpstreamRequestInterruptedException>()).Which;
        interrupted.Upstream.Should().Be("sumsub");
        interrupted.CancellationToken.Should().Be(cancellation.Token);
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        var call = () => GenerateAsync(cancellationToken: new CancellationToken(canceled: true));

        (await call.Should().ThrowAsync<OperationCanceledException>()).Which.Should().NotBeOfType<UpstreamRequestInterruptedException>("nothing was sent");
        Sumsub.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Response_body_encoding_is_utf8()
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(200, """{"id":"a1","externalUserId":"Zoë"}"""));

        (await ImportAsync()).Value.ExternalUserId.Should().Be(Encoding.UTF8.GetString("Zoë"u8));
    }

    [Fact]
    public async Task Scripted_sequences_answer_in_order_and_repeat_the_last()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath,
            ScriptedResponse.Json(404, """{"code":404}"""),
            ScriptedResponse.Json(200, """{"token":"second","forClientId":"x"}"""));

        (await GenerateAsync()).Error!.Kind.Should().Be(ErrorKind.NotFound);
        (await GenerateAsync()).Value.Token.Value.Should().Be("second");
        (await GenerateAsync()).Value.Token.Value.Should().Be("second");
    }

    [Fact]
    public async Task A_redirect_is_a_bad_response_and_not_followed()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, new ScriptedResponse
        {
            Status = 302,
            Headers = new Dictionary<string, string> { ["Location"] = "/elsewhere" },
        });

        var error = (await GenerateAsync()).Error!;

        error.Reason.Should().Be("UPSTREAM_BAD_RESPONSE");
        error.Upstream!.HttpStatus.Should().Be(302);
        Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_base_url_with_a_path_prefix_is_kept_and_signed()
    {
        await using var prefixed = AdapterHost.Create(new Dictionary<string, string?>
        {
            ["Sumsub:Accounts:main:AppToken"] = Sumsub.AppToken,
            ["Sumsub:Accounts:main:SecretKey"] = Sumsub.SecretKey,
            ["Sumsub:Accounts:main:BaseUrl"] = new Uri(Sumsub.BaseUrl, "/proxy/sumsub/").ToString(),
            ["Banxa:ApiKey"] = "k",
            ["Banxa:ApiSecret"] = "s",
        });
        Sumsub.Script("POST", "/proxy/sumsub" + FakeSumsub.ShareTokenPath, ScriptedResponse.Json(200, """{"token":"via-proxy"}"""));

        var result = await prefixed.Sumsub.GenerateShareTokenAsync(Main, Applicant, Recipient, ShareTokenTtl.Default, TestContext.Current.CancellationToken);

        result.Value.Token.Value.Should().Be("via-proxy");
        var request = Sumsub.Requests.Should().ContainSingle().Subject;
        request.Target.Should().Be("/proxy/sumsub/resources/accessTokens/shareToken");
        request.SignatureValid.Should().BeTrue();
    }
}
