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
    /// Checks presence, length (in characters as the contract counts them: Unicode scalar
    /// values, so an emoji outside the BMP is one character, not two UTF-16 units) and that
    /// every character is allowed; returns the violation, or null when valid. Control and
    /// invisible formatting characters and unpaired surrogates are rejected whatever the rule
    /// allows. Violations never quote the value: it may be a token or personal data.
    /// </summary>
    public static string? Check(string? value, int maxLength, Func<char, bool> allowed, string allowedDescription)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (string.IsNullOrEmpty(value))
        {
            return Required;
        }
        // A character is one or two UTF-16 units: only a string longer than the limit in units
        // can be over it in characters.
        if (value.Length > maxLength)
        {
            var characters = CharacterCount(value);
            if (characters > maxLength)
            {
                return $"must be at most {maxLength} characters (got {characters})";
            }
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

    /// <summary>
    /// The characters in <paramref name="value"/> as the contract counts them: Unicode scalar
    /// values (a surrogate pair is one; an unpaired surrogate also counts one, and is rejected anyway).
    /// </summary>
    public static int CharacterCount(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }
        return count;
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
