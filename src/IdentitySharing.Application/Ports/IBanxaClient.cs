using IdentitySharing.Application.Common;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.Ports;

/// <summary>What Banxa's identity share takes.</summary>
public sealed record BanxaIdentityShare(
    IdentityReference IdentityReference,
    EmailAddress Email,
    MobileNumber MobileNumber,
    ShareToken SumsubShareToken);

/// <summary>
/// Banxa's signed merchant API. A 422 comes back as <see cref="ErrorKind.Validation"/> with
/// field violations named as in the proto contract (identity_reference, email, mobile_number).
/// </summary>
public interface IBanxaClient
{
    /// <summary>Returns the identity reference Banxa accepted (HTTP 202).</summary>
    Task<Result<IdentityReference>> ShareIdentityAsync(BanxaIdentityShare share, CancellationToken cancellationToken);
}
