using IdentitySharing.Application.Common;

namespace IdentitySharing.Infrastructure.Http;

/// <summary>
/// The upstream failures both adapters share. Messages are fixed texts: upstream descriptions
/// can echo tokens or personal data, so they are never copied into an <see cref="Error"/>.
/// </summary>
internal static class UpstreamErrors
{
    public static readonly TimeSpan DefaultRateLimitWait = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultUnavailableWait = TimeSpan.FromSeconds(1);

    public static Error Unreachable(string upstream, string what) =>
        new(ErrorKind.Unavailable, "UPSTREAM_UNREACHABLE", $"{Display(upstream)} {what}.")
        {
            Upstream = new UpstreamFailure(upstream, null, null, null),
            RetryAfter = DefaultUnavailableWait,
        };

    public static Error BadResponse(string upstream, int? httpStatus, string what) =>
        new(ErrorKind.Unavailable, "UPSTREAM_BAD_RESPONSE", $"{Display(upstream)} answered unexpectedly: {what}.")
        {
            Upstream = new UpstreamFailure(upstream, httpStatus, null, null),
            RetryAfter = DefaultUnavailableWait,
        };

    public static Error ServerFault(UpstreamFailure failure, TimeSpan? retryAfter) =>
        new(ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", $"{Display(failure.Upstream)} failed (HTTP {failure.HttpStatus}).")
        {
            Upstream = failure,
            RetryAfter = retryAfter ?? DefaultUnavailableWait,
        };

    public static Error RateLimited(UpstreamFailure failure, TimeSpan? retryAfter) =>
        new(ErrorKind.RateLimited, "UPSTREAM_RATE_LIMITED", $"{Display(failure.Upstream)} rate-limited this service; retry later.")
        {
            Upstream = failure,
            RetryAfter = retryAfter ?? DefaultRateLimitWait,
        };

    public static Error CredentialsRejected(UpstreamFailure failure) =>
        new(ErrorKind.UpstreamCredentials, "UPSTREAM_CREDENTIALS_REJECTED",
            $"{Display(failure.Upstream)} rejected this service's credentials or request signature (HTTP {failure.HttpStatus}); this is a service configuration problem, not the caller's.")
        { Upstream = failure };

    public static Error PermissionDenied(UpstreamFailure failure) =>
        new(ErrorKind.UpstreamCredentials, "UPSTREAM_PERMISSION_DENIED",
            $"{Display(failure.Upstream)} says this service's credentials lack the permission for this operation (HTTP {failure.HttpStatus}); this is a service configuration problem, not the caller's.")
        { Upstream = failure };

    public static Error NotFound(UpstreamFailure failure, string reason, string message) =>
        new(ErrorKind.NotFound, reason, message) { Upstream = failure };

    public static Error RejectedRequest(UpstreamFailure failure) =>
        new(ErrorKind.FailedPrecondition, "UPSTREAM_REJECTED_REQUEST",
            $"{Display(failure.Upstream)} rejected the request (HTTP {failure.HttpStatus}{(failure.ErrorCode is null ? "" : ", error " + failure.ErrorCode)}).")
        { Upstream = failure };

    public static Error Conflict(UpstreamFailure failure) =>
        new(ErrorKind.FailedPrecondition, "UPSTREAM_CONFLICT",
            $"{Display(failure.Upstream)} reported a conflict with the resource's current state (HTTP 409).")
        { Upstream = failure };

    /// <summary>The mapping common to both upstreams for statuses without vendor-specific meaning.</summary>
    public static Error Generic(UpstreamFailure failure, TimeSpan? retryAfter) => failure.HttpStatus switch
    {
        401 => CredentialsRejected(failure),
        403 => PermissionDenied(failure),
        404 => NotFound(failure, "NOT_FOUND", $"{Display(failure.Upstream)} has no such resource."),
        409 => Conflict(failure),
        429 => RateLimited(failure, retryAfter),
        >= 500 => ServerFault(failure, retryAfter),
        >= 300 and < 400 => BadResponse(failure.Upstream, failure.HttpStatus, "an unexpected redirect") with { Upstream = failure },
        _ => RejectedRequest(failure),
    };

    private static string Display(string upstream) => upstream switch
    {
        "sumsub" => "Sumsub",
        "banxa" => "Banxa",
        _ => upstream,
    };
}
