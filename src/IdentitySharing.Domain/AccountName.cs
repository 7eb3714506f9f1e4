using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>The name of a configured Sumsub account (client key): 1-64 of [A-Za-z0-9_.-].</summary>
public sealed record AccountName : StringValue
{
    public const int MaxLength = 64;

    private AccountName(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-', "letters, digits, underscore, dot and hyphen");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out AccountName? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new AccountName(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static AccountName Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"AccountName {error}", nameof(raw));

    public override string ToString() => Value;
}
