using Google.Protobuf.WellKnownTypes;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.Ports;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Domain;
using IdentitySharing.Host.Rpc;

namespace IdentitySharing.Host.Tests.Rpc;

public sealed class ContractMappingTests
{
    [Fact]
    public void Requests_map_field_by_field_to_commands()
    {
        var import = ContractMapping.ToCommand(new ImportApplicantRequest
        {
            ShareToken = "tok",
            ResetIdDocSetTypes = { "SELFIE", "IDENTITY" },
            UserId = "u-1",
            LevelName = "basic",
            Account = "main",
            RequestId = "r-1",
        });

        import.ShareToken.Should().Be("tok");
        import.ResetIdDocSetTypes.Should().Equal("SELFIE", "IDENTITY");
        (import.UserId, import.LevelName, import.Account, import.RequestId).Should().Be(("u-1", "basic", "main", "r-1"));

        var banxa = ContractMapping.ToCommand(new ShareWithBanxaRequest
        {
            ApplicantId = "a1", IdentityReference = "ref-1", Email = "e@example.com", MobileNumber = "+441234567890", Account = "acc", RequestId = "r-2",
        });
        (banxa.ApplicantId, banxa.IdentityReference, banxa.Email, banxa.MobileNumber, banxa.Account, banxa.RequestId)
            .Should().Be(("a1", "ref-1", "e@example.com", "+441234567890", "acc", "r-2"));

        var token = ContractMapping.ToCommand(new GenerateShareTokenRequest { ApplicantId = "a2", ForClientId = "c", TtlSeconds = 60, Account = "x", RequestId = "r-3" });
        (token.ApplicantId, token.ForClientId, token.TtlSeconds, token.Account, token.RequestId).Should().Be(("a2", "c", 60, "x", "r-3"));
    }

    [Fact]
    public void A_generated_token_maps_to_the_response_with_its_expiry()
    {
        var expiresAt = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

        var response = ContractMapping.ToResponse(new ShareTokenGenerated(ShareToken.Create("_act-1"), ClientId.Create("partner"), expiresAt));

        response.Token.Should().Be("_act-1");
        response.ForClientId.Should().Be("partner");
        response.ExpiresAt.Should().Be(Timestamp.FromDateTimeOffset(expiresAt));
    }

    [Fact]
    public void Missing_applicant_fields_map_to_proto_defaults()
    {
        var response = ContractMapping.ToResponse(new ImportedApplicant("app1", null, null, null, null, null));

        response.Applicant.Id.Should().Be("app1");
        response.Applicant.ClientId.Should().BeEmpty();
        response.Applicant.ExternalUserId.Should().BeEmpty();
        response.Applicant.CreatedAt.Should().BeNull();
        response.Applicant.LevelName.Should().BeEmpty();
        response.Applicant.ReviewStatus.Should().BeEmpty();
    }
}
