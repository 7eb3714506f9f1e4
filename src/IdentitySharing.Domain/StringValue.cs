using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Domain;

/// <summary>
/// The shape shared by the string value objects: validated and immutable. Each subclass
/// states its rule once (a static <c>Validate</c>), and its factories use that rule, so a bad
/// input is explained without exceptions and a value object can never hold a bad value.
/// </summary>
public abstract record StringValue
{
    protected StringValue(string value) => Value = value;

    /// <summary>The validated value, exactly as it goes upstream.</summary>
    public string Value { get; }

    /// <summary>Runs a rule and builds the value when it passes.</summary>
    protected static bool TryCreate<T>(string? raw, string? violation, Func<string, T> create,
        [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out string? error)
        where T : StringValue
    {
        if (violation is not null || raw is null)
        {
            value = null;
            error = violation ?? "is required";
            return false;
        }
        value = create(raw);
        error = null;
        return true;
    }
}

/// <summary>Length and character-class checks used by the value objects' rules.</summary>
public static class TextRules
{
    /// <summary>Checks length and that every character is allowed; returns the violation, or null when valid.</summary>
    public static string? Check(string? value, int maxLength, Func<char, bool> allowed, string allowedDescription)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is required";
        }
        if (value.Length > maxLength)
        {
            return $"must be at most {maxLength} characters (got {value.Length})";
        }
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) && !char.IsSurrogatePair(value, value.IndexOf(c, StringComparison.Ordinal)))
            {
                return "must not contain control characters or broken Unicode";
            }
            if (!allowed(c))
            {
                return $"must contain only {allowedDescription}";
            }
        }
        return null;
    }

    /// <summary>Printable ASCII without space: 0x21-0x7E.</summary>
    public static bool IsVisibleAscii(char c) => c is >= '!' and <= '~';
}
