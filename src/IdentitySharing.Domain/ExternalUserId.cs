using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>The recipient's own external user id for an applicant: 1-256 printable characters.</summary>
public sealed record ExternalUserId : StringValue
{
    public const int MaxLength = 256;

    private ExternalUserId(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => !char.IsControl(c), "printable characters");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out ExternalUserId? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new ExternalUserId(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static ExternalUserId Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"ExternalUserId {error}", nameof(raw));

    public override string ToString() => Value;
}
