using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace IdentitySharing.Infrastructure.Http;

/// <summary>
/// The one gate for text an upstream wrote that reaches a caller (field violation descriptions,
/// <c>grpc-message</c>, ErrorInfo metadata) or the audit ledger. Upstream text is untrusted: it
/// may quote the request (share token, email, phone number) or anyone else's personal data, be
/// any size (trailers over a client's header limit turn the status into INTERNAL) and hold
/// control or invisible characters.
/// </summary>
internal static partial class UpstreamText
{
    /// <summary>At most this many characters of an upstream message pass.</summary>
    public const int MaxMessageLength = 200;

    /// <summary>At most this many characters of an upstream id or name (correlation id, error name, field name).</summary>
    public const int MaxIdLength = 128;

    public const string Redacted = "[redacted]";

    /// <summary>
    /// How much of a message is examined: enough for <see cref="MaxMessageLength"/> characters
    /// after redaction, small enough that the patterns run in bounded time on a 1 MiB body.
    /// </summary>
    private const int WorkingLength = 2048;

    /// <summary>
    /// An upstream id or name (correlationId, errorName, traceId, a field name) when it is 1-128
    /// characters of [A-Za-z0-9._:-]; anything else (an email, a phone number with +, spaces,
    /// markup, a megabyte of text) is dropped (null), never cut into something misleading.
    /// </summary>
    public static string? Id(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxIdLength)
        {
            return null;
        }
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
            {
                return null;
            }
        }
        return value;
    }

    /// <summary>
    /// A free-text upstream message made safe to show: percent-decoded, without control or
    /// invisible formatting characters, every email-like and phone-like text and every
    /// <paramref name="requestValues"/> occurrence (any case, raw or percent-encoded) replaced by
    /// <see cref="Redacted"/>, and at most <see cref="MaxMessageLength"/> characters. Empty when
    /// nothing safe is left.
    /// </summary>
    public static string Message(string? message, IEnumerable<string> requestValues)
    {
        ArgumentNullException.ThrowIfNull(requestValues);
        if (string.IsNullOrEmpty(message))
        {
            return string.Empty;
        }
        var known = requestValues.Where(v => !string.IsNullOrEmpty(v)).ToArray();
        try
        {
            var text = Window(message);
            // The request's values as quoted (a token may itself hold '%'), then again once decoded.
            text = RedactKnown(text, known);
            text = PercentDecode(text);
            text = Clean(text);
            text = RedactKnown(text, known);
            text = EmailLike().Replace(text, Redacted);
            text = PhoneLike().Replace(text, Redacted);
            return Truncate(CollapseSpaces(text), MaxMessageLength);
        }
        catch (RegexMatchTimeoutException)
        {
            // Nothing is shown rather than something unchecked.
            return string.Empty;
        }
    }

    /// <summary>
    /// The first <see cref="WorkingLength"/> characters; when that cuts the text, the word cut in
    /// two is dropped too, so half an email address or phone number never escapes its pattern.
    /// </summary>
    private static string Window(string message)
    {
        if (message.Length <= WorkingLength)
        {
            return message;
        }
        var window = message[..WorkingLength];
        var lastSpace = window.LastIndexOf(' ');
        return lastSpace > 0 ? window[..lastSpace] : string.Empty;
    }

    private static string RedactKnown(string text, string[] known)
    {
        foreach (var value in known)
        {
            text = text.Replace(value, Redacted, StringComparison.OrdinalIgnoreCase);
            var encoded = Uri.EscapeDataString(value);
            if (encoded != value)
            {
                text = text.Replace(encoded, Redacted, StringComparison.OrdinalIgnoreCase);
            }
        }
        return text;
    }

    /// <summary>Percent-decodes, a few rounds for double encoding (%2540 is %40 is @); invalid escapes stay as they are.</summary>
    private static string PercentDecode(string text)
    {
        for (var round = 0; round < 3 && text.Contains('%', StringComparison.Ordinal); round++)
        {
            var decoded = Uri.UnescapeDataString(text);
            if (decoded == text)
            {
                break;
            }
            text = decoded;
        }
        return text;
    }

    /// <summary>
    /// Without control characters, invisible formatting (bidi overrides, zero-width characters,
    /// soft hyphens), line and paragraph separators, private-use and unassigned code points and
    /// unpaired surrogates; white space of any kind becomes a space; full-width ASCII forms
    /// ("＠", "４") and the small commercial at read as ASCII, so the patterns see them. (No
    /// Unicode normalisation: the service runs in invariant globalization mode, where it is not
    /// available; other digits are matched by <c>\d</c> whatever their script.)
    /// </summary>
    private static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        Span<char> units = stackalloc char[2];
        for (var i = 0; i < text.Length;)
        {
            if (!Rune.TryGetRuneAt(text, i, out var rune))
            {
                i++;
                continue;
            }
            i += rune.Utf16SequenceLength;
            if (Rune.IsWhiteSpace(rune))
            {
                builder.Append(' ');
                continue;
            }
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                continue;
            }
            if (FoldToAscii(rune) is { } ascii)
            {
                builder.Append(ascii);
            }
            else
            {
                builder.Append(units[..rune.EncodeToUtf16(units)]);
            }
        }
        return builder.ToString();
    }

    private static char? FoldToAscii(Rune rune) => rune.Value switch
    {
        >= 0xFF01 and <= 0xFF5E => (char)(rune.Value - 0xFEE0),
        0xFE6B => '@',
        _ => null,
    };

    private static string CollapseSpaces(string text) => MultipleSpaces().Replace(text, " ").Trim();

    /// <summary>At most <paramref name="max"/> characters, never half a surrogate pair, "…" when cut.</summary>
    private static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return string.Concat(text.AsSpan(0, cut).TrimEnd(' '), "…");
    }

    /// <summary>
    /// Anything shaped like an email address: a run of non-separator characters, '@' and the
    /// run after it if any (a local part alone is personal data too), but not a sentence's final
    /// dot. Deliberately broad (no dot needed, any script): a false positive only hides a word.
    /// </summary>
    [GeneratedRegex(@"[^\s@""'<>()\[\]{},;]+@(?:[^\s@""'<>()\[\]{},;]*[^\s@""'<>()\[\]{},;.])?", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex EmailLike();

    /// <summary>
    /// Anything shaped like a phone number: an optional '+' or '(', then 7 or more digits, each
    /// pair separated by at most three spaces, dashes, dots or parentheses
    /// ("+61 412 345 678", "0412-345-678", "(02) 9876.5432"). Long numbers of other kinds (dates,
    /// amounts, ids) are hidden too: better than a phone number shown.
    /// </summary>
    [GeneratedRegex(@"[+(]?\d(?:[\s\-.()]{0,3}\d){6,}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex PhoneLike();

    [GeneratedRegex(@" {2,}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 200)]
    private static partial Regex MultipleSpaces();
}
