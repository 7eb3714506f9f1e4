using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>A Sumsub document set type, e.g. <c>SELFIE</c> or <c>IDENTITY</c>: 1-64 of [A-Z0-9_].</summary>
public sealed record DocumentSetType : StringValue
{
    public const int MaxLength = 64;

    private DocumentSetType(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_', "upper-case letters, digits and underscore");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out DocumentSetType? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new DocumentSetType(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static DocumentSetType Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"DocumentSetType {error}", nameof(raw));

    public override string ToString() => Value;
}
