using System.Diagnostics;
using System.Text;
using OpenTelemetry;

namespace IdentitySharing.Host.Telemetry;

/// <summary>
/// Takes caller data out of URLs before spans are exported: upstream URLs can carry share tokens
/// in their query strings (<c>?shareToken=...</c>) and the applicant's external user id (which
/// callers may make an email address) as a path matrix parameter
/// (<c>/resources/applicants/-;externalUserId=.../one</c>), and a trace backend is not a place
/// for either. Query strings and fragments are replaced by a marker, and so is the value of every
/// matrix parameter; the rest of the path stays, so a span still says which endpoint was called.
/// <para>
/// HttpClient's own client span (the <c>System.Net.Http</c> source) carries the URL in
/// <c>url.full</c> only (its name is the method; <c>server.address</c> is the host), but the
/// older and server-side URL attributes and the span name are cleaned too, should another
/// source set them.
/// </para>
/// </summary>
internal sealed class UrlRedactionProcessor : BaseProcessor<Activity>
{
    public const string Marker = "REDACTED";

    private static readonly string[] UrlAttributes = ["url.full", "url.path", "http.url", "http.target"];

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetTagItem("url.query") is string { Length: > 0 })
        {
            data.SetTag("url.query", Marker);
        }
        foreach (var name in UrlAttributes)
        {
            if (data.GetTagItem(name) is string value && Redact(value) is var redacted && redacted != value)
            {
                data.SetTag(name, redacted);
            }
        }
        if (Redact(data.DisplayName) is var displayName && displayName != data.DisplayName)
        {
            data.DisplayName = displayName;
        }
    }

    /// <summary>
    /// The URL (or path) with its query string and fragment replaced by <c>?REDACTED</c> and the
    /// value of each path matrix parameter (<c>;name=value</c>, up to the next <c>;</c> or
    /// <c>/</c>) by <c>REDACTED</c>; a matrix parameter without a name is replaced whole.
    /// </summary>
    public static string Redact(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var cut = url.IndexOfAny(['?', '#']);
        var path = cut < 0 ? url : url[..cut];
        var redacted = path.Contains(';', StringComparison.Ordinal) ? RedactMatrixParameters(path) : path;
        return cut < 0 ? redacted : redacted + "?" + Marker;
    }

    private static string RedactMatrixParameters(string path)
    {
        var result = new StringBuilder(path.Length);
        var position = 0;
        while (position < path.Length)
        {
            var semicolon = path.IndexOf(';', position);
            if (semicolon < 0)
            {
                result.Append(path, position, path.Length - position);
                break;
            }
            result.Append(path, position, semicolon + 1 - position);
            var end = path.IndexOfAny([';', '/'], semicolon + 1);
            if (end < 0)
            {
                end = path.Length;
            }
            var parameter = path.AsSpan(semicolon + 1, end - semicolon - 1);
            var equals = parameter.IndexOf('=');
            if (equals > 0)
            {
                result.Append(parameter[..(equals + 1)]).Append(Marker);
            }
            else if (!parameter.IsEmpty)
            {
                result.Append(Marker);
            }
            position = end;
        }
        return result.ToString();
    }
}
