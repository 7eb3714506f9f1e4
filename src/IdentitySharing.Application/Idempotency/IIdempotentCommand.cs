namespace IdentitySharing.Application.Idempotency;

/// <summary>
/// A mutating command that accepts an AIP-155 idempotency key. Commands carrying it go through
/// <see cref="IdempotencyBehavior{TRequest,TValue}"/> and the audit ledger.
/// </summary>
public interface IIdempotentCommand
{
    /// <summary>The caller's idempotency key; empty or null = not idempotent.</summary>
    string? RequestId { get; }
}
