using System.Security.Cryptography;

namespace IdentitySharing.Infrastructure.Sandbox;

/// <summary>An applicant held by the simulated Sumsub.</summary>
internal sealed record SandboxApplicant(
    string Id,
    string ClientId,
    string ExternalUserId,
    DateTimeOffset CreatedAt,
    string LevelName,
    string ReviewStatus,
    string FirstName,
    string LastName)
{
    /// <summary>The document sets the import asked to resubmit (Sumsub lists them under <c>requiredIdDocs</c>).</summary>
    public IReadOnlyList<string> ResetIdDocSetTypes { get; init; } = [];
}

/// <summary>What redeeming a share token led to.</summary>
internal enum RedemptionOutcome
{
    Imported,
    /// <summary>Unknown, expired or already used.</summary>
    InvalidToken,
    /// <summary>Minted for another client id than the one importing.</summary>
    WrongRecipient,
    /// <summary>The shared applicant no longer exists.</summary>
    ApplicantGone,
}

/// <summary>
/// The simulated Sumsub's state, shared by its Banxa twin (Banxa imports with the tokens minted
/// for its client id): applicants per client id, found by id or by external user id, and
/// single-use, expiring share tokens.
/// </summary>
internal sealed class SandboxApplicantStore(TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SandboxApplicant> _applicants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    // The latest applicant created for each (client id, external user id).
    private readonly Dictionary<(string ClientId, string ExternalUserId), string> _byExternalUserId = new();

    public void Seed(SandboxApplicant applicant)
    {
        lock (_lock)
        {
            Add(applicant);
        }
    }

    /// <summary>The applicant, if it belongs to <paramref name="clientId"/>.</summary>
    public SandboxApplicant? Find(string applicantId, string clientId)
    {
        lock (_lock)
        {
            return _applicants.TryGetValue(applicantId, out var applicant) && applicant.ClientId == clientId ? applicant : null;
        }
    }

    /// <summary>
    /// The applicant of <paramref name="clientId"/> with this external user id (the latest
    /// created, when several were imported with it); another client id's applicants are invisible.
    /// </summary>
    public SandboxApplicant? FindByExternalUserId(string externalUserId, string clientId)
    {
        lock (_lock)
        {
            return _byExternalUserId.TryGetValue((clientId, externalUserId), out var id)
                && _applicants.TryGetValue(id, out var applicant) && applicant.ClientId == clientId
                ? applicant
                : null;
        }
    }

    public string IssueToken(string applicantId, string donorClientId, string forClientId, TimeSpan lifetime)
    {
        // Opaque to clients, like Sumsub's: random, and carrying nothing they could parse.
        var token = "_act-sbx-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        lock (_lock)
        {
            ForgetExpiredTokens();
            _tokens[token] = new IssuedToken(applicantId, donorClientId, forClientId, timeProvider.GetUtcNow() + lifetime);
        }
        return token;
    }

    /// <summary>Consumes the token (single use) and copies its applicant into the recipient's client id.</summary>
    public (RedemptionOutcome Outcome, SandboxApplicant? Applicant) Redeem(
        string token, string recipientClientId, string? externalUserId, string? levelName, IReadOnlyList<string> resetIdDocSetTypes)
    {
        lock (_lock)
        {
            if (!_tokens.TryGetValue(token, out var issued) || issued.Used || issued.ExpiresAt <= timeProvider.GetUtcNow())
            {
                return (RedemptionOutcome.InvalidToken, null);
            }
            if (issued.ForClientId != recipientClientId)
            {
                return (RedemptionOutcome.WrongRecipient, null);
            }
            if (!_applicants.TryGetValue(issued.ApplicantId, out var source) || source.ClientId != issued.DonorClientId)
            {
                return (RedemptionOutcome.ApplicantGone, null);
            }
            _tokens[token] = issued with { Used = true };
            var copy = source with
            {
                Id = SandboxHttp.NewId(),
                ClientId = recipientClientId,
                ExternalUserId = externalUserId ?? "sbx-" + SandboxHttp.NewId(),
                CreatedAt = TruncateToSeconds(timeProvider.GetUtcNow()),
                LevelName = levelName ?? source.LevelName,
                // Documents to resubmit put the applicant back to the start of its level.
                ReviewStatus = resetIdDocSetTypes.Count > 0 ? "init" : source.ReviewStatus,
                ResetIdDocSetTypes = resetIdDocSetTypes,
            };
            Add(copy);
            return (RedemptionOutcome.Imported, copy);
        }
    }

    private void Add(SandboxApplicant applicant)
    {
        _applicants[applicant.Id] = applicant;
        _byExternalUserId[(applicant.ClientId, applicant.ExternalUserId)] = applicant.Id;
    }

    // Keeps a long-running sandbox's memory flat: expired tokens can only ever be rejected.
    private void ForgetExpiredTokens()
    {
        if (_tokens.Count < 10_000)
        {
            return;
        }
        var now = timeProvider.GetUtcNow();
        foreach (var expired in _tokens.Where(t => t.Value.ExpiresAt <= now).Select(t => t.Key).ToList())
        {
            _tokens.Remove(expired);
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, time.Offset);

    private sealed record IssuedToken(string ApplicantId, string DonorClientId, string ForClientId, DateTimeOffset ExpiresAt, bool Used = false);
}
