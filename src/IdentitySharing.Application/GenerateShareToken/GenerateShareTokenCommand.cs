using IdentitySharing.Application.Common;
using IdentitySharing.Domain;
using IdentitySharing.Application.Idempotency;
using MediatR;

namespace IdentitySharing.Application.GenerateShareToken;

/// <summary>
/// Donor side: mint a single-use share token that lets <see cref="ForClientId"/> import one of
/// our applicants. Carries the request's raw fields; the validator checks them all.
/// </summary>
/// <param name="ApplicantId">The applicant in the donor account.</param>
/// <param name="ForClientId">The recipient's Sumsub client id.</param>
/// <param name="TtlSeconds">0 = Sumsub's default (1200 s), otherwise 1-86400.</param>
/// <param name="Account">Empty or null = the default Sumsub account.</param>
/// <param name="RequestId">Idempotency key; empty or null = none.</param>
public sealed record GenerateShareTokenCommand(
    string ApplicantId,
    string ForClientId,
    int TtlSeconds,
    string? Account,
    string? RequestId) : IRequest<Result<ShareTokenGenerated>>, IIdempotentCommand;

/// <summary>The token Sumsub issued and when it stops being accepted (our clock at issue + lifetime).</summary>
public sealed record ShareTokenGenerated(ShareToken Token, ClientId ForClientId, DateTimeOffset ExpiresAt);
