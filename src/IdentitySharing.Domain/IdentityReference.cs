using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>Banxa's stable, case-sensitive reference for a customer: 1-255 of [A-Za-z0-9-], no personal data.</summary>
public sealed record IdentityReference : StringValue
{
    public const int MaxLength = 255;

    private IdentityReference(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => char.IsAsciiLetterOrDigit(c) || c == '-', "letters, digits and hyphen");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out IdentityReference? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new IdentityReference(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static IdentityReference Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"IdentityReference {error}", nameof(raw));

    public override string ToString() => Value;
}
