using System.Text.Json;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

public sealed class SuccessPathTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task GenerateShareToken_returns_the_upstream_token_from_a_signed_request()
    {
        host.Reset();
        var before = DateTimeOffset.UtcNow;

        var call = await host.Client.GenerateShareToken(new GenerateShareTokenRequest
        {
            ApplicantId = "5f1c0ffee0ddba11",
            ForClientId = "partner.example_1",
            TtlSeconds = 600,
        });

        call.StatusCode.Should().Be(0, call.StatusMessage);
        call.Response!.Token.Should().StartWith("_act-fake-");
        call.Response.ForClientId.Should().Be("partner.example_1");
        call.Response.ExpiresAt.ToDateTimeOffset().Should().BeOnOrAfter(before.AddSeconds(600).AddSeconds(-1))
            .And.BeOnOrBefore(DateTimeOffset.UtcNow.AddSeconds(600).AddSeconds(1));

        var sent = host.Sumsub.Requests.Should().ContainSingle().Subject;
        sent.SignatureValid.Should().BeTrue();
        sent.Path.Should().Be(FakeSumsub.ShareTokenPath);
        using var body = JsonDocument.Parse(sent.Body);
        body.RootElement.GetProperty("applicantId").GetString().Should().Be("5f1c0ffee0ddba11");
        body.RootElement.GetProperty("forClientId").GetString().Should().Be("partner.example_1");
        body.RootElement.GetProperty("ttlInSecs").GetInt32().Should().Be(600);
    }

    [Fact]
    public async Task GenerateShareToken_with_ttl_zero_leaves_the_lifetime_to_sumsub()
    {
        host.Reset();
        var before = DateTimeOffset.UtcNow;

        var call = await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" });

        call.StatusCode.Should().Be(0, call.StatusMessage);
        call.Response!.ExpiresAt.ToDateTimeOffset().Should().BeOnOrAfter(before.AddSeconds(1199));
        using var body = JsonDocument.Parse(host.Sumsub.Requests.Single().Body);
        body.RootElement.TryGetProperty("ttlInSecs", out _).Should().BeFalse();
    }

    [Fact]
    public async Task ImportApplicant_sends_every_option_and_maps_the_new_applicant()
    {
        host.Reset();

        var call = await host.Client.ImportApplicant(new ImportApplicantRequest
        {
            ShareToken = "_act-partner-token+/=",
            ResetIdDocSetTypes = { "SELFIE", "IDENTITY" },
            UserId = "customer 42/ü",
            LevelName = "basic-kyc-level",
        });

        call.StatusCode.Should().Be(0, call.StatusMessage);
        var applicant = call.Response!.Applicant;
        applicant.Id.Should().StartWith("fakeapplicant");
        applicant.ClientId.Should().Be(HostFixture.MainClientId);
        applicant.ExternalUserId.Should().Be("customer 42/ü");
        applicant.LevelName.Should().Be("basic-kyc-level");
        applicant.ReviewStatus.Should().Be("completed");
        applicant.CreatedAt.ToDateTimeOffset().Should().Be(host.Sumsub.Imported("customer 42/ü")!.CreatedAt);
        applicant.Id.Should().Be(host.Sumsub.Imported("customer 42/ü")!.Id);

        var sent = host.Sumsub.Requests.Should().ContainSingle().Subject;
        sent.SignatureValid.Should().BeTrue();
        sent.Body.Should().BeEmpty();
        sent.Path.Should().Be(FakeSumsub.ImportPath);
        // Query values are encoded before signing: '+', '/', '=' and spaces survive the trip.
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(host.Sumsub.BaseUrl, sent.Target).Query);
        query["shareToken"].Should().Be("_act-partner-token+/=");
        query["resetIdDocSetTypes"].Should().Be("SELFIE,IDENTITY");
        query["userId"].Should().Be("customer 42/ü");
        query["levelName"].Should().Be("basic-kyc-level");
    }

    [Fact]
    public async Task ShareWithBanxa_mints_a_token_for_banxa_and_hands_exactly_that_token_over()
    {
        host.Reset();

        var call = await host.Client.ShareWithBanxa(new ShareWithBanxaRequest
        {
            ApplicantId = "5f1c0ffee0ddba11",
            IdentityReference = "customer-0001",
            Email = "ada@example.com",
            MobileNumber = "+447700900123",
        });

        call.StatusCode.Should().Be(0, call.StatusMessage);
        call.Response!.IdentityReference.Should().Be("customer-0001");

        var mint = host.Sumsub.Requests.Should().ContainSingle().Subject;
        using var mintBody = JsonDocument.Parse(mint.Body);
        mintBody.RootElement.GetProperty("forClientId").GetString().Should().Be("banxa.com_5335");
        mintBody.RootElement.GetProperty("applicantId").GetString().Should().Be("5f1c0ffee0ddba11");

        var share = host.Banxa.Requests.Should().ContainSingle().Subject;
        share.SignatureValid.Should().BeTrue();
        share.Path.Should().Be(FakeBanxa.SharePath);
        using var shareBody = JsonDocument.Parse(share.Body);
        shareBody.RootElement.GetProperty("identityReference").GetString().Should().Be("customer-0001");
        shareBody.RootElement.GetProperty("email").GetString().Should().Be("ada@example.com");
        shareBody.RootElement.GetProperty("mobileNumber").GetString().Should().Be("447700900123");
        shareBody.RootElement.GetProperty("provider").GetProperty("vendor").GetString().Should().Be("sumsub");
        shareBody.RootElement.GetProperty("provider").GetProperty("token").GetString().Should().StartWith("_act-fake-");
    }

    [Fact]
    public async Task Two_hundred_concurrent_banxa_shares_use_unique_nonces_and_valid_signatures()
    {
        host.Reset();

        var calls = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => host.Client.ShareWithBanxa(new ShareWithBanxaRequest
        {
            ApplicantId = "applicant" + i,
            IdentityReference = "customer-" + i,
            Email = $"c{i}@example.com",
            MobileNumber = "+4477009" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture),
        })));

        calls.Should().OnlyContain(c => c.StatusCode == 0);
        var shares = host.Banxa.Requests;
        shares.Should().HaveCount(200).And.OnlyContain(r => r.SignatureValid);
        shares.Select(r => FakeBanxa.ParseAuthorization(r.Header("Authorization"))!.Value.Nonce).Should().OnlyHaveUniqueItems();
    }
}
