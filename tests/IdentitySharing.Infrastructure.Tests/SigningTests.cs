using System.Collections.Concurrent;
using System.Text;
using IdentitySharing.Infrastructure.Banxa;
using IdentitySharing.Infrastructure.Sumsub;

namespace IdentitySharing.Infrastructure.Tests;

public sealed class SigningTests
{
    [Fact]
    public void Sumsub_signature_matches_the_vendor_test_vector()
    {
        var signature = SumsubSigner.Sign(
            "Hej2ch71kG2kTd1iIUDZFNsO5C1lh5Gq",
            "1607551635",
            "POST",
            "/resources/accessTokens?userId=cfd20712-24a2-4c7d-9ab0-146f3c142335&levelName=basic-kyc-level&ttlInSecs=600",
            ReadOnlySpan<byte>.Empty);

        signature.Should().Be("1e1856be1c1e1ff113e5664acac6b423ffefe04ad42ff36567622ef56f62c4b1");
    }

    [Fact]
    public void Sumsub_signature_covers_the_body_bytes()
    {
        var withoutBody = SumsubSigner.Sign("secret", "1", "POST", "/p", ReadOnlySpan<byte>.Empty);
        var withBody = SumsubSigner.Sign("secret", "1", "POST", "/p", "{}"u8);
        var sameAsConcatenated = SumsubSigner.Sign("secret", "1", "POST", "/p{}", ReadOnlySpan<byte>.Empty);

        withBody.Should().NotBe(withoutBody).And.Be(sameAsConcatenated);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(5000)]
    public void Sumsub_and_Banxa_signatures_equal_an_hmac_over_the_documented_message_for_any_body_size(int bodyBytes)
    {
        var body = Encoding.UTF8.GetBytes(new string('é', bodyBytes));
        var path = "/resources/applicants/-;externalUserId=ü%20x/one";

        SumsubSigner.Sign("sécret", "1700000000", "POST", path, body)
            .Should().Be(Reference("sécret", [.. Encoding.UTF8.GetBytes("1700000000POST" + path), .. body]));
        BanxaSigner.Sign("sécret", "POST", path, "42", body)
            .Should().Be(Reference("sécret", [.. Encoding.UTF8.GetBytes($"POST\n{path}\n42\n"), .. body]));

        static string Reference(string secret, byte[] message) =>
            Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    [Fact]
    public void Sumsub_timestamp_is_unix_seconds()
    {
        SumsubSigner.Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(1_607_551_635_999)).Should().Be("1607551635");
    }

    [Fact]
    public void Banxa_signature_matches_the_vendor_test_vector()
    {
        var signature = BanxaSigner.Sign("test-secret", "POST", "/eapi/v0/ramps", "1612391416000",
            Encoding.UTF8.GetBytes("{\"identityReference\":\"example_01\"}"));

        signature.Should().Be("6fc51daf089217c2d0efb092fc2a5b8fe28e964dc687742b8df7da94e0df7fd0");
    }

    [Fact]
    public void Banxa_get_signature_has_no_body_line()
    {
        var get = BanxaSigner.Sign("s", "GET", "/eapi/v0/x?a=1", "1", ReadOnlySpan<byte>.Empty);
        var postWithEmptyBody = BanxaSigner.Sign("s", "POST", "/eapi/v0/x?a=1", "1", ReadOnlySpan<byte>.Empty);

        get.Should().NotBe(postWithEmptyBody);
    }

    [Fact]
    public void Banxa_nonces_are_unix_microseconds()
    {
        var time = new ManualTimeProvider();
        var expected = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

        // Other tests in the process may have handed out nonces a little ahead of the clock.
        new BanxaNonceSource(time).Next().Should().BeInRange(expected, expected + 1_000_000);
    }

    [Fact]
    public void Banxa_nonces_strictly_increase_even_when_the_clock_stands_still_or_steps_back()
    {
        var time = new ManualTimeProvider();
        var nonces = new BanxaNonceSource(time);

        var first = nonces.Next();
        var second = nonces.Next();
        time.Advance(TimeSpan.FromSeconds(-5));
        var third = nonces.Next();

        second.Should().BeGreaterThan(first);
        third.Should().BeGreaterThan(second);
    }

    [Fact]
    public async Task Banxa_nonces_are_unique_across_threads()
    {
        var nonces = new BanxaNonceSource(new ManualTimeProvider());
        var seen = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                seen.Add(nonces.Next());
            }
        })));

        seen.Should().HaveCount(80_000).And.OnlyHaveUniqueItems();
    }
}
