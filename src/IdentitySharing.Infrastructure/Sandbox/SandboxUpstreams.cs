using System.Globalization;
using IdentitySharing.Infrastructure.Configuration;

namespace IdentitySharing.Infrastructure.Sandbox;

/// <summary>
/// Sandbox mode's upstreams: a simulated Sumsub and a simulated Banxa, each a real HTTP server
/// on 127.0.0.1 (port chosen by the OS), speaking the vendors' APIs. Credentials are generated
/// per start. The host adds <see cref="ConfigurationOverrides"/> to its configuration so the
/// real adapters talk to them exactly as they would to the vendors.
/// </summary>
public sealed class SandboxUpstreams : IAsyncDisposable
{
    public const string DonorAccountName = "donor";
    public const string RecipientAccountName = "recipient";
    public const string DonorClientId = "sandbox-donor";
    public const string RecipientClientId = "sandbox-recipient";
    public static readonly IReadOnlyList<string> DonorDemoApplicantIds = ["63e0demo0donor000000001", "63e0demo0donor000000002"];
    public static readonly IReadOnlyList<string> RecipientDemoApplicantIds = ["63e0demo0recip000000001"];

    private readonly LoopbackServer _sumsub;
    private readonly LoopbackServer _banxa;

    private SandboxUpstreams(LoopbackServer sumsub, LoopbackServer banxa, SandboxAccount donor, SandboxAccount recipient, string banxaApiKey, string banxaApiSecret)
    {
        _sumsub = sumsub;
        _banxa = banxa;
        Donor = donor;
        Recipient = recipient;
        BanxaApiKey = banxaApiKey;
        BanxaApiSecret = banxaApiSecret;
    }

    public Uri SumsubBaseUrl => _sumsub.BaseUrl;
    public Uri BanxaBaseUrl => _banxa.BaseUrl;
    public SandboxAccount Donor { get; }
    public SandboxAccount Recipient { get; }
    public string BanxaApiKey { get; }
    public string BanxaApiSecret { get; }

    /// <summary>Banxa's Sumsub client id in the sandbox: the production default, so tokens look the same.</summary>
    public string BanxaSumsubClientId => BanxaSettings.DefaultSumsubClientId.Value;

    /// <param name="timeProvider">The simulated upstreams' clock (token expiry, timestamp and nonce checks).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<SandboxUpstreams> StartAsync(TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var time = timeProvider ?? TimeProvider.System;
        var donor = NewAccount(DonorAccountName, DonorClientId, DonorDemoApplicantIds);
        var recipient = NewAccount(RecipientAccountName, RecipientClientId, RecipientDemoApplicantIds);
        var banxaClientId = BanxaSettings.DefaultSumsubClientId.Value;

        var store = new SandboxApplicantStore(time);
        Seed(store, donor, time, "Ada", "Lovelace", "Grace", "Hopper");
        Seed(store, recipient, time, "Alan", "Turing");

        var partners = new HashSet<string>(StringComparer.Ordinal) { DonorClientId, RecipientClientId, banxaClientId };
        var sumsubApi = new SandboxSumsub(store, [donor, recipient], partners, time);
        var banxaApiKey = "sbx-key-" + SandboxSignatures.RandomSecret(12);
        var banxaApiSecret = SandboxSignatures.RandomSecret(32);
        var banxaApi = new SandboxBanxa(store, banxaApiKey, banxaApiSecret, banxaClientId, time);

        var sumsub = await LoopbackServer.StartAsync(sumsubApi.HandleAsync, cancellationToken).ConfigureAwait(false);
        try
        {
            var banxa = await LoopbackServer.StartAsync(banxaApi.HandleAsync, cancellationToken).ConfigureAwait(false);
            return new SandboxUpstreams(sumsub, banxa, donor, recipient, banxaApiKey, banxaApiSecret);
        }
        catch
        {
            await sumsub.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Configuration entries that point the real adapters at the sandbox (contains the generated secrets: never log them).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> ConfigurationOverrides =>
    [
        .. AccountEntries(Donor),
        .. AccountEntries(Recipient),
        new(ConfigurationKeys.SumsubDefaultAccount, Donor.Name),
        new(ConfigurationKeys.BanxaBaseUrl, BanxaBaseUrl.ToString()),
        new(ConfigurationKeys.BanxaApiKey, BanxaApiKey),
        new(ConfigurationKeys.BanxaApiSecret, BanxaApiSecret),
        new(ConfigurationKeys.BanxaSumsubClientId, BanxaSumsubClientId),
        new(ConfigurationKeys.BanxaSumsubAccount, Donor.Name),
    ];

    /// <summary>Lines for the host's startup banner: endpoints, accounts and demo applicants, no secrets.</summary>
    public IReadOnlyList<string> Describe() =>
    [
        string.Create(CultureInfo.InvariantCulture, $"Simulated Sumsub at {SumsubBaseUrl}, simulated Banxa at {BanxaBaseUrl} (Banxa's Sumsub client id {BanxaSumsubClientId})"),
        $"Sumsub account '{Donor.Name}' (the default): {Donor}",
        $"Sumsub account '{Recipient.Name}': {Recipient}",
    ];

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _sumsub.StopAsync(cancellationToken).ConfigureAwait(false);
        await _banxa.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _sumsub.DisposeAsync().ConfigureAwait(false);
        await _banxa.DisposeAsync().ConfigureAwait(false);
    }

    private static SandboxAccount NewAccount(string name, string clientId, IReadOnlyList<string> applicantIds) =>
        new(name, clientId, "sbx:" + SandboxSignatures.RandomSecret(24), SandboxSignatures.RandomSecret(32), applicantIds);

    private static IEnumerable<KeyValuePair<string, string?>> AccountEntries(SandboxAccount account, Uri baseUrl)
    {
        yield return new(ConfigurationKeys.SumsubAccount(account.Name, ConfigurationKeys.AppToken), account.AppToken);
        yield return new(ConfigurationKeys.SumsubAccount(account.Name, ConfigurationKeys.SecretKey), account.SecretKey);
        yield return new(ConfigurationKeys.SumsubAccount(account.Name, ConfigurationKeys.BaseUrl), baseUrl.ToString());
        yield return new(ConfigurationKeys.SumsubAccount(account.Name, ConfigurationKeys.ClientId), account.ClientId);
    }

    private IEnumerable<KeyValuePair<string, string?>> AccountEntries(SandboxAccount account) => AccountEntries(account, SumsubBaseUrl);

    private static void Seed(SandboxApplicantStore store, SandboxAccount account, TimeProvider time, params string[] names)
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds() - 86_400);
        for (var i = 0; i < account.DemoApplicantIds.Count; i++)
        {
            store.Seed(new SandboxApplicant(account.DemoApplicantIds[i], account.ClientId, $"{account.ClientId}-user-{i + 1}",
                created, "basic-kyc-level", "completed", names[2 * i], names[(2 * i) + 1]));
        }
    }
}
