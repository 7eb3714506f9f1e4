namespace IdentitySharing.Application.Common;

/// <summary>What kind of failure an <see cref="Error"/> is. The host maps each kind to one gRPC status, in one place.</summary>
public enum ErrorKind
{
    /// <summary>A request field is invalid (before any upstream call). INVALID_ARGUMENT.</summary>
    Validation,
    /// <summary>The applicant or resource does not exist upstream. NOT_FOUND.</summary>
    NotFound,
    /// <summary>The share token is invalid, expired, already used or not for us; or another precondition failed upstream. FAILED_PRECONDITION.</summary>
    FailedPrecondition,
    /// <summary>The upstream rejected our own credentials, signature or permissions. INTERNAL, never blamed on the caller.</summary>
    UpstreamCredentials,
    /// <summary>The upstream rate-limited us. RESOURCE_EXHAUSTED with RetryInfo.</summary>
    RateLimited,
    /// <summary>The upstream failed (5xx), could not be reached, or answered nonsense. UNAVAILABLE.</summary>
    Unavailable,
    /// <summary>The caller's deadline ran out. DEADLINE_EXCEEDED.</summary>
    DeadlineExceeded,
    /// <summary>The same request_id was used with a different request. FAILED_PRECONDITION.</summary>
    IdempotencyMismatch,
}

/// <summary>One bad request field, named as in the proto contract (snake_case).</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>Which upstream answered and how, for ErrorInfo metadata. Never holds tokens, secrets or personal data.</summary>
public sealed record UpstreamFailure(
    string Upstream,
    int? HttpStatus,
    string? ErrorCode,
    string? CorrelationId);

/// <summary>An expected failure, returned as a value rather than thrown.</summary>
/// <param name="Kind">Decides the gRPC status.</param>
/// <param name="Reason">A stable UPPER_SNAKE_CASE reason for ErrorInfo, e.g. "SHARE_TOKEN_REJECTED".</param>
/// <param name="Message">Safe for the caller to read: no secrets, tokens or personal data.</param>
public sealed record Error(ErrorKind Kind, string Reason, string Message)
{
    public IReadOnlyList<FieldViolation> FieldViolations { get; init; } = [];
    public UpstreamFailure? Upstream { get; init; }
    /// <summary>How long the caller should wait before retrying, when a retry can help.</summary>
    public TimeSpan? RetryAfter { get; init; }
    /// <summary>
    /// The upstream may have acted although the call failed (the request was sent, its answer
    /// lost): a retry must find out what happened before acting again, never simply repeat.
    /// The idempotency layer keeps such a request's key so its retry is told so.
    /// </summary>
    public bool MayHaveActed { get; init; }

    public static Error Validation(IReadOnlyList<FieldViolation> violations) =>
        new(ErrorKind.Validation, "INVALID_REQUEST", violations.Count == 1
            ? $"Invalid field {violations[0].Field}: {violations[0].Description}"
            : $"{violations.Count} invalid fields: {string.Join(", ", violations.Select(v => v.Field))}")
        { FieldViolations = violations };
}
