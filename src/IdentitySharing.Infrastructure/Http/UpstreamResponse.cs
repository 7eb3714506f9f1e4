using System.Net;

namespace IdentitySharing.Infrastructure.Http;

/// <summary>An upstream's answer, its body read in full but bounded in size.</summary>
internal sealed record UpstreamResponse(HttpStatusCode Status, byte[] Body, TimeSpan? RetryAfter)
{
    public int StatusCode => (int)Status;

    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
