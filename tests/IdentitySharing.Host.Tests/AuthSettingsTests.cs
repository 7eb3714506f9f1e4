using IdentitySharing.Host.Auth;

namespace IdentitySharing.Host.Tests;

public sealed class AuthSettingsTests
{
    private static readonly string[] RpcNames = ["GenerateShareToken", "ImportApplicant", "ShareWithBanxa"];
    private const string Hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static (AuthSettings Settings, List<string> Problems) Load(Dictionary<string, string?> values, bool sandbox = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var problems = new List<string>();
        return (AuthSettings.Load(configuration, RpcNames, sandbox, problems), problems);
    }

    [Fact]
    public void A_caller_with_a_key_hash_and_methods_is_loaded()
    {
        var (settings, problems) = Load(new()
        {
            ["Auth:Callers:billing:KeySha256"] = Hash.ToUpperInvariant(),
            ["Auth:Callers:billing:Methods:0"] = "ShareWithBanxa",
            ["Auth:Callers:billing:Methods:1"] = "ImportApplicant",
        });

        problems.Should().BeEmpty();
        var caller = settings.Callers.Should().ContainSingle().Subject;
        caller.Name.Should().Be("billing");
        caller.KeySha256.Should().Equal(Convert.FromHexString(Hash));
        caller.MayCall("ShareWithBanxa").Should().BeTrue();
        caller.MayCall("GenerateShareToken").Should().BeFalse();
        settings.AllowUnauthenticatedHealthAndReflection.Should().BeTrue();
    }

    [Theory]
    [InlineData("Auth:Callers:ops:Methods", "*")]
    [InlineData("Auth:Callers:ops:Methods:0", "*")]
    public void A_star_allows_every_method_as_a_list_entry_or_a_single_value(string key, string value)
    {
        var (settings, problems) = Load(new() { ["Auth:Callers:ops:KeySha256"] = Hash, [key] = value });

        problems.Should().BeEmpty();
        settings.Callers.Single().MayCall("GenerateShareToken").Should().BeTrue();
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_key()
    {
        var (settings, problems) = Load(new()
        {
            ["Auth:Callers:badhex:KeySha256"] = "not-hex",
            ["Auth:Callers:badhex:Methods:0"] = "*",
            ["Auth:Callers:nomethods:KeySha256"] = Hash,
            ["Auth:Callers:unknownmethod:KeySha256"] = Hash.Replace('9', '8'),
            ["Auth:Callers:unknownmethod:Methods:0"] = "DeleteEverything",
            ["Auth:Callers:nocredential:Methods:0"] = "*",
            ["Auth:AllowAnonymous"] = "maybe",
            ["RateLimits:Default:PermitsPerSecond"] = "-1",
            ["Auth:Callers:burst:KeySha256"] = Hash.Replace('a', 'b'),
            ["Auth:Callers:burst:Methods:0"] = "*",
            ["Auth:Callers:burst:RateLimit:PermitsPerSecond"] = "5",
            ["Auth:Callers:burst:RateLimit:Burst"] = "0",
        });

        problems.Should().Contain(p => p.StartsWith("Auth:Callers:badhex:KeySha256:"));
        problems.Should().Contain(p => p.StartsWith("Auth:Callers:nomethods:Methods:"));
        problems.Should().Contain(p => p.StartsWith("Auth:Callers:unknownmethod:Methods:") && p.Contains("DeleteEverything"));
        problems.Should().Contain(p => p.StartsWith("Auth:Callers:nocredential:") && p.Contains("KeySha256"));
        problems.Should().Contain(p => p.StartsWith("Auth:AllowAnonymous:"));
        problems.Should().Contain(p => p.StartsWith("RateLimits:Default:PermitsPerSecond:"));
        problems.Should().Contain(p => p.StartsWith("Auth:Callers:burst:RateLimit:Burst:"));
        problems.Should().HaveCount(7);
        settings.Callers.Should().ContainSingle(c => c.Name == "burst");
    }

    [Fact]
    public void Real_accounts_without_callers_refuse_to_start_unless_anonymous_callers_are_allowed()
    {
        Load([]).Problems.Should().ContainSingle().Which.Should().Contain("Auth:AllowAnonymous=true");
        Load(new() { ["Auth:AllowAnonymous"] = "true" }).Problems.Should().BeEmpty();
        Load([], sandbox: true).Problems.Should().BeEmpty();
        Load([], sandbox: true).Settings.IsAnonymousOnly.Should().BeTrue();
    }

    [Fact]
    public void Two_callers_with_the_same_key_are_a_problem()
    {
        var (_, problems) = Load(new()
        {
            ["Auth:Callers:a:KeySha256"] = Hash,
            ["Auth:Callers:a:Methods"] = "*",
            ["Auth:Callers:b:KeySha256"] = Hash.ToUpperInvariant(),
            ["Auth:Callers:b:Methods"] = "*",
        });

        problems.Should().ContainSingle().Which.Should().Contain("a, b").And.Contain("KeySha256");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Anonymous_callers_cannot_be_allowed_once_callers_are_configured(bool sandbox)
    {
        var (_, problems) = Load(new()
        {
            ["Auth:Callers:billing:KeySha256"] = Hash,
            ["Auth:Callers:billing:Methods:0"] = "ShareWithBanxa",
            ["Auth:AllowAnonymous"] = "true",
        }, sandbox);

        problems.Should().ContainSingle().Which.Should().StartWith("Auth:AllowAnonymous:").And.Contain("Auth:Callers").And.Contain("method lists");
    }

    [Fact]
    public void Two_callers_with_the_same_certificate_subject_are_a_problem()
    {
        var (_, problems) = Load(new()
        {
            ["Auth:Callers:a:CertificateSubject"] = "CN=billing-service",
            ["Auth:Callers:a:Methods"] = "ShareWithBanxa",
            ["Auth:Callers:b:CertificateSubject"] = " CN=billing-service ",
            ["Auth:Callers:b:Methods"] = "*",
            ["Auth:Callers:c:CertificateSubject"] = "CN=ops-service",
            ["Auth:Callers:c:Methods"] = "*",
        });

        problems.Should().ContainSingle().Which.Should().Contain("a, b").And.Contain("CertificateSubject");
    }

    [Fact]
    public void The_anonymous_name_is_reserved()
    {
        var (_, problems) = Load(new() { ["Auth:Callers:anonymous:KeySha256"] = Hash, ["Auth:Callers:anonymous:Methods"] = "*" });

        problems.Should().ContainSingle().Which.Should().StartWith("Auth:Callers:anonymous");
    }

    [Fact]
    public void A_caller_rate_limit_defaults_its_burst_to_one_second_of_permits_and_the_default_applies_otherwise()
    {
        var (settings, problems) = Load(new()
        {
            ["Auth:Callers:a:KeySha256"] = Hash,
            ["Auth:Callers:a:Methods"] = "*",
            ["Auth:Callers:a:RateLimit:PermitsPerSecond"] = "2.5",
            ["RateLimits:Default:PermitsPerSecond"] = "10",
            ["RateLimits:Default:Burst"] = "20",
        });

        problems.Should().BeEmpty();
        settings.Callers.Single().RateLimit.Should().Be(new RateLimitSettings(2.5, 3));
        settings.DefaultRateLimit.Should().Be(new RateLimitSettings(10, 20));
    }

    [Fact]
    public void A_token_bucket_allows_its_burst_then_refuses_with_a_retry_delay()
    {
        using var limiter = RateLimitInterceptor.Create(new RateLimitSettings(0.01, 2));

        using var first = limiter.AttemptAcquire();
        using var second = limiter.AttemptAcquire();
        using var third = limiter.AttemptAcquire();

        first.IsAcquired.Should().BeTrue();
        second.IsAcquired.Should().BeTrue();
        third.IsAcquired.Should().BeFalse();
        third.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().BePositive();
    }
}
