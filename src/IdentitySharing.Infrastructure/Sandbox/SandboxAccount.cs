namespace IdentitySharing.Infrastructure.Sandbox;

/// <summary>A simulated Sumsub account with its generated credentials and seeded demo applicants.</summary>
public sealed record SandboxAccount(
    string Name,
    string ClientId,
    string AppToken,
    string SecretKey,
    IReadOnlyList<string> DemoApplicantIds)
{
    /// <summary>Never prints the credentials.</summary>
    public override string ToString() => $"{Name} (client id {ClientId}; demo applicants {string.Join(", ", DemoApplicantIds)})";
}
