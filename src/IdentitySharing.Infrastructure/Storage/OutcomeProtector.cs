using System.Security.Cryptography;
using System.Text;
using IdentitySharing.Application.Idempotency;
using Microsoft.Extensions.Configuration;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// Encrypts stored idempotency outcomes (AES-256-GCM): a GenerateShareToken outcome is a live
/// share token, replayed to retries for the retention period, and must not be readable by
/// whoever can read the database or its backups. Each ciphertext is bound to its key
/// (caller, RPC, request_id) as associated data, so a row copied under another caller's key
/// does not decrypt.
/// <para>
/// The key is <c>Idempotency:OutcomeKey</c> (base64 of 32 random bytes, the same on every
/// replica). Without it the key is derived (HKDF-SHA256, a label of its own) from the
/// configured Sumsub accounts' secret keys, which every replica already shares, so a
/// deployment is protected without a new secret; but then rotating a Sumsub secret also
/// changes this key. A stored outcome that no longer decrypts is never treated as absent
/// (that could repeat an import): <see cref="Unprotect"/> throws, and the request is refused
/// as the idempotency store being unavailable, until the record expires.
/// </para>
/// <para>
/// Request fingerprints are keyed with a subkey of this key (<see cref="FingerprintKey"/>), so
/// they change with it too: a record fingerprinted under the previous key is refused the same way.
/// </para>
/// </summary>
public sealed class OutcomeProtector
{
    public const string KeySetting = IdempotencyOptions.SectionName + ":OutcomeKey";
    private const string Prefix = "aesgcm1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;
    private static readonly byte[] DerivationLabel = "IdentitySharing idempotency outcome key v1"u8.ToArray();
    private static readonly byte[] FingerprintLabel = "IdentitySharing idempotency request fingerprint key v1"u8.ToArray();

    private readonly byte[] _key;

    public OutcomeProtector(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"The outcome key must be {KeySize} bytes", nameof(key));
        }
        _key = [.. key];
    }

    /// <summary><c>Idempotency:OutcomeKey</c> when set, otherwise the key derived from the Sumsub secrets (see the class remarks).</summary>
    public static OutcomeProtector FromConfiguration(IConfiguration configuration) => new(OutcomeKey(configuration));

    /// <summary>
    /// The outcome encryption key: <c>Idempotency:OutcomeKey</c>, or the key derived from the
    /// Sumsub secrets. Other idempotency keys are derived from it (<see cref="FingerprintKey"/>).
    /// </summary>
    internal static byte[] OutcomeKey(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[KeySetting];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return ParseKey(configured) ?? throw new InvalidOperationException(KeyProblem);
        }
        var secrets = new StringBuilder();
        foreach (var account in configuration.GetSection("Sumsub:Accounts").GetChildren().OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            secrets.Append(account.Key).Append('=').Append(account["SecretKey"]).Append('\n');
        }
        if (secrets.Length == 0)
        {
            throw new InvalidOperationException($"{KeySetting} is not set and no Sumsub account is configured to derive it from");
        }
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secrets.ToString()), KeySize, salt: [], info: DerivationLabel);
    }

    /// <summary>
    /// The key of request fingerprints (<see cref="RequestFingerprinter"/>): a subkey of the
    /// outcome key (HKDF-SHA256, a label of its own), so every replica has it without a new
    /// secret, and neither key's bytes serve the other purpose.
    /// </summary>
    public static byte[] FingerprintKey(IConfiguration configuration) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, OutcomeKey(configuration), RequestFingerprinter.KeySize, salt: [], info: FingerprintLabel);

    /// <summary>Configuration problems, for the startup check that reports them all at once.</summary>
    public static IEnumerable<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[KeySetting];
        if (!string.IsNullOrWhiteSpace(configured) && ParseKey(configured) is null)
        {
            yield return KeyProblem;
        }
    }

    public string Protect(string outcome, IdempotencyKey key)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(key);
        var plaintext = Encoding.UTF8.GetBytes(outcome);
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), AssociatedData(key));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <exception cref="OutcomeUnreadableException">The outcome was sealed with another key, for another request, or altered.</exception>
    public string Unprotect(string stored, IdempotencyKey key)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(key);
        byte[] sealedBytes;
        try
        {
            sealedBytes = stored.StartsWith(Prefix, StringComparison.Ordinal) ? Convert.FromBase64String(stored[Prefix.Length..]) : [];
        }
        catch (FormatException)
        {
            sealedBytes = [];
        }
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new OutcomeUnreadableException();
        }
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plaintext, AssociatedData(key));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new OutcomeUnreadableException();
        }
        return Encoding.UTF8.GetString(plaintext);
    }

    private static string KeyProblem => $"{KeySetting} must be base64 of exactly {KeySize} bytes (e.g. the output of `openssl rand -base64 32`)";

    private static byte[]? ParseKey(string configured)
    {
        var buffer = new byte[KeySize + 3];
        return Convert.TryFromBase64String(configured.Trim(), buffer, out var written) && written == KeySize ? buffer[..KeySize] : null;
    }

    private static byte[] AssociatedData(IdempotencyKey key) => Encoding.UTF8.GetBytes(key.Composite);
}

/// <summary>A stored idempotency record unreadable under the current key (an outcome that does not decrypt, a fingerprint made under another key); it names no key or data.</summary>
public sealed class OutcomeUnreadableException : Exception
{
    public OutcomeUnreadableException()
        : base($"A stored idempotency outcome cannot be decrypted: {OutcomeProtector.KeySetting} (or the Sumsub secrets it is derived from) changed since it was stored, or the record was altered")
    {
    }

    public OutcomeUnreadableException(string message) : base(message)
    {
    }

    public OutcomeUnreadableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
