using IdentitySharing.Application.Common;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Resilience;

/// <summary>Whether a failed attempt can have reached the upstream: what decides if repeating it is safe.</summary>
internal enum AttemptFailure
{
    /// <summary>The upstream answered (any status), or its answer was unusable but complete enough to judge.</summary>
    None,
    /// <summary>The connection could not be established: nothing was sent, repeating is harmless.</summary>
    NotSent,
    /// <summary>The request was (or may have been) sent but no full answer came back: the outcome is unknown.</summary>
    NoAnswer,
    /// <summary>Client-side pacing refused the attempt before sending: the account's budget is spent.</summary>
    Paced,
}

/// <summary>One attempt at an upstream call: a complete answer, or an error with its <see cref="AttemptFailure"/>.</summary>
internal sealed record UpstreamAttempt(UpstreamResponse? Response, Error? Error, AttemptFailure Failure, int? HttpStatus)
{
    public static UpstreamAttempt Answered(UpstreamResponse response) => new(response, null, AttemptFailure.None, response.StatusCode);

    public static UpstreamAttempt Answered(Error unusable, int httpStatus) => new(null, unusable, AttemptFailure.None, httpStatus);

    public static UpstreamAttempt Failed(AttemptFailure failure, Error error) => new(null, error, failure, null);

    public Result<UpstreamResponse> ToResult() => Response is not null ? Response : Error!;
}
