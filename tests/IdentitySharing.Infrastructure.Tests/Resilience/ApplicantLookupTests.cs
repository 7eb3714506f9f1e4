using IdentitySharing.Application.Common;
using IdentitySharing.Domain;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests.Resilience;

/// <summary>The read used to reconcile an import whose answer was lost.</summary>
public sealed class ApplicantLookupTests : ResilienceTestBase
{
    [Fact]
    public async Task Finds_an_applicant_by_external_user_id_with_a_signed_get()
    {
        var createdAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Sumsub.Script("GET", FakeSumsub.ApplicantByExternalUserIdPath("user 7"), FakeSumsub.Applicant("applicant7", "user 7", createdAt));

        var found = await Adapters.Sumsub.FindApplicantByExternalUserIdAsync(Main, ExternalUserId.Create("user 7"), TestContext.Current.CancellationToken);

        found.Value.Id.Should().Be("applicant7");
        found.Value.ExternalUserId.Should().Be("user 7");
        found.Value.CreatedAt.Should().Be(createdAt);
        var request = Sumsub.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("GET");
        request.Target.Should().Be("/resources/applicants/-;externalUserId=user%207/one");
        request.SignatureValid.Should().BeTrue();
    }

    [Fact]
    public async Task An_unknown_external_user_id_is_not_found()
    {
        var found = await Adapters.Sumsub.FindApplicantByExternalUserIdAsync(Main, ExternalUserId.Create("nobody"), TestContext.Current.CancellationToken);

        found.Error!.Kind.Should().Be(ErrorKind.NotFound);
    }
}
