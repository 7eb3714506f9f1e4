using Google.Rpc;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>Each bad field is rejected with INVALID_ARGUMENT and a field violation before any upstream call.</summary>
public sealed class ValidationTests(HostFixture host) : IClassFixture<HostFixture>
{
    private const int InvalidArgument = 3;

    public static TheoryData<string, string> BadGenerateShareTokenFields => new()
    {
        { "applicant_id", "" },
        { "applicant_id", "has space" },
        { "applicant_id", new string('a', 65) },
        { "for_client_id", "" },
        { "for_client_id", "bad/client" },
        { "ttl_seconds", "-1" },
        { "ttl_seconds", "86401" },
        { "account", "nobody" },
        { "account", "bad account" },
        { "request_id", new string('r', 129) },
        { "request_id", "id\nwith newline" },
    };

    [Theory]
    [MemberData(nameof(BadGenerateShareTokenFields))]
    public async Task GenerateShareToken_rejects_a_bad_field_before_calling_sumsub(string field, string value)
    {
        host.Reset();
        var request = new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" };
        switch (field)
        {
            case "applicant_id": request.ApplicantId = value; break;
            case "for_client_id": request.ForClientId = value; break;
            case "ttl_seconds": request.TtlSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "account": request.Account = value; break;
            case "request_id": request.RequestId = value; break;
        }

        var call = await host.Client.GenerateShareToken(request);

        AssertRejected(call, field);
    }

    public static TheoryData<string, string> BadImportFields => new()
    {
        { "share_token", "" },
        { "share_token", new string('t', 1025) },
        { "share_token", "token with space" },
        { "reset_id_doc_set_types[0]", "selfie" },
        { "user_id", "user\u0007bell" },
        { "user_id", new string('u', 257) },
        { "level_name", "level/with/slash" },
    };

    [Theory]
    [MemberData(nameof(BadImportFields))]
    public async Task ImportApplicant_rejects_a_bad_field_before_calling_sumsub(string field, string value)
    {
        host.Reset();
        var request = new ImportApplicantRequest { ShareToken = "_act-token" };
        switch (field)
        {
            case "share_token": request.ShareToken = value; break;
            case "reset_id_doc_set_types[0]": request.ResetIdDocSetTypes.Add(value); break;
            case "user_id": request.UserId = value; break;
            case "level_name": request.LevelName = value; break;
        }

        var call = await host.Client.ImportApplicant(request);

        AssertRejected(call, field);
    }

    public static TheoryData<string, string> BadBanxaFields => new()
    {
        { "applicant_id", "" },
        { "identity_reference", "" },
        { "identity_reference", "has_underscore" },
        { "identity_reference", new string('x', 256) },
        { "email", "" },
        { "email", "not-an-email" },
        { "email", new string('e', 190) + "@example.com" },
        { "mobile_number", "" },
        { "mobile_number", "+44 7700 900123" },
        { "mobile_number", "+1234" },
    };

    [Theory]
    [MemberData(nameof(BadBanxaFields))]
    public async Task ShareWithBanxa_rejects_a_bad_field_before_calling_any_upstream(string field, string value)
    {
        host.Reset();
        var request = new ShareWithBanxaRequest { ApplicantId = "abc123", IdentityReference = "customer-1", Email = "a@example.com", MobileNumber = "+447700900123" };
        switch (field)
        {
            case "applicant_id": request.ApplicantId = value; break;
            case "identity_reference": request.IdentityReference = value; break;
            case "email": request.Email = value; break;
            case "mobile_number": request.MobileNumber = value; break;
        }

        var call = await host.Client.ShareWithBanxa(request);

        AssertRejected(call, field);
        host.Banxa.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Every_bad_field_is_reported_at_once()
    {
        host.Reset();

        var call = await host.Client.ShareWithBanxa(new ShareWithBanxaRequest { IdentityReference = "bad ref", Email = "x", MobileNumber = "12", Account = "nobody" });

        call.StatusCode.Should().Be(InvalidArgument);
        call.Detail<BadRequest>()!.FieldViolations.Select(v => v.Field)
            .Should().BeEquivalentTo("applicant_id", "identity_reference", "email", "mobile_number", "account");
        host.Sumsub.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Rejected_personal_data_is_not_echoed_back()
    {
        host.Reset();

        var call = await host.Client.ShareWithBanxa(new ShareWithBanxaRequest { ApplicantId = "abc", IdentityReference = "c-1", Email = "secret.person@@example.com", MobileNumber = "+44770090012345678" });

        call.StatusCode.Should().Be(InvalidArgument);
        var everything = call.StatusMessage + call.StatusDetails;
        everything.Should().NotContain("secret.person").And.NotContain("44770090012345678");
    }

    private void AssertRejected<T>(GrpcCallResult<T> call, string field) where T : class
    {
        call.StatusCode.Should().Be(InvalidArgument, call.StatusMessage);
        call.StatusDetails!.Code.Should().Be(InvalidArgument);
        call.StatusDetails.Message.Should().Be(call.StatusMessage);
        call.Detail<BadRequest>()!.FieldViolations.Should().ContainSingle().Which.Field.Should().Be(field);
        host.Sumsub.Requests.Should().BeEmpty("validation happens before any upstream call");
    }
}
