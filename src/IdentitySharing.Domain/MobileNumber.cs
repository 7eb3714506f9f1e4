using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>
/// A customer's mobile number in E.164: an optional <c>+</c>, then 8-15 digits, the first not 0.
/// <see cref="StringValue.Value"/> is the digits alone, as Banxa wants them. Personal data: never printed.
/// </summary>
public sealed record MobileNumber : StringValue
{
    public const int MaxLength = 20;

    private MobileNumber(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw)
    {
        var violation = TextRules.Check(raw, MaxLength, static c => char.IsAsciiDigit(c) || c == '+', "digits after an optional leading +");
        if (violation is not null)
        {
            return violation;
        }
        var digits = raw![0] == '+' ? raw[1..] : raw;
        return digits.Length is < 8 or > 15 || digits.Contains('+', StringComparison.Ordinal) || digits[0] == '0'
            ? "must be an E.164 number: optional +, then 8-15 digits not starting with 0"
            : null;
    }

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out MobileNumber? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new MobileNumber(v[0] == '+' ? v[1..] : v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static MobileNumber Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"MobileNumber {error}", nameof(raw));

    /// <summary>Never prints the value: it is personal data.</summary>
    public override string ToString() => "[redacted]";
}
