using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>
/// A customer's email address, as Banxa takes it: at most 200 characters, exactly one <c>@</c>
/// with something on both sides, no white space or control characters. Personal data: never
/// printed. Deliberately not a full RFC 5322 parser: Banxa is the authority on deliverability.
/// </summary>
public sealed record EmailAddress : StringValue
{
    public const int MaxLength = 200;

    private EmailAddress(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw)
    {
        var violation = TextRules.Check(raw, MaxLength, static c => !char.IsWhiteSpace(c), "characters other than white space");
        if (violation is not null)
        {
            return violation;
        }
        var at = raw!.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 || at != raw.LastIndexOf('@') || at == raw.Length - 1
            ? "must be an email address with exactly one @, like name@example.com"
            : null;
    }

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out EmailAddress? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new EmailAddress(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static EmailAddress Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"EmailAddress {error}", nameof(raw));

    /// <summary>Never prints the value: it is personal data.</summary>
    public override string ToString() => "[redacted]";
}
