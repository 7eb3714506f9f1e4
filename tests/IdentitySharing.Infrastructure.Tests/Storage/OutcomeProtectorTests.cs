using System.Security.Cryptography;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;

namespace IdentitySharing.Infrastructure.Tests.Storage;

public sealed class OutcomeProtectorTests
{
    private static readonly IdempotencyKey Key = new("billing", "GenerateShareToken", "req-1");
    private const string Outcome = """{"token":"_act-secret","forClientId":"partner"}""";

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void Round_trips_and_never_seals_the_same_outcome_twice_alike()
    {
        var protector = new OutcomeProtector(RandomNumberGenerator.GetBytes(32));

        var first = protector.Protect(Outcome, Key);
        var second = protector.Protect(Outcome, Key);

        protector.Unprotect(first, Key).Should().Be(Outcome);
        second.Should().NotBe(first, "each outcome gets a fresh nonce");
        first.Should().NotContain("_act-secret");
    }

    [Theory]
    [InlineData("plain text")]
    [InlineData("aesgcm1:not base64!")]
    [InlineData("aesgcm1:AAAA")]
    public void Refuses_anything_it_did_not_seal(string stored)
    {
        var act = () => new OutcomeProtector(RandomNumberGenerator.GetBytes(32)).Unprotect(stored, Key);

        act.Should().Throw<OutcomeUnreadableException>();
    }

    [Fact]
    public void A_flipped_bit_or_another_request_id_does_not_decrypt()
    {
        var protector = new OutcomeProtector(RandomNumberGenerator.GetBytes(32));
        var sealedBytes = Convert.FromBase64String(protector.Protect(Outcome, Key)["aesgcm1:".Length..]);
        sealedBytes[^1] ^= 1;

        var tampered = () => protector.Unprotect("aesgcm1:" + Convert.ToBase64String(sealedBytes), Key);
        var moved = () => protector.Unprotect(protector.Protect(Outcome, Key), Key with { RequestId = "req-2" });

        tampered.Should().Throw<OutcomeUnreadableException>();
        moved.Should().Throw<OutcomeUnreadableException>();
    }

    [Fact]
    public void The_configured_key_wins_and_replicas_with_the_same_configuration_read_each_others_outcomes()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var replicaA = OutcomeProtector.FromConfiguration(Configuration(("Idempotency:OutcomeKey", key), ("Sumsub:Accounts:main:SecretKey", "a")));
        var replicaB = OutcomeProtector.FromConfiguration(Configuration(("Idempotency:OutcomeKey", key), ("Sumsub:Accounts:main:SecretKey", "b")));

        replicaB.Unprotect(replicaA.Protect(Outcome, Key), Key).Should().Be(Outcome, "the Sumsub secrets do not matter once a key is configured");
    }

    [Fact]
    public void Without_a_configured_key_it_is_derived_from_the_sumsub_secrets()
    {
        var settings = new[] { ("Sumsub:Accounts:main:SecretKey", "secret-1"), ("Sumsub:Accounts:eu:SecretKey", "secret-2") };
        var replicaA = OutcomeProtector.FromConfiguration(Configuration(settings));
        var replicaB = OutcomeProtector.FromConfiguration(Configuration([.. settings.Reverse()]));
        var rotated = OutcomeProtector.FromConfiguration(Configuration(("Sumsub:Accounts:main:SecretKey", "secret-1"), ("Sumsub:Accounts:eu:SecretKey", "secret-3")));

        var sealedOutcome = replicaA.Protect(Outcome, Key);

        replicaB.Unprotect(sealedOutcome, Key).Should().Be(Outcome);
        var afterRotation = () => rotated.Unprotect(sealedOutcome, Key);
        afterRotation.Should().Throw<OutcomeUnreadableException>();
    }

    [Fact]
    public void The_fingerprint_key_is_a_subkey_of_the_outcome_key_shared_by_replicas_and_not_the_outcome_key_itself()
    {
        var keyBytes = RandomNumberGenerator.GetBytes(32);
        var key = Convert.ToBase64String(keyBytes);
        var secrets = new[] { ("Sumsub:Accounts:main:SecretKey", "secret-1"), ("Sumsub:Accounts:eu:SecretKey", "secret-2") };

        var replicaA = OutcomeProtector.FingerprintKey(Configuration(("Idempotency:OutcomeKey", key), ("Sumsub:Accounts:main:SecretKey", "a")));
        var replicaB = OutcomeProtector.FingerprintKey(Configuration(("Idempotency:OutcomeKey", key), ("Sumsub:Accounts:main:SecretKey", "b")));
        var otherKey = OutcomeProtector.FingerprintKey(Configuration(("Idempotency:OutcomeKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)))));
        var derivedA = OutcomeProtector.FingerprintKey(Configuration(secrets));
        var derivedB = OutcomeProtector.FingerprintKey(Configuration([.. secrets.Reverse()]));

        replicaA.Should().HaveCount(RequestFingerprinter.KeySize).And.Equal(replicaB);
        replicaA.Should().NotEqual(keyBytes, "the encryption key's bytes serve one purpose only");
        replicaA.Should().NotEqual(otherKey);
        derivedA.Should().Equal(derivedB, "without a configured key, replicas derive the same one from the Sumsub secrets");
        derivedA.Should().NotEqual(replicaA);
        // The outcome key derived from the same secrets is not the fingerprint key either: a protector keyed with the fingerprint key cannot read its outcomes.
        var sealedOutcome = OutcomeProtector.FromConfiguration(Configuration(secrets)).Protect(Outcome, Key);
        var withFingerprintKey = () => new OutcomeProtector(derivedA).Unprotect(sealedOutcome, Key);
        withFingerprintKey.Should().Throw<OutcomeUnreadableException>();
    }

    [Theory]
    [InlineData("too-short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_malformed_configured_key_is_a_startup_problem_naming_the_setting(string configured)
    {
        var configuration = Configuration(("Idempotency:OutcomeKey", configured));

        OutcomeProtector.Validate(configuration).Should().ContainSingle().Which.Should().Contain("Idempotency:OutcomeKey").And.NotContain(configured);
        OutcomeProtector.Validate(Configuration(("Idempotency:OutcomeKey", Convert.ToBase64String(new byte[32])))).Should().BeEmpty();
    }
}
