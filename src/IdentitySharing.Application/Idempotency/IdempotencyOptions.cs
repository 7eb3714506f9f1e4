namespace IdentitySharing.Application.Idempotency;

/// <summary>Configuration section <c>Idempotency</c>.</summary>
public sealed class IdempotencyOptions
{
    public const string SectionName = "Idempotency";

    /// <summary>How long an outcome is replayed for a retry (<c>Idempotency:Retention</c>). AIP-155 suggests at least an hour.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a pending claim blocks duplicates before another caller may take it over
    /// (<c>Idempotency:ClaimTimeout</c>). The owner renews its claim every third of this (to now +
    /// ClaimTimeout) while the request runs, however long that is, so a live owner keeps its
    /// claim; the timeout only ends the claim of an owner that stopped renewing (crashed or hung),
    /// and bounds how long its duplicates wait before taking over.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often expired records are deleted (<c>Idempotency:CleanupInterval</c>).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
