using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests.Resilience;

/// <summary>Fresh fakes per test and the real adapters with resilience settings fit for quick tests.</summary>
public abstract class ResilienceTestBase : IAsyncLifetime
{
    protected static readonly AccountName Main = AccountName.Create("main");
    protected static readonly ApplicantId Applicant = ApplicantId.Create("5cb56e8e0a975a35f333cb83");
    protected static readonly ClientId Recipient = ClientId.Create("partner.com_42");

    protected FakeSumsub Sumsub { get; private set; } = null!;
    protected FakeBanxa Banxa { get; private set; } = null!;
    internal AdapterHost Adapters { get; private set; } = null!;

    /// <summary>Settings on top of the fakes' accounts; later entries win.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        new("Resilience:SumsubAttemptTimeout", "00:00:01"),
        new("Resilience:BanxaAttemptTimeout", "00:00:01"),
        new("Resilience:Retry:BaseDelay", "00:00:00.050"),
        new("Resilience:Retry:MaxDelay", "00:00:00.200"),
        new("Resilience:Retry:MaxRetryAfter", "00:00:01"),
    ];

    public async ValueTask InitializeAsync()
    {
        Sumsub = await FakeSumsub.StartNewAsync();
        Banxa = await FakeBanxa.StartNewAsync();
        Adapters = AdapterHost.Create(
        [
            new("Sumsub:Accounts:main:AppToken", Sumsub.AppToken),
            new("Sumsub:Accounts:main:SecretKey", Sumsub.SecretKey),
            new("Sumsub:Accounts:main:BaseUrl", Sumsub.BaseUrl.ToString()),
            new("Banxa:BaseUrl", Banxa.BaseUrl.ToString()),
            new("Banxa:ApiKey", Banxa.ApiKey),
            new("Banxa:ApiSecret", Banxa.ApiSecret),
            .. ResilienceSettings,
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        await Adapters.DisposeAsync();
        await Sumsub.DisposeAsync();
        await Banxa.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected Task<Result<IssuedShareToken>> MintAsync() =>
        Adapters.Sumsub.GenerateShareTokenAsync(Main, Applicant, Recipient, ShareTokenTtl.Default, TestContext.Current.CancellationToken);

    protected Task<Result<ImportedApplicant>> ImportAsync(string? userId = null) =>
        Adapters.Sumsub.ImportApplicantAsync(
            Main,
            new ApplicantImport(ShareToken.Create("_act-single-use"), [], userId is null ? null : ExternalUserId.Create(userId), null),
            TestContext.Current.CancellationToken);

    protected Task<Result<IdentityReference>> ShareWithBanxaAsync() =>
        Adapters.Banxa.ShareIdentityAsync(
            new BanxaIdentityShare(IdentityReference.Create("customer-1"), EmailAddress.Create("c1@example.com"), MobileNumber.Create("+447700900123"), ShareToken.Create("_act-for-banxa")),
            TestContext.Current.CancellationToken);

    protected static ScriptedResponse Status(int status, string? retryAfter = null) => new()
    {
        Status = status,
        Body = $$"""{"code":{{status}},"description":"scripted"}""",
        Headers = retryAfter is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Retry-After"] = retryAfter },
    };
}
