using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Sandbox;

namespace IdentitySharing.Infrastructure.Tests;

/// <summary>Everything the adapters and HttpClientFactory log, at Trace, is free of tokens, personal data and secrets.</summary>
public sealed class LogLeakTests
{
    [Fact]
    public async Task Share_tokens_emails_numbers_and_secrets_never_reach_the_logs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sandbox = await SandboxUpstreams.StartAsync(cancellationToken: ct);
        var logs = new CapturingLoggerProvider();
        await using var adapters = AdapterHost.Create(sandbox.ConfigurationOverrides, logs: logs);
        var donor = AccountName.Create(SandboxUpstreams.DonorAccountName);
        var applicant = ApplicantId.Create(SandboxUpstreams.DonorDemoApplicantIds[0]);

        var recipientToken = (await adapters.Sumsub.GenerateShareTokenAsync(donor, applicant,
            ClientId.Create(SandboxUpstreams.RecipientClientId), ShareTokenTtl.Default, ct)).Value.Token;
        var imported = await adapters.Sumsub.ImportApplicantAsync(AccountName.Create(SandboxUpstreams.RecipientAccountName),
            new ApplicantImport(recipientToken, [], null, null), ct);
        var banxaToken = (await adapters.Sumsub.GenerateShareTokenAsync(donor, applicant,
            ClientId.Create(sandbox.BanxaSumsubClientId), ShareTokenTtl.Default, ct)).Value.Token;
        var shared = await adapters.Banxa.ShareIdentityAsync(new BanxaIdentityShare(IdentityReference.Create("cust-log-1"),
            EmailAddress.Create("leak.check@example.com"), MobileNumber.Create("+447700900123"), banxaToken), ct);

        imported.IsSuccess.Should().BeTrue();
        shared.IsSuccess.Should().BeTrue();
        var all = string.Join("\n", logs.Entries);
        all.Should().Contain("/resources/applicants/-/import", "the HTTP client's request logs were captured");
        foreach (var secret in new[]
        {
            recipientToken.Value, banxaToken.Value, "leak.check", "447700900123",
            sandbox.Donor.AppToken, sandbox.Donor.SecretKey, sandbox.Recipient.AppToken, sandbox.Recipient.SecretKey,
            sandbox.BanxaApiKey, sandbox.BanxaApiSecret,
        })
        {
            all.Should().NotContain(secret);
        }
    }
}
