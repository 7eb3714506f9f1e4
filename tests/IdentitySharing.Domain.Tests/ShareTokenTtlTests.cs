using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

public sealed class ShareTokenTtlTests
{
    [Fact]
    public void Zero_means_the_upstream_default_and_sends_nothing()
    {
        var ttl = ShareTokenTtl.Create(0);

        ttl.Should().BeSameAs(ShareTokenTtl.Default);
        ttl.Seconds.Should().BeNull();
        ttl.Lifetime.Should().Be(TimeSpan.FromSeconds(1200));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(600)]
    [InlineData(1200)]
    [InlineData(ShareTokenTtl.MaxSeconds)]
    public void Positive_seconds_up_to_the_maximum_are_sent_as_given(int seconds)
    {
        ShareTokenTtl.Validate(seconds).Should().BeNull();
        var ttl = ShareTokenTtl.Create(seconds);

        ttl.Seconds.Should().Be(seconds);
        ttl.Lifetime.Should().Be(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(ShareTokenTtl.MaxSeconds + 1)]
    [InlineData(int.MaxValue)]
    public void Negative_or_over_the_maximum_is_rejected(int seconds)
    {
        ShareTokenTtl.Validate(seconds).Should().Be($"must be 0 (Sumsub's default, 1200) or 1-86400 seconds (got {seconds})");
        ShareTokenTtl.TryCreate(seconds, out var value, out var error).Should().BeFalse();
        value.Should().BeNull();
        error.Should().NotBeNull();
        var create = () => ShareTokenTtl.Create(seconds);
        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void The_maximum_is_one_day() => ShareTokenTtl.MaxSeconds.Should().Be(86_400);

    [Fact]
    public void An_explicit_1200_is_sent_although_it_equals_the_default() =>
        ShareTokenTtl.Create(1200).Should().NotBe(ShareTokenTtl.Default);
}
