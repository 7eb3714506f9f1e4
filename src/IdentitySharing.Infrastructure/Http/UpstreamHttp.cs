using System.Buffers;
using System.Net.Http.Headers;
using IdentitySharing.Application.Common;

namespace IdentitySharing.Infrastructure.Http;

/// <summary>
/// Sends one signed request and reads the answer, turning transport failures into
/// <see cref="Error"/>s. Cancellation of the caller's token (the host ties it to the gRPC
/// deadline) is not an upstream failure: the <see cref="OperationCanceledException"/>
/// propagates and the host maps it to DEADLINE_EXCEEDED or CANCELLED.
/// </summary>
internal static class UpstreamHttp
{
    /// <summary>Bodies larger than this are an upstream fault; they are never buffered.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    public static async Task<Result<UpstreamResponse>> SendAsync(HttpClient client, HttpRequestMessage request, string upstream, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var retryAfter = ReadRetryAfter(response.Headers.RetryAfter, response.Headers.Date);
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                return UpstreamErrors.BadResponse(upstream, (int)response.StatusCode, "the response body is too large");
            }
            var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            return body is null
                ? UpstreamErrors.BadResponse(upstream, (int)response.StatusCode, "the response body is too large")
                : new UpstreamResponse(response.StatusCode, body, retryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the HttpClient's overall safety cap fires without the caller's token.
            return UpstreamErrors.Unreachable(upstream, "did not answer in time");
        }
        catch (HttpRequestException)
        {
            return UpstreamErrors.Unreachable(upstream, "could not be reached or closed the connection");
        }
        catch (IOException)
        {
            return UpstreamErrors.Unreachable(upstream, "closed the connection mid-response");
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            // Pooled: a fresh 16 KB chunk per call was most of what an upstream call allocated.
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxResponseBytes)
                    {
                        return null;
                    }
                    buffer.Write(chunk, 0, read);
                }
                return buffer.ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    private static TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? header, DateTimeOffset? responseDate)
    {
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - (responseDate ?? DateTimeOffset.UtcNow);
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
