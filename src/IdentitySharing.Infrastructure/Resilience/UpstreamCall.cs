namespace IdentitySharing.Infrastructure.Resilience;

/// <summary>When an upstream call may be repeated.</summary>
internal enum RetryMode
{
    /// <summary>A repeat cannot do harm (minting a share token: a lost one simply expires unused).
    /// Retried on connect failures, timeouts, dropped connections, 5xx and 429 with a short Retry-After.</summary>
    SafeToRepeat,
    /// <summary>Repeating after the request was sent could act twice (an import consumes its token;
    /// Banxa's share is not documented as idempotent). Retried only when nothing was sent.</summary>
    UnsentOnly,
}

/// <summary>Which upstream and account a call goes to (the circuit breaker and pacing keys) and how it may be retried.</summary>
internal sealed record UpstreamCall(string Upstream, string Account, HttpMethod Method, RetryMode Retry);
