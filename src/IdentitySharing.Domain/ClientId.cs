using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>A Sumsub client id, e.g. <c>banxa.com_5335</c>: 1-128 of [A-Za-z0-9_.-].</summary>
public sealed record ClientId : StringValue
{
    public const int MaxLength = 128;

    private ClientId(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-', "letters, digits, underscore, dot and hyphen");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out ClientId? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new ClientId(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static ClientId Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"ClientId {error}", nameof(raw));

    public override string ToString() => Value;
}
