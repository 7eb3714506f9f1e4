using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>
/// A share token's lifetime. Zero seconds means "Sumsub's default" (1200 s, and the parameter
/// is not sent); otherwise 1 to <see cref="MaxSeconds"/> seconds.
/// </summary>
public sealed record ShareTokenTtl
{
    public const int MaxSeconds = 86_400;
    /// <summary>Sumsub's lifetime when none is sent.</summary>
    public static readonly TimeSpan UpstreamDefault = TimeSpan.FromSeconds(1200);
    public static readonly ShareTokenTtl Default = new((int?)null);

    private ShareTokenTtl(int? seconds) => Seconds = seconds;

    /// <summary>The seconds to send upstream, or null to send none.</summary>
    public int? Seconds { get; }

    /// <summary>How long the token lives, whichever side picked it.</summary>
    public TimeSpan Lifetime => Seconds is { } s ? TimeSpan.FromSeconds(s) : UpstreamDefault;

    /// <summary>The rule: returns the violation, or null when <paramref name="seconds"/> is valid.</summary>
    public static string? Validate(int seconds) =>
        seconds is < 0 or > MaxSeconds ? $"must be 0 (Sumsub's default, 1200) or 1-{MaxSeconds} seconds (got {seconds})" : null;

    public static bool TryCreate(int seconds, [NotNullWhen(true)] out ShareTokenTtl? value, [NotNullWhen(false)] out string? error)
    {
        error = Validate(seconds);
        value = error is null ? (seconds == 0 ? Default : new ShareTokenTtl(seconds)) : null;
        return error is null;
    }

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static ShareTokenTtl Create(int seconds) =>
        TryCreate(seconds, out var value, out var error) ? value : throw new ArgumentException($"ShareTokenTtl {error}", nameof(seconds));
}
