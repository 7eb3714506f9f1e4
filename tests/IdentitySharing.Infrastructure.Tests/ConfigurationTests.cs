using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace IdentitySharing.Infrastructure.Tests;

public sealed class ConfigurationTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] entries) =>
        new ConfigurationBuilder().AddInMemoryCollection(entries.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))).Build();

    private static readonly (string, string?)[] Banxa =
    [
        ("Banxa:ApiKey", "banxa-key-value"),
        ("Banxa:ApiSecret", "banxa-secret-value"),
    ];

    [Fact]
    public void One_account_with_defaults_is_valid_and_is_the_default()
    {
        var settings = UpstreamSettings.Load(Config([
            ("Sumsub:Accounts:main:AppToken", "app-token-value"),
            ("Sumsub:Accounts:main:SecretKey", "secret-key-value"),
            .. Banxa]));

        settings.Problems.Should().BeEmpty();
        settings.DefaultAccount!.Value.Should().Be("main");
        settings.Accounts["main"].BaseUrl.Should().Be(new Uri("https://api.sumsub.com"));
        settings.Banxa!.BaseUrl.Should().Be(new Uri("https://api.banxa.com"));
        settings.Banxa.SumsubClientId.Value.Should().Be("banxa.com_5335");
        settings.Banxa.DonorAccount.Should().BeNull();
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_key_and_without_secrets()
    {
        var problems = UpstreamSettings.Validate(Config(
            ("Sumsub:Accounts:good:AppToken", "app-token-value"),
            ("Sumsub:Accounts:good:SecretKey", "secret-key-value"),
            ("Sumsub:Accounts:nosecret:AppToken", "other-app-token"),
            ("Sumsub:Accounts:badurl:AppToken", "third-app-token"),
            ("Sumsub:Accounts:badurl:SecretKey", "third-secret"),
            ("Sumsub:Accounts:badurl:BaseUrl", "ftp://example.com"),
            ("Sumsub:Accounts:bad name!:AppToken", "fourth-app-token"),
            ("Sumsub:DefaultAccount", "missing"),
            ("Banxa:ApiKey", "banxa-key-value"),
            ("Banxa:BaseUrl", "not a url"),
            ("Banxa:SumsubAccount", "ghost"),
            ("Banxa:SumsubClientId", "bad id!")));

        problems.Should().HaveCount(8);
        problems.Should().Contain(p => p.StartsWith("Sumsub:Accounts:nosecret:SecretKey", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Sumsub:Accounts:badurl:BaseUrl", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Sumsub:Accounts:bad name!", StringComparison.Ordinal) && p.Contains("invalid account name", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Sumsub:DefaultAccount", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Banxa:ApiSecret", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Banxa:BaseUrl", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Banxa:SumsubAccount", StringComparison.Ordinal));
        var all = string.Join("\n", problems);
        foreach (var secret in new[] { "app-token-value", "secret-key-value", "other-app-token", "third-secret", "banxa-key-value" })
        {
            all.Should().NotContain(secret);
        }
    }

    [Fact]
    public void Invalid_banxa_client_id_is_a_problem()
    {
        UpstreamSettings.Validate(Config([("Banxa:SumsubClientId", "bad id!"), .. Banxa]))
            .Should().ContainSingle().Which.Should().StartWith("Banxa:SumsubClientId");
    }

    [Fact]
    public void Sandbox_mode_is_when_no_sumsub_account_is_configured()
    {
        UpstreamSettings.HasNoSumsubAccounts(Config(Banxa)).Should().BeTrue();
        UpstreamSettings.HasNoSumsubAccounts(Config(("Sumsub:Accounts:a:AppToken", "x"))).Should().BeFalse();
    }

    [Fact]
    public void Invalid_settings_throw_listing_the_problems_when_used()
    {
        var act = () => UpstreamSettings.Load(Config(Banxa[0])).EnsureValid();

        act.Should().Throw<InvalidOperationException>().WithMessage("*Banxa:ApiSecret*");
    }

    [Fact]
    public void Accounts_resolve_by_name_case_insensitively_and_empty_means_default()
    {
        var catalog = new SumsubAccountCatalog(UpstreamSettings.Load(Config([
            ("Sumsub:Accounts:donor:AppToken", "a"), ("Sumsub:Accounts:donor:SecretKey", "b"),
            ("Sumsub:Accounts:recipient:AppToken", "c"), ("Sumsub:Accounts:recipient:SecretKey", "d"),
            ("Sumsub:DefaultAccount", "donor"), .. Banxa])).EnsureValid());

        catalog.TryResolve("", out var byDefault, out _).Should().BeTrue();
        byDefault!.Value.Should().Be("donor");
        catalog.TryResolve("RECIPIENT", out var named, out _).Should().BeTrue();
        named!.Value.Should().Be("recipient");
        catalog.Get(AccountName.Create("recipient")).AppToken.Should().Be("c");
    }

    [Fact]
    public void Unknown_account_is_refused_without_listing_the_configured_ones()
    {
        var catalog = new SumsubAccountCatalog(UpstreamSettings.Load(Config([
            ("Sumsub:Accounts:secretname:AppToken", "a"), ("Sumsub:Accounts:secretname:SecretKey", "b"), .. Banxa])));

        catalog.TryResolve("other", out var account, out var error).Should().BeFalse();

        account.Should().BeNull();
        error.Should().NotBeNullOrEmpty().And.NotContain("secretname");
    }

    [Fact]
    public void Several_accounts_without_a_default_refuse_an_unnamed_request()
    {
        var catalog = new SumsubAccountCatalog(UpstreamSettings.Load(Config([
            ("Sumsub:Accounts:a:AppToken", "a"), ("Sumsub:Accounts:a:SecretKey", "b"),
            ("Sumsub:Accounts:b:AppToken", "c"), ("Sumsub:Accounts:b:SecretKey", "d"), .. Banxa])).EnsureValid());

        catalog.TryResolve(null, out _, out var error).Should().BeFalse();
        error.Should().Contain("Sumsub:DefaultAccount");
    }

    [Fact]
    public void Banxa_donor_account_and_client_id_are_read()
    {
        var settings = UpstreamSettings.Load(Config([
            ("Sumsub:Accounts:donor:AppToken", "donor-app-token"), ("Sumsub:Accounts:donor:SecretKey", "donor-secret-key"),
            ("Banxa:SumsubAccount", "donor"), ("Banxa:SumsubClientId", "banxa-test_1"), .. Banxa])).EnsureValid();

        settings.Banxa!.DonorAccount!.Value.Should().Be("donor");
        settings.Banxa.SumsubClientId.Value.Should().Be("banxa-test_1");
        settings.Banxa.ToString().Should().NotContain("banxa-secret-value");
        settings.Accounts["donor"].ToString().Should().NotContain("donor-app-token").And.NotContain("donor-secret-key");
    }
}
