using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>A single-use Sumsub share token: opaque (never parsed), at most 1 KB of printable ASCII.</summary>
public sealed record ShareToken : StringValue
{
    public const int MaxLength = 1024;

    private ShareToken(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => TextRules.IsVisibleAscii(c), "printable ASCII without spaces");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out ShareToken? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new ShareToken(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static ShareToken Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"ShareToken {error}", nameof(raw));

    /// <summary>Never prints the value: it is a bearer credential for identity data.</summary>
    public override string ToString() => "[redacted]";
}
