using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

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
            error = violation ?? TextRules.Required;
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
    public const string Required = "is required";
    public const string NoControlCharacters = "must not contain control characters or broken Unicode";

    /// <summary>
    /// Checks presence, length (in UTF-16 code units, as the contract counts) and that every
    /// character is allowed; returns the violation, or null when valid. Control and invisible
    /// formatting characters and unpaired surrogates are rejected whatever the rule allows.
    /// Violations never quote the value: it may be a token or personal data.
    /// </summary>
    public static string? Check(string? value, int maxLength, Func<char, bool> allowed, string allowedDescription)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (string.IsNullOrEmpty(value))
        {
            return Required;
        }
        if (value.Length > maxLength)
        {
            return $"must be at most {maxLength} characters (got {value.Length})";
        }
        for (var i = 0; i < value.Length;)
        {
            if (!Rune.TryGetRuneAt(value, i, out var rune) || IsNeverAllowed(Rune.GetUnicodeCategory(rune)))
            {
                return NoControlCharacters;
            }
            // The rule decides per UTF-16 unit, so ASCII-only rules reject both halves of a pair.
            for (var j = i; j < i + rune.Utf16SequenceLength; j++)
            {
                if (!allowed(value[j]))
                {
                    return $"must contain only {allowedDescription}";
                }
            }
            i += rune.Utf16SequenceLength;
        }
        return null;
    }

    /// <summary>Printable ASCII without space: 0x21-0x7E.</summary>
    public static bool IsVisibleAscii(char c) => c is >= '!' and <= '~';

    /// <summary>
    /// Control characters (C0, DEL, C1), invisible formatting (bidi overrides, zero-width
    /// characters) and line/paragraph separators: they make values that print misleadingly or
    /// break logs and headers. (Unpaired surrogates are caught before, as broken Unicode.)
    /// </summary>
    private static bool IsNeverAllowed(UnicodeCategory category) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
