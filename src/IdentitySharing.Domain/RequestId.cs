using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>An idempotency key (AIP-155): 1-128 printable ASCII characters; a UUID is recommended.</summary>
public sealed record RequestId : StringValue
{
    public const int MaxLength = 128;

    private RequestId(string value) : base(value)
    {
    }

    /// <summary>The rule: returns the violation, or null when <paramref name="raw"/> is valid.</summary>
    public static string? Validate(string? raw) =>
        TextRules.Check(raw, MaxLength, static c => TextRules.IsVisibleAscii(c), "printable ASCII without spaces");

    public static bool TryCreate(string? raw, [NotNullWhen(true)] out RequestId? value, [NotNullWhen(false)] out string? error) =>
        TryCreate(raw, Validate(raw), static v => new RequestId(v), out value, out error);

    /// <summary>For values already validated; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static RequestId Create(string raw) =>
        TryCreate(raw, out var value, out var error) ? value : throw new ArgumentException($"RequestId {error}", nameof(raw));

    public override string ToString() => Value;
}
