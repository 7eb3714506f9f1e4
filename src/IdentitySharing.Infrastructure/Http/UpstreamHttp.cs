using System.Buffers;
using System.Net.Http.Headers;
using IdentitySharing.Application.Common;
using IdentitySharing.Infrastructure.Resilience;

namespace IdentitySharing.Infrastructure.Http;

/// <summary>
/// Sends one request and reads the answer, classifying transport failures by whether the
/// request can have reached the upstream (see <see cref="AttemptFailure"/>). Cancellation of
/// the caller's token (the host ties it to the gRPC deadline) is not an upstream failure: it
/// propagates as an <see cref="UpstreamRequestInterruptedException"/> (an
/// <see cref="OperationCanceledException"/>, which the host maps to DEADLINE_EXCEEDED or
/// CANCELLED) because the request may already have reached the upstream, and the idempotency
/// layer must then make a retry reconcile instead of repeating the action.
/// </summary>
internal static class UpstreamHttp
{
    /// <summary>Bodies larger than this are an upstream fault; they are never buffered.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    /// <summary>One attempt, limited by <paramref name="attemptTimeout"/>; when that fires the attempt is <see cref="AttemptFailure.NoAnswer"/>.</summary>
    public static async Task<UpstreamAttempt> SendOnceAsync(HttpClient client, HttpRequestMessage request, string upstream, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(attemptTimeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            var retryAfter = ReadRetryAfter(response.Headers.RetryAfter, response.Headers.Date);
            var status = (int)response.StatusCode;
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                return UpstreamAttempt.Answered(UpstreamErrors.BadResponse(upstream, status, "the response body is too large"), status);
            }
            var body = await ReadBoundedAsync(response.Content, attempt.Token).ConfigureAwait(false);
            return body is null
                ? UpstreamAttempt.Answered(UpstreamErrors.BadResponse(upstream, status, "the response body is too large"), status)
                : UpstreamAttempt.Answered(new UpstreamResponse(response.StatusCode, body, retryAfter));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The attempt timeout (or the HttpClient's safety cap) fired: the request may have been sent.
            return UpstreamAttempt.Failed(AttemptFailure.NoAnswer, UpstreamErrors.Unreachable(upstream, "did not answer in time"));
        }
        catch (OperationCanceledException e)
        {
            // The caller's token fired. HttpClient does not say whether any byte was sent, so
            // assume it was: a needless reconciliation costs a lookup, a wrong "not sent" a
            // second import with a spent token.
            throw new UpstreamRequestInterruptedException(upstream, e, cancellationToken);
        }
        catch (HttpRequestException e) when (IsConnectFailure(e))
        {
            return UpstreamAttempt.Failed(AttemptFailure.NotSent, UpstreamErrors.Unreachable(upstream, "could not be reached"));
        }
        catch (HttpRequestException)
        {
            return UpstreamAttempt.Failed(AttemptFailure.NoAnswer, UpstreamErrors.Unreachable(upstream, "closed the connection before answering in full"));
        }
        catch (IOException)
        {
            return UpstreamAttempt.Failed(AttemptFailure.NoAnswer, UpstreamErrors.Unreachable(upstream, "closed the connection mid-response"));
        }
    }

    /// <summary>
    /// Failures while establishing the connection: no byte of the request left this process.
    /// Every other transport failure happens on an open connection, after sending may have begun.
    /// </summary>
    internal static bool IsConnectFailure(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;

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
