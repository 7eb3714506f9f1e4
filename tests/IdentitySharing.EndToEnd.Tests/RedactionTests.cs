using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>Share tokens, emails, phone numbers and secrets never reach the logs, at any level.</summary>
public sealed class RedactionTests(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Tokens_emails_phone_numbers_and_secrets_never_appear_in_the_logs()
    {
        host.Reset();
        const string importToken = "_act-redaction-probe-token-7f3a";
        const string email = "redaction.probe@example.com";
        const string mobile = "+447700955501";

        var generated = await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" });
        var imported = await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = importToken, UserId = "u-1" });
        var shared = await host.Client.ShareWithBanxa(new ShareWithBanxaRequest { ApplicantId = "abc123", IdentityReference = "c-1", Email = email, MobileNumber = mobile });
        // Failures log too: a rejected token and a Banxa 422 that echoes the email.
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(401, $$"""{"description":"Token {{importToken}} is invalid","code":401}"""));
        var rejected = await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = importToken });
        host.Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, $$"""{"message":"invalid","errors":{"email":["{{email}} is taken"]},"status":422}"""));
        var refused = await host.Client.ShareWithBanxa(new ShareWithBanxaRequest { ApplicantId = "abc123", IdentityReference = "c-1", Email = email, MobileNumber = mobile });

        new[] { generated.StatusCode, imported.StatusCode, shared.StatusCode }.Should().OnlyContain(c => c == 0);
        rejected.StatusCode.Should().Be(9);
        refused.StatusCode.Should().Be(3);
        refused.StatusMessage.Should().NotContain(email);
        refused.StatusDetails!.ToString().Should().NotContain(email);

        var logs = host.Logs.AllText;
        logs.Should().NotBeEmpty();
        var secrets = new[]
        {
            importToken, generated.Response!.Token, email, mobile, mobile.TrimStart('+'),
            host.Sumsub.SecretKey, host.Sumsub.AppToken, host.Banxa.ApiSecret, host.Banxa.ApiKey,
        };
        foreach (var secret in secrets)
        {
            logs.Should().NotContain(secret);
        }
    }
}
