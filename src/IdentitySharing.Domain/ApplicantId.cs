using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>A Sumsub applicant id: 1-64 ASCII letters and digits.</summary>
public sealed record ApplicantId : StringValue
{
    public const int MaxLength = 64;

    private ApplicantId(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => char.IsAsciiLetterOrDigit(c), "letters and digits");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out ApplicantId? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new ApplicantId(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static ApplicantId Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"ApplicantId {error}", nameof(raw));

    public override string ToString() => Value;
}
