using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>A Sumsub verification level name: 1-128 of [A-Za-z0-9 _.-].</summary>
public sealed record LevelName : StringValue
{
    public const int MaxLength = 128;

    private LevelName(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '_' or '.' or '-', "letters, digits, space, underscore, dot and hyphen");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out LevelName? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new LevelName(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static LevelName Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"LevelName {error}", nameof(raw));

    public override string ToString() => Value;
}
