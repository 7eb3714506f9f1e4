using System.Diagnostics;
using OpenTelemetry;

namespace IdentitySharing.Host.Telemetry;

/// <summary>
/// Drops query strings from URL attributes before export: upstream URLs can carry share tokens
/// (<c>?shareToken=...</c>), and a trace backend is not a place for them.
/// </summary>
internal sealed class UrlRedactionProcessor : BaseProcessor<Activity>
{
    private static readonly string[] UrlAttributes = ["url.full", "http.url", "http.target"];

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetTagItem("url.query") is string { Length: > 0 })
        {
            data.SetTag("url.query", "REDACTED");
        }
        foreach (var name in UrlAttributes)
        {
            if (data.GetTagItem(name) is string value && Redact(value) is var redacted && redacted != value)
            {
                data.SetTag(name, redacted);
            }
        }
    }

    /// <summary>The URL without its query string and fragment (they are replaced by a marker).</summary>
    public static string Redact(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var cut = url.IndexOfAny(['?', '#']);
        return cut < 0 ? url : string.Concat(url.AsSpan(0, cut), "?REDACTED");
    }
}
