using System.Globalization;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests;

public sealed class BanxaClientTests : UpstreamFakesTestBase
{
    private const string Email = "ada.lovelace+kyc@example.com";
    private const string Mobile = "+4915112345678";
    private const string Token = "_act-banxa-share-token-123";

    private static BanxaIdentityShare Share(string reference = "cust-0001") => new(
        IdentityReference.Create(reference), EmailAddress.Create(Email), MobileNumber.Create(Mobile), ShareToken.Create(Token));

    private Task<Result<IdentityReference>> ShareAsync(BanxaIdentityShare? share = null) =>
        Adapters.Banxa.ShareIdentityAsync(share ?? Share(), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Share_sends_compact_json_signed_over_exactly_the_bytes_sent()
    {
        var result = await ShareAsync();

        result.Value.Value.Should().Be("cust-0001");
        var request = Banxa.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Target.Should().Be("/eapi/v0/identities/token/share");
        request.BodyText.Should().Be(
            """{"identityReference":"cust-0001","email":"ada.lovelace\u002Bkyc@example.com","mobileNumber":"4915112345678","provider":{"vendor":"sumsub","token":"_act-banxa-share-token-123"}}""");
        request.Header("Content-Type").Should().Be("application/json");
        request.SignatureValid.Should().BeTrue();
        var auth = FakeBanxa.ParseAuthorization(request.Header("Authorization"))!.Value;
        auth.Key.Should().Be(Banxa.ApiKey);
        auth.Signature.Should().Be(VendorSignatures.Banxa(Banxa.ApiSecret, "POST", "/eapi/v0/identities/token/share", auth.Nonce, request.Body));
        var nonceMicros = long.Parse(auth.Nonce, CultureInfo.InvariantCulture);
        DateTimeOffset.UnixEpoch.AddTicks(nonceMicros * 10).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"identityReference":"bad ref!"}""")]
    public async Task Accepted_without_a_usable_echo_returns_the_sent_reference(string body)
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(202, body));

        (await ShareAsync()).Value.Value.Should().Be("cust-0001");
    }

    [Fact]
    public async Task Accepted_returns_the_echoed_reference()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(202, """{"identityReference":"cust-0001-b","extra":1}"""));

        (await ShareAsync()).Value.Value.Should().Be("cust-0001-b");
    }

    [Fact]
    public async Task Field_errors_become_proto_named_violations_without_personal_data()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, $$"""
            {"message":"The given data was invalid.","status":422,"errors":{
              "email":["The email {{Email}} has already been taken.","Second {{Email.ToUpperInvariant()}}."],
              "mobileNumber":["The number {{Mobile}} is invalid (4915112345678)."],
              "identityReference":["Too long."],
              "provider.token":["Token {{Token}} is invalid."],
              "someOtherField":"single message"}
            }
            """));

        var error = (await ShareAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Validation);
        error.Upstream!.HttpStatus.Should().Be(422);
        error.FieldViolations.Select(v => v.Field).Should().BeEquivalentTo(
            ["email", "mobile_number", "identity_reference", "provider.token", "some_other_field"]);
        error.FieldViolations.Single(v => v.Field == "email").Description.Should().Contain("has already been taken");
        var everything = error.Message + string.Join("|", error.FieldViolations);
        everything.Should().NotContain(Email).And.NotContain("ADA.LOVELACE").And.NotContain("4915112345678").And.NotContain(Token);
    }

    /// <summary>Every way Banxa's messages could quote the customer: other formats, encodings, other people's data.</summary>
    public static TheoryData<string, string> QuotedPersonalData => new()
    {
        { "phone with spaces", "The number +49 151 1234 5678 is invalid." },
        { "national phone with dashes", "The number 0151-1234-5678 is invalid." },
        { "phone with dots and parentheses", "The number (0151) 123.456.78 is invalid." },
        { "another person's phone", "The number +61 412 345 678 is invalid." },
        { "phone split by invisible characters", "The number 4915\u200b1123\u00ad45678 is invalid." },
        { "full-width phone digits", "The number \uff14\uff19\uff11\uff15\uff11\uff11\uff12\uff13\uff14\uff15 is invalid." },
        { "percent-encoded email", "The email ada.lovelace%2Bkyc%40example.com is invalid." },
        { "half-encoded email", "The email ada.lovelace+kyc%40example.com is invalid." },
        { "double-encoded email", "The email ada.lovelace%252Bkyc%2540example.com is invalid." },
        { "another person's email", "The email grace.hopper@navy.example is invalid." },
        { "full-width at sign", "The email grace\uff20navy.example is invalid." },
        { "email in angle brackets", "The email <Ada.Lovelace+KYC@Example.com> is invalid." },
        { "token percent-encoded", "The token %5Fact-banxa-share-token-123 is invalid." },
    };

    [Theory]
    [MemberData(nameof(QuotedPersonalData))]
    public async Task Field_messages_quoting_personal_data_in_any_form_are_redacted(string what, string message)
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, $$"""
            {"message":"The given data was invalid.","errors":{"email":["{{message}}"] } }
            """));

        var error = (await ShareAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Validation, what);
        var description = error.FieldViolations.Should().ContainSingle().Subject.Description;
        description.Should().StartWith("The ", what).And.EndWith(" is invalid.").And.Contain(Http.UpstreamText.Redacted);
        foreach (var text in new[] { description, error.Message })
        {
            AssertNoPersonalData(text, what);
        }
    }

    [Fact]
    public async Task Field_messages_lose_control_and_invisible_characters()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, """
            {"message":"invalid","errors":{"email":["Line one\r\nline\u0000two\u202e\u200bthree\u0085four\u2028five\ue000."]}}
            """));

        var description = (await ShareAsync()).Error!.FieldViolations.Single().Description;

        description.Should().Be("Line one linetwothree four five.");
    }

    [Fact]
    public async Task Field_messages_that_are_not_valid_unicode_are_dropped_not_a_crash()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, """
            {"message":"invalid \ud800","traceId":"\udc00","errors":{"email":["Half a pair \ud83d.", "Taken."],"mobileNumber":"\udfff"}}
            """));

        var error = (await ShareAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Validation);
        error.FieldViolations.Should().BeEquivalentTo([new FieldViolation("email", "Taken."), new FieldViolation("mobile_number", "rejected by Banxa")]);
        error.Upstream!.CorrelationId.Should().BeNull();
    }

    [Fact]
    public async Task A_huge_error_body_gives_a_bounded_error()
    {
        // 1,000 fields, one a 100 KB message full of digits and addresses.
        var hugeMessage = string.Concat(Enumerable.Repeat("Bad value 12345678 for x@y.z; ", 3_500));
        var fields = Enumerable.Range(0, 1_000).Select(i => $"\"field{i}\":[\"{new string('m', 100)}\"]");
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422,
            $$"""{"message":"{{hugeMessage}}","errors":{"email":["{{hugeMessage}}"],{{string.Join(",", fields)}} } }"""));

        var error = (await ShareAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Validation);
        error.FieldViolations.Should().HaveCount(10);
        error.FieldViolations[0].Field.Should().Be("email", "the caller's own fields come first");
        error.FieldViolations.Should().OnlyContain(v => v.Description.Length <= 200 && v.Field.Length <= 256);
        error.Message.Length.Should().BeLessThanOrEqualTo(300);
        AssertNoPersonalData(string.Join("|", error.FieldViolations) + error.Message, "huge body");
    }

    [Fact]
    public async Task A_rejected_token_after_many_other_fields_is_still_the_token_rejection_and_shown()
    {
        var others = string.Join(",", Enumerable.Range(0, 30).Select(i => $"\"merchant{i}\":[\"Disabled.\"]"));
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422,
            $$"""{"message":"invalid","errors":{ {{others}},"provider.token":["Invalid."] } }"""));

        var error = (await ShareAsync()).Error!;

        error.Reason.Should().Be("SHARE_TOKEN_REJECTED");
        error.FieldViolations.Should().HaveCount(10);
        error.FieldViolations[0].Should().Be(new FieldViolation("provider.token", "Invalid."));
    }

    [Fact]
    public async Task A_single_huge_message_is_cut_to_two_hundred_characters()
    {
        var hugeMessage = string.Concat(Enumerable.Repeat("The identity reference is not acceptable. ", 2_500));
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422,
            $$"""{"message":"invalid","errors":{"identityReference":["{{hugeMessage}}"] } }"""));

        var error = (await ShareAsync()).Error!;

        var description = error.FieldViolations.Should().ContainSingle().Subject.Description;
        description.Length.Should().BeLessThanOrEqualTo(200).And.BeGreaterThan(150);
        description.Should().StartWith("The identity reference is not acceptable.").And.EndWith("…");
        error.Message.Should().Be("Invalid field identity_reference: " + description);
    }

    [Theory]
    [InlineData("ada.lovelace@example.com")]
    [InlineData("+4915112345678")]
    [InlineData("field with spaces")]
    [InlineData("<script>")]
    public async Task Field_names_that_are_not_plain_identifiers_are_dropped(string name)
    {
        var longName = new string('f', 129);
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, $$"""
            {"message":"invalid","errors":{"{{name}}":["Invalid."],"{{longName}}":["Invalid."],"email":["Taken."] } }
            """));

        var error = (await ShareAsync()).Error!;

        error.FieldViolations.Should().ContainSingle().Which.Field.Should().Be("email");
        (string.Join("|", error.FieldViolations) + error.Message).Should().NotContain(name).And.NotContain(longName);
    }

    [Theory]
    [InlineData("ada.lovelace@example.com")]
    [InlineData("+4915112345678")]
    [InlineData("trace 9")]
    [InlineData("trace\u202e9")]
    public async Task A_trace_id_that_is_not_a_plain_identifier_is_dropped(string traceId)
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(500, $$"""{"message":"Server Error","traceId":"{{traceId}}"}"""));

        var error = (await ShareAsync()).Error!;

        error.Upstream!.CorrelationId.Should().BeNull();
    }

    [Fact]
    public async Task A_trace_id_of_at_most_128_identifier_characters_is_kept()
    {
        var longest = "t:1." + new string('a', 124);
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(500, $$"""{"message":"Server Error","traceId":"{{longest}}"}"""));
        (await ShareAsync()).Error!.Upstream!.CorrelationId.Should().Be(longest);

        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(500, $$"""{"message":"Server Error","traceId":"{{longest}}x"}"""));
        (await ShareAsync()).Error!.Upstream!.CorrelationId.Should().BeNull();
    }

    private static void AssertNoPersonalData(string text, string because)
    {
        text.Should().NotContain("@", because).And.NotContain("\uff20", because).And.NotContain("%40", because).And.NotContain("%2540", because);
        text.ToUpperInvariant().Should().NotContain("ADA.LOVELACE", because).And.NotContain("GRACE", because).And.NotContain("NAVY", because)
            .And.NotContain(Token.ToUpperInvariant(), because).And.NotContain("ACT-BANXA", because);
        // No run of 7 digits, whatever separates them.
        System.Text.RegularExpressions.Regex.IsMatch(text, @"\d(?:[^\p{L}]{0,3}\d){6,}").Should().BeFalse(because + ": " + text);
    }

    [Theory]
    [InlineData("""{"provider.token":["The token is invalid."]}""", "SHARE_TOKEN_REJECTED")]
    [InlineData("""{"provider.vendor":["Invalid."],"merchant":["Disabled."]}""", "UPSTREAM_REJECTED_REQUEST")]
    public async Task Field_errors_only_on_fields_this_service_fills_are_not_the_callers(string errors, string reason)
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, $$"""{"message":"The given data was invalid.","errors":{{errors}}}"""));

        var error = (await ShareAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.FailedPrecondition);
        error.Reason.Should().Be(reason);
        error.FieldViolations.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Unprocessable_without_field_errors_is_a_rejected_request()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, """{"message":"The given data was invalid.","status":422}"""));

        (await ShareAsync()).Error!.Reason.Should().Be("UPSTREAM_REJECTED_REQUEST");
    }

    public static TheoryData<int, string, ErrorKind, string, string?> ErrorCases => new()
    {
        { 400, """{"message":"Bad Request","status":400,"traceId":"t-1"}""", ErrorKind.FailedPrecondition, "UPSTREAM_REJECTED_REQUEST", null },
        { 401, """{"message":"Unauthenticated.","status":401}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", null },
        { 401, """{"message":"Nonce has already been used.","status":401,"code":40003}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", "40003" },
        { 400, """{"message":"Nonce is not a timestamp.","status":400,"code":40001}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", "40001" },
        { 403, """{"message":"Merchant not found.","code":"40100"}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", "40100" },
        { 400, """{"message":"Nonce already used (40003).","status":400,"traceId":"t-3"}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", "40003" },
        { 400, """{"message":"Bad Request","status":400,"error_code":40002}""", ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED", "40002" },
        { 400, """{"message":"Reference 140003 is not valid","status":400}""", ErrorKind.FailedPrecondition, "UPSTREAM_REJECTED_REQUEST", null },
        { 403, """{"message":"Forbidden"}""", ErrorKind.UpstreamCredentials, "UPSTREAM_PERMISSION_DENIED", null },
        { 404, """{"message":"Not Found","status":404}""", ErrorKind.NotFound, "NOT_FOUND", null },
        { 409, """{"message":"Conflict"}""", ErrorKind.FailedPrecondition, "UPSTREAM_CONFLICT", null },
        { 429, """{"message":"Too Many Attempts."}""", ErrorKind.RateLimited, "UPSTREAM_RATE_LIMITED", null },
        { 500, """{"message":"Server Error","status":500,"traceId":"t-2"}""", ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", null },
        { 502, "<html>bad gateway</html>", ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", null },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task Upstream_errors_map_to_kinds_and_reasons(int status, string body, ErrorKind kind, string reason, string? errorCode)
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(status, body));

        var error = (await ShareAsync()).Error!;

        error.Kind.Should().Be(kind);
        error.Reason.Should().Be(reason);
        error.Upstream!.Upstream.Should().Be("banxa");
        error.Upstream.HttpStatus.Should().Be(status);
        error.Upstream.ErrorCode.Should().Be(errorCode);
        error.Message.Should().NotContain(Banxa.ApiSecret).And.NotContain(Banxa.ApiKey);
    }

    [Fact]
    public async Task Trace_id_is_kept_as_the_correlation_id()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(500, """{"message":"Server Error","status":500,"traceId":"trace-9"}"""));

        (await ShareAsync()).Error!.Upstream!.CorrelationId.Should().Be("trace-9");
    }

    [Theory]
    [InlineData(FaultMode.CloseConnection, "UPSTREAM_UNREACHABLE")]
    [InlineData(FaultMode.ResetMidResponse, "UPSTREAM_UNREACHABLE")]
    [InlineData(FaultMode.HugeBody, "UPSTREAM_BAD_RESPONSE")]
    public async Task Transport_faults_are_unavailable(FaultMode fault, string reason)
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.WithFault(fault));

        var error = (await ShareAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be(reason);
    }

    [Fact]
    public async Task A_wrong_secret_is_rejected_by_the_fake_and_reported_as_our_credentials_problem()
    {
        await using var misconfigured = AdapterHost.Create(new Dictionary<string, string?>
        {
            ["Sumsub:Accounts:main:AppToken"] = Sumsub.AppToken,
            ["Sumsub:Accounts:main:SecretKey"] = Sumsub.SecretKey,
            ["Banxa:BaseUrl"] = Banxa.BaseUrl.ToString(),
            ["Banxa:ApiKey"] = Banxa.ApiKey,
            ["Banxa:ApiSecret"] = "wrong-banxa-secret",
        });

        var error = (await misconfigured.Banxa.ShareIdentityAsync(Share(), TestContext.Current.CancellationToken)).Error!;

        Banxa.Requests.Should().ContainSingle().Which.SignatureValid.Should().BeFalse();
        error.Kind.Should().Be(ErrorKind.UpstreamCredentials);
        error.Upstream!.ErrorCode.Should().Be("40101");
        error.Message.Should().NotContain("wrong-banxa-secret");
    }

    [Fact]
    public async Task Two_hundred_concurrent_shares_use_unique_nonces_and_valid_signatures()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => ShareAsync(Share($"cust-{i}")))));

        results.Should().OnlyContain(r => r.IsSuccess);
        results.Select(r => r.Value.Value).Should().OnlyHaveUniqueItems();
        var requests = Banxa.Requests;
        requests.Should().HaveCount(200).And.OnlyContain(r => r.SignatureValid);
        requests.Select(r => FakeBanxa.ParseAuthorization(r.Header("Authorization"))!.Value.Nonce).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Cancelling_the_callers_token_ends_a_slow_share()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, new ScriptedResponse { Status = 202, Delay = TimeSpan.FromMinutes(5) });
        using var cancellation = new CancellationTokenSource();

        var call = Adapters.Banxa.ShareIdentityAsync(Share(), cancellation.Token);
        await Eventually.TrueAsync(() => Banxa.Requests.Count == 1);
        await cancellation.CancelAsync();

        (await call.Invoking(c => c).Should().ThrowAsync<UpstreamRequestInterruptedException>()).Which.Upstream.Should().Be("banxa");
    }

    [Fact]
    public async Task A_stopped_upstream_is_unavailable()
    {
        await Banxa.StopAsync(TestContext.Current.CancellationToken);

        (await ShareAsync()).Error!.Reason.Should().Be("UPSTREAM_UNREACHABLE");
    }
}
